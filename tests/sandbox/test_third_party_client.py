"""A third-party HaloPSA client, written the way integrators write them, against the sandbox.

Nothing here uses psahub: plain httpx, the documented URLs, and the habits of the public
libraries (authinfo discovery, ``?tenant=``, ``pageinate``/``page_size``/``page_no``, array
POSTs).
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.helpers import HaloInstance

RESOURCES = {
    "Tickets": "tickets",
    "Opportunities": "tickets",
    "Client": "clients",
    "Site": "sites",
    "Users": "users",
    "ClientContract": "contracts",
    "Supplier": "suppliers",
    "Item": "items",
    "Quotation": "quotes",
    "Invoice": "invoices",
    "RecurringInvoice": "invoices",
    "SoftwareLicence": "licences",
    "Asset": "assets",
}
LOOKUPS = ["Agent", "Team", "TicketType", "Status", "Priority", "AssetType"]


class ThirdPartyHalo:
    """About as much client as an integrator writes in an afternoon."""

    def __init__(self, resource_server: str, client_id: str, secret: str, tenant: str) -> None:
        self.api = resource_server.rstrip("/")
        self.http = httpx.Client(timeout=30)
        info = self.http.get(f"{self.api}/authinfo").json()
        token_url = f"{info['auth_url']}/token"
        params = {"tenant": tenant or info.get("tenant_id") or ""}
        response = self.http.post(
            token_url,
            params={k: v for k, v in params.items() if v},
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
                "scope": "all",
            },
        )
        response.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def get_all(self, resource: str, key: str, **params: Any) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        page = 1
        while True:
            response = self.http.get(
                f"{self.api}/{resource}",
                params={"pageinate": "true", "page_size": 100, "page_no": page, **params},
            )
            response.raise_for_status()
            batch = response.json()[key]
            rows.extend(batch)
            if len(batch) < 100:
                return rows
            page += 1

    def lookup(self, resource: str) -> list[dict[str, Any]]:
        response = self.http.get(f"{self.api}/{resource}")
        response.raise_for_status()
        rows: list[dict[str, Any]] = response.json()
        return rows

    def save_ticket(self, ticket: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(f"{self.api}/Tickets", json=[ticket])
        response.raise_for_status()
        saved: dict[str, Any] = response.json()
        return saved


def test_a_third_party_client_reads_everything_and_writes_a_ticket(
    make_instance: Any,
) -> None:
    halo: HaloInstance = make_instance(size=450)
    creds = halo.credentials
    client = ThirdPartyHalo(
        creds["api_url"], creds["client_id"], creds["client_secret"], creds["tenant"]
    )
    for resource, key in RESOURCES.items():
        rows = client.get_all(resource, key, includeclosed="true", includeinactive="true")
        assert rows, resource
        assert len({r["id"] for r in rows}) == len(rows), resource
    tickets = client.get_all("Tickets", "tickets", includeclosed="true")
    assert len(tickets) == 450
    for resource in LOOKUPS:
        assert client.lookup(resource), resource
    actions = client.http.get(f"{client.api}/Actions", params={"ticket_id": tickets[0]["id"]})
    assert actions.json()["actions"]

    created = client.save_ticket(
        {
            "summary": "Enable MFA for 4 users at Acme",
            "details": "Raised by the platform",
            "client_id": tickets[0]["client_id"],
            "tickettype_id": 4,
        }
    )
    team = client.lookup("Team")[1]["name"]
    updated = client.save_ticket({"id": created["id"], "team": team, "status_id": 2})
    assert updated["team"] == team and updated["status_id"] == 2
    assert client.http.get(f"{client.api}/Tickets/{created['id']}").json()["team"] == team


def test_a_third_party_client_works_against_a_self_hosted_instance(make_instance: Any) -> None:
    halo: HaloInstance = make_instance(hosting="self-hosted")
    creds = halo.credentials
    client = ThirdPartyHalo(creds["api_url"], creds["client_id"], creds["client_secret"], "")
    assert client.get_all("Client", "clients")
