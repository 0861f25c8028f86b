"""Generated commercial data: contracts, quotes, invoices, recurring invoices, licences, assets."""

from __future__ import annotations

from datetime import timedelta

from psahub.sandbox import catalog as cat
from psahub.sandbox.clock import EMPTY_DATE, day, stamp
from psahub.sandbox.data.base import GeneratorBase
from psahub.sandbox.store import Record


class CommerceData(GeneratorBase):
    """Makes what an MSP sells and manages for each client."""

    def contract(self, cid: int, client: Record) -> Record:
        """A client contract (``ContractHeader``)."""
        rng = self.rng
        start = self._ago(900, 30)
        end = start + timedelta(days=rng.choice((365, 730, 1095)))
        active = end > self.now and not client["inactive"]
        charge = float(rng.choice((450, 900, 1500, 2400, 3800, 6200)))
        kind = rng.randrange(len(cat.CONTRACT_TYPES))
        return {
            "id": cid,
            "ref": f"AGR-{cid:05d}",
            "refextra": "",
            "client_id": client["id"],
            "client_name": client["name"],
            "site_id": client["main_site_id"],
            "site_name": client["main_site_name"],
            "start_date": day(start),
            "end_date": day(end),
            "active": active,
            "expired": end <= self.now,
            "started": True,
            "status": "Active" if active else "Expired",
            "contract_status": 1 if active else 2,
            "contracttype": kind + 1,
            "contracttype_name": cat.CONTRACT_TYPES[kind],
            "billingperiod": "Monthly",
            "billingdescription": cat.CONTRACT_TYPES[kind],
            "billingcategory": 1,
            "sla_id": 1,
            "sla_name": "Standard SLA",
            "periodchargeamount": charge,
            "costperperiod": round(charge * rng.uniform(0.35, 0.6), 2),
            "prepayrecurringcharge": 0.0,
            "contract_prepaytotal": 0.0,
            "asset_value": 0.0,
            "chargehoursperperiod": float(rng.choice((0, 5, 10))),
            "next_invoice_date": day(self.now + timedelta(days=rng.randint(1, 30))),
        }

    def _line(self, lid: int, qty: int) -> Record:
        index = self.rng.randrange(len(cat.ITEMS))
        name, _supplier, cost, price, recurring, _group = cat.ITEMS[index]
        return {
            "id": lid,
            "item_id": index + 1,
            "name": name,
            "qty": qty,
            "price": price,
            "cost": cost,
            "recurring": recurring,
        }

    def quote(self, qid: int, client: Record, opportunity_id: int) -> Record:
        """A quotation with lines that reference items."""
        rng = self.rng
        lines = []
        for n in range(1, rng.randint(2, 6)):
            line = self._line(n, rng.randint(1, 40))
            lines.append(
                {
                    "id": n,
                    "item_id": line["item_id"],
                    "description": line["name"],
                    "quantity": line["qty"],
                    "baseprice": line["price"],
                    "costprice": line["cost"],
                    "net_total": round(line["qty"] * line["price"], 2),
                    "total_price": round(line["qty"] * line["price"] * 1.2, 2),
                    "total_tax": round(line["qty"] * line["price"] * 0.2, 2),
                    "total_discount": 0.0,
                    "discount_perc": 0.0,
                    "margin": round(line["qty"] * (line["price"] - line["cost"]), 2),
                    "item_recurring": line["recurring"],
                    "item_taxable": True,
                }
            )
        revenue = round(sum(x["net_total"] for x in lines), 2)
        when = self._ago(500)
        return {
            "id": qid,
            "title": f"Proposal for {client['name']}",
            "ticket_id": opportunity_id,
            "status": rng.choice((0, 1, 2, 3)),
            "approvalstate": rng.choice((0, 1, 2)),
            "date": day(when),
            "expiry_date": day(when + timedelta(days=30)),
            "client_id": client["id"],
            "client_name": client["name"],
            "site_id": client["main_site_id"],
            "site_name": client["main_site_name"],
            "user_id": 0,
            "user_name": "",
            "agent_id": rng.randint(2, 9),
            "assigned_agent_name": "",
            "po_ref": "",
            "revenue": revenue,
            "tax_total": round(revenue * 0.2, 2),
            "total": round(revenue * 1.2, 2),
            "margin": round(sum(x["margin"] for x in lines), 2),
            "carriage_price": 0.0,
            "currency": 1,
            "currency_code": "GBP",
            "currency_conversion_rate": 1.0,
            "last_update_time": stamp(when),
            "lines": lines,
        }

    def invoice(self, iid: int, client: Record, months_ago: int, recurring: bool) -> Record:
        """An invoice, or a recurring invoice when ``recurring``, with lines."""
        rng = self.rng
        when = self.now - timedelta(days=30 * months_ago + rng.randint(0, 5))
        lines = []
        for n in range(1, rng.randint(2, 7)):
            line = self._line(n, rng.randint(1, 60))
            net = round(line["qty"] * line["price"], 2)
            lines.append(
                {
                    "id": n,
                    "item_id": line["item_id"],
                    "item_code": f"ITEM-{line['item_id']:04d}",
                    "item_shortdescription": line["name"],
                    "item_longdescription": "",
                    "qty_order": line["qty"],
                    "unit_price": line["price"],
                    "unit_cost": line["cost"],
                    "net_amount": net,
                    "tax_amount": round(net * 0.2, 2),
                    "tax_rate": 20.0,
                    "total_price": round(net * 1.2, 2),
                    "contract_id": 0,
                    "ticket_id": 0,
                    "asset_id": 0,
                }
            )
        total = round(sum(x["total_price"] for x in lines), 2)
        paid = not recurring and months_ago > 1 and rng.random() < 0.9
        return {
            "id": iid,
            "invoicenumber": f"{'RI' if recurring else 'INV'}-{iid:06d}",
            "thirdpartyinvoicenumber": "",
            "client_id": client["id"],
            "client_name": client["name"],
            "site_name": client["main_site_name"],
            "invoice_date": day(when),
            "duedate": day(when + timedelta(days=30)),
            "dateposted": EMPTY_DATE if recurring else day(when),
            "datepaid": day(when + timedelta(days=rng.randint(5, 40))) if paid else EMPTY_DATE,
            "posted": not recurring,
            "voided": False,
            "disabled": False,
            "paymentstatus": 2 if paid else 0,
            "total": total,
            "tax_total": round(sum(x["tax_amount"] for x in lines), 2),
            "amountpaid": total if paid else 0.0,
            "amountdue": 0.0 if paid else total,
            "currency": 1,
            "currency_code": "GBP",
            "contract_id": 0,
            "contract_ref": "",
            "ticket_id": 0,
            "salesorder_id": 0,
            "recurring_invoice_id": 0,
            "is_recurring_invoice": recurring,
            "period_start_date": day(when),
            "period_end_date": day(when + timedelta(days=30)),
            "nextcreationdate": day(self.now + timedelta(days=rng.randint(1, 28)))
            if recurring
            else EMPTY_DATE,
            "startdate": day(when) if recurring else EMPTY_DATE,
            "enddate": EMPTY_DATE,
            "last_modified": stamp(when),
            "date_created": stamp(when),
            "lines": lines,
        }

    def licence(self, lid: int, client: Record, suppliers: dict[str, int]) -> Record:
        """A software licence subscription held for a client."""
        rng = self.rng
        name, supplier, cost, price, _recurring, _group = rng.choice(cat.ITEMS[:21])
        count = rng.randint(5, 150)
        start = self._ago(700, 10)
        active = not client["inactive"] and rng.random() > 0.08
        return {
            "id": lid,
            "name": name,
            "type": 1,
            "count": count,
            "licences_in_use": rng.randint(0, count),
            "licences_available": 0,
            "client_id": client["id"],
            "client_name": client["name"],
            "site_id": client["main_site_id"],
            "site_name": client["main_site_name"],
            "supplier_id": suppliers.get(supplier, 0),
            "supplier_name": supplier,
            "vendor": supplier,
            "manufacturer": supplier,
            "start_date": day(start),
            "end_date": day(start + timedelta(days=365)),
            "price": price,
            "purchase_price": cost,
            "billing_cycle": "Monthly",
            "term_duration": 12,
            "status": 1 if active else 0,
            "is_active": active,
            "deleted": False,
            "autorenew": True,
            "tenant_id": "",
            "tenant_name": "",
        }

    def asset(self, aid: int, client: Record, site: Record, user: Record | None) -> Record:
        """A device (``Device``) of one of the asset types."""
        rng = self.rng
        type_index = rng.choices(range(len(cat.ASSET_TYPES)), (30, 35, 6, 5, 3, 4, 4, 5, 8))[0]
        type_name, _group, cost = cat.ASSET_TYPES[type_index]
        host = f"{str(client['name'])[:3].upper()}-{type_name[:2].upper()}{aid:05d}"
        warranty = self.now + timedelta(days=rng.randint(-400, 1100))
        return {
            "id": aid,
            "inventory_number": f"A{aid:06d}",
            "key_field": host,
            "key_field2": f"SN{rng.getrandbits(40):010X}",
            "key_field3": "",
            "assettype_id": type_index + 1,
            "assettype_name": type_name,
            "client_id": client["id"],
            "client_name": client["name"],
            "site_id": site["id"],
            "site_name": site["name"],
            "username": user["name"] if user else "",
            "inactive": rng.random() < 0.07,
            "status_id": 1,
            "status_name": "Active",
            "supplier_id": 0,
            "supplier_name": "",
            "warranty_end": day(warranty),
            "contract_value": 0.0,
            "item_cost": cost,
            "contract_ref": "",
            "third_party_id": 0,
            "third_party_id_string": "",
            "dlastupdate": stamp(self._ago(200)),
            "fields": [],
            "customfields": None,
        }

    def commerce(self) -> None:
        """Contracts, quotes, invoices, recurring invoices, licences and assets per client."""
        tables = self.instance.tables
        suppliers = {s["name"]: s["id"] for s in self._rows("suppliers")}
        sites_by_client: dict[int, list[Record]] = {}
        for site in tables["sites"]:
            sites_by_client.setdefault(int(site["client_id"]), []).append(site)
        users_by_client: dict[int, list[Record]] = {}
        for user in tables["users"]:
            users_by_client.setdefault(user["client_id"], []).append(user)
        opportunities = [o["id"] for o in tables["opportunities"]] or [0]
        for client in self._rows("clients"):
            cid = client["id"]
            for _ in range(self.rng.choice((1, 1, 2))):
                tables["contracts"].put(self.contract(tables["contracts"].next_id(), client))
            for _ in range(self.rng.choice((0, 1, 1, 2))):
                qid = tables["quotes"].next_id()
                opportunity = self.rng.choice(opportunities)
                tables["quotes"].put(self.quote(qid, client, opportunity))
            for months_ago in range(self.rng.randint(2, 6)):
                iid = tables["invoices"].next_id()
                tables["invoices"].put(self.invoice(iid, client, months_ago, False))
            rid = tables["recurring_invoices"].next_id()
            tables["recurring_invoices"].put(self.invoice(rid, client, 0, True))
            for _ in range(self.rng.randint(1, 4)):
                lid = tables["licences"].next_id()
                tables["licences"].put(self.licence(lid, client, suppliers))
            sites = sites_by_client.get(cid, [])
            users = users_by_client.get(cid, [])
            for _ in range(len(users) + self.rng.randint(1, 4)):
                owner = self.rng.choice(users) if users else None
                site = self.rng.choice(sites)
                tables["assets"].put(self.asset(tables["assets"].next_id(), client, site, owner))
