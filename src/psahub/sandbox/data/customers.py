"""Generated customers: clients, sites and users."""

from __future__ import annotations

from datetime import timedelta

from psahub.sandbox import catalog as cat
from psahub.sandbox.clock import EMPTY_DATE, day, stamp
from psahub.sandbox.data.base import GeneratorBase
from psahub.sandbox.store import Record


class CustomerData(GeneratorBase):
    """Makes clients, their sites and their users."""

    def client(self, cid: int) -> Record:
        """A client (``Area``)."""
        rng = self.rng
        name = (
            f"{rng.choice(cat.CLIENT_WORDS)} {rng.choice(cat.CLIENT_TRADES)} "
            f"{rng.choice(cat.CLIENT_SUFFIXES)}"
        )
        top = rng.randint(1, 2)
        changed = self._ago(400)
        return {
            "id": cid,
            "name": name,
            "inactive": rng.random() < 0.06,
            "toplevel_id": top,
            "toplevel_name": cat.TOP_LEVELS[top - 1],
            "ref": f"CL{cid:05d}",
            "website": "https://www." + name.split()[0].lower() + f"{cid}.example",
            "is_vip": rng.random() < 0.05,
            "customertype": 1,
            "colour": "",
            "notes": "",
            "main_site_id": 0,
            "main_site_name": "",
            "accountmanagertech": rng.randint(2, 9),
            "pritech": rng.randint(2, 9),
            "sectech": 0,
            "client_to_invoice": cid,
            "datecreated": day(changed - timedelta(days=300)),
            "alastupdate": stamp(changed),
            "open_ticket_count": 0,
            "customfields": None,
        }

    def site(self, sid: int, client: Record, index: int) -> Record:
        """A site; its ``client_id`` is a decimal, as Halo sends it."""
        name = "Head Office" if index == 0 else self.rng.choice(cat.SITE_NAMES[1:])
        return {
            "id": sid,
            "name": name,
            "client_id": float(client["id"]),
            "client_name": client["name"],
            "inactive": False,
            "sla_id": 1,
            "phonenumber": f"020 7946 {sid % 10_000:04d}",
            "timezone": "GMT Standard Time",
            "maincontact_id": 0,
            "maincontact_name": "",
            "delivery_address": {
                "line1": f"{sid} High Street",
                "city": self.rng.choice(cat.CITIES),
            },
            "invoice_address": None,
            "isinvoicesite": index == 0,
            "isstocklocation": False,
            "notes": "",
            "datecreated": client["datecreated"],
            "slastupdate": client["alastupdate"],
            "ref": f"ST{sid:05d}",
        }

    def user(self, uid: int, client: Record, site: Record) -> Record:
        """An end-user contact (``Users``)."""
        rng = self.rng
        first, last = rng.choice(cat.FIRST_NAMES), rng.choice(cat.SURNAMES)
        domain = str(client["website"]).removeprefix("https://www.")
        return {
            "id": uid,
            "name": f"{first} {last}",
            "firstname": first,
            "surname": last,
            "emailaddress": f"{first}.{last}{uid}@{domain}".lower(),
            "login": "",
            "client_id": client["id"],
            "client_name": client["name"],
            "site_id": float(site["id"]),
            "site_id_int": site["id"],
            "site_name": site["name"],
            "phonenumber": "",
            "mobilenumber": f"07700 9{uid % 100_000:05d}",
            "title": rng.choice(("", "Office Manager", "Director", "Accountant", "Engineer")),
            "inactive": rng.random() < 0.05,
            "isserviceaccount": False,
            "isimportantcontact": rng.random() < 0.1,
            "linked_agent_id": 0,
            "azureoid": "",
            "third_party_id": "",
            "datecreated": client["datecreated"],
            "ulastupdate": stamp(self._ago(300)),
            "lastlogindate": EMPTY_DATE,
        }

    def customers(self, client_count: int) -> None:
        """Clients with their sites and users."""
        tables = self.instance.tables
        for _ in range(client_count):
            client = self.client(tables["clients"].next_id())
            tables["clients"].put(client)
            for index in range(self.rng.choice((1, 1, 1, 2, 2, 3))):
                site = self.site(tables["sites"].next_id(), client, index)
                tables["sites"].put(site)
                if index == 0:
                    client["main_site_id"], client["main_site_name"] = site["id"], site["name"]
                for _ in range(self.rng.randint(1, 6)):
                    tables["users"].put(self.user(tables["users"].next_id(), client, site))
