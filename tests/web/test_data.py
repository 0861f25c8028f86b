"""The data pages: clients with their figures, a client's page, the entity tables and CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient

from psahub.connections import connect
from psahub.halo.budget import RollingWindowBudget
from psahub.runtime import Runtime
from tests.halo.conftest import FAST
from tests.helpers import HaloInstance
from tests.mirroring import Mirror, MirrorOf

SignIn = Callable[..., TestClient]

#: The entities the sync reads for these pages (actions and CRM are not needed).
SYNCED = [
    "clients",
    "sites",
    "users",
    "agents",
    "statuses",
    "ticket_types",
    "asset_types",
    "tickets",
    "contracts",
    "suppliers",
    "items",
    "quotes",
    "invoices",
    "recurring_invoices",
    "licences",
    "assets",
]
#: /data/{entity} -> the sandbox table holding the truth.
TABLES = {
    name: name
    for name in (
        "tickets",
        "assets",
        "contracts",
        "items",
        "invoices",
        "quotes",
        "suppliers",
        "licences",
    )
}


@dataclass
class Table:
    """A parsed HTML table: its caption, headings and body rows (cell texts)."""

    caption: str = ""
    headings: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[Table] = []
        self._text: list[str] | None = None
        self._where = ""
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append(Table())
        elif tag in ("thead", "tbody"):
            self._where = tag
        elif tag == "tr" and self._where == "tbody":
            self._row = []
        elif tag in ("caption", "th", "td"):
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("caption", "th", "td") and self._text is not None:
            text = " ".join("".join(self._text).split())
            self._text = None
            table = self.tables[-1]
            if tag == "caption":
                table.caption = text
            elif self._where == "thead":
                table.headings.append(text)
            elif self._row is not None:
                self._row.append(text)
        elif tag == "tr" and self._row is not None:
            self.tables[-1].rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def tables_of(html: str) -> list[Table]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def table_of(html: str) -> Table:
    tables = tables_of(html)
    assert len(tables) == 1, [t.caption for t in tables]
    return tables[0]


def ids(table: Table) -> list[str]:
    """The first column (the Halo id) of every body row."""
    return [row[0] for row in table.rows if "No records match" not in row[0]]


def total(html: str) -> int:
    """The total a table page announces ("1-50 of 312 tickets" with an en dash, or none)."""
    match = re.search(r"of ([\d,]+) [a-z]+</p>", html)
    return int(match.group(1).replace(",", "")) if match else 0


def csv_rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(response.text)))


@pytest.fixture
def acme(make_instance: Callable[..., HaloInstance], mirror_of: MirrorOf) -> Mirror:
    """A synced instance of 300 tickets and 66 clients (two pages of clients)."""
    halo = make_instance(size=300)
    halo.mutate("clients", create=60)
    mirror = mirror_of(halo)
    report = mirror.sync(entities=SYNCED)
    assert report.ok, [r.error for r in report.results if r.error]
    return mirror


@pytest.fixture
def owner(acme: Mirror, sign_in: SignIn) -> TestClient:
    return sign_in(account="acme")


def _figures(halo: HaloInstance, client_id: int) -> dict[str, Any]:
    def mine(table: str) -> list[dict[str, Any]]:
        return [r for r in halo.truth(table) if int(r["client_id"]) == client_id]

    return {
        "sites": len(mine("sites")),
        "users": len(mine("users")),
        "assets": len(mine("assets")),
        "open_tickets": sum(not t["hasbeenclosed"] for t in mine("tickets")),
        "active_contracts": sum(bool(c["active"]) for c in mine("contracts")),
        "recurring_revenue": round(
            sum(r["total"] for r in mine("recurring_invoices") if not r["disabled"]), 2
        ),
    }


def test_clients_table_lists_every_client_with_its_figures(acme: Mirror, owner: TestClient) -> None:
    truth = acme.halo.truth("clients")
    assert len(truth) == 66
    page = owner.get("/clients")
    assert page.status_code == 200
    assert total(page.text) == 66
    table = table_of(page.text)
    assert table.headings[:2] == ["Client", "State"] and "Recurring revenue" in table.headings
    assert len(table.rows) == 50
    by_name = sorted(truth, key=lambda c: (c["name"].lower(), c["id"]))
    assert [row[0] for row in table.rows] == [c["name"] for c in by_name[:50]]

    index, client = next((i, c) for i, c in enumerate(by_name[:50]) if c["id"] <= 6)
    expected = _figures(acme.halo, client["id"])
    row = table.rows[index]
    assert row[2:7] == [
        str(expected[k]) for k in ("sites", "users", "assets", "open_tickets", "active_contracts")
    ]
    assert row[7] == f"{expected['recurring_revenue']:,.2f}"
    assert expected["sites"] > 0 and expected["recurring_revenue"] > 0

    exported = {r["halo_id"]: r for r in csv_rows(owner.get("/clients.csv"))}
    assert set(exported) == {str(c["id"]) for c in truth}
    for record in truth:
        figures = _figures(acme.halo, record["id"])
        line = exported[str(record["id"])]
        assert line["name"] == record["name"]
        assert line["inactive"] == ("true" if record["inactive"] else "false")
        for name in ("sites", "users", "assets", "open_tickets", "active_contracts"):
            assert int(line[name]) == figures[name], (record["id"], name)
        assert float(line["recurring_revenue"]) == pytest.approx(figures["recurring_revenue"])


def test_clients_search_and_paging(acme: Mirror, owner: TestClient) -> None:
    truth = acme.halo.truth("clients")
    by_name = sorted(truth, key=lambda c: (c["name"].lower(), c["id"]))
    second = owner.get("/clients", params={"page": 2})
    table = table_of(second.text)
    assert [row[0] for row in table.rows] == [c["name"] for c in by_name[50:]]
    assert "Page 2 of 2" in second.text and 'rel="prev"' in second.text
    assert "51\u201366 of 66 clients" in second.text
    beyond = owner.get("/clients", params={"page": 99})
    assert "Page 2 of 2" in beyond.text
    assert owner.get("/clients", params={"page": "x"}).status_code == 200

    word = truth[0]["name"].split()[1]
    found = owner.get("/clients", params={"q": f"  {word.upper()} "})
    expected = sorted(c["name"] for c in truth if word.lower() in c["name"].lower())
    assert sorted(row[0] for row in table_of(found.text).rows) == expected[:50]
    assert total(found.text) == len(expected)
    exported = csv_rows(owner.get("/clients.csv", params={"q": word.lower()}))
    assert sorted(r["name"] for r in exported) == expected

    nothing = owner.get("/clients", params={"q": "%_no such client"})
    assert "No clients match" in nothing.text and total(nothing.text) == 0

    partial = owner.get(
        "/clients", params={"q": word}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert partial.text.lstrip().startswith('<div id="results">')
    assert 'aria-label="Main"' not in partial.text


def test_client_page_shows_its_records(acme: Mirror, owner: TestClient) -> None:
    halo = acme.halo
    tickets = halo.truth("tickets")
    busiest = max(
        halo.truth("clients"),
        key=lambda c: sum(t["client_id"] == c["id"] for t in tickets),
    )
    cid = busiest["id"]
    page = owner.get(f"/clients/{cid}")
    assert page.status_code == 200
    assert busiest["name"] in page.text and busiest["ref"] in page.text
    tables = {t.caption.split(" of ")[0].split(",")[0]: t for t in tables_of(page.text)}
    sites = [s for s in halo.truth("sites") if int(s["client_id"]) == cid]
    assert sorted(ids(tables["Sites"])) == sorted(str(s["id"]) for s in sites)
    assert {row[1] for row in tables["Sites"].rows} == {s["name"] for s in sites}
    users = [u for u in halo.truth("users") if u["client_id"] == cid]
    assert sorted(ids(tables["Users"])) == sorted(str(u["id"]) for u in users)
    assert {row[2] for row in tables["Users"].rows} == {u["emailaddress"] for u in users}
    open_tickets = [t for t in tickets if t["client_id"] == cid and not t["hasbeenclosed"]]
    assert sorted(ids(tables["Open tickets"])) == sorted(str(t["id"]) for t in open_tickets)[:50]
    assert "Client" not in tables["Open tickets"].headings
    contracts = [c for c in halo.truth("contracts") if c["client_id"] == cid]
    assert sorted(ids(tables["Contracts"])) == sorted(str(c["id"]) for c in contracts)
    licences = [x for x in halo.truth("licences") if x["client_id"] == cid]
    assert sorted(ids(tables["Licences"])) == sorted(str(x["id"]) for x in licences)
    recurring = [r for r in halo.truth("recurring_invoices") if r["client_id"] == cid]
    assert sorted(ids(tables["Recurring invoices"])) == sorted(str(r["id"]) for r in recurring)
    assert f"/data/tickets?client_id={cid}&amp;status=open" in page.text

    missing = owner.get("/clients/999999")
    assert missing.status_code == 404 and "no client" in missing.text


@pytest.mark.parametrize("entity", sorted(TABLES))
def test_each_table_has_every_record_newest_first(
    acme: Mirror, owner: TestClient, entity: str
) -> None:
    truth = {str(r["id"]) for r in acme.halo.truth(TABLES[entity])}
    page = owner.get(f"/data/{entity}")
    assert page.status_code == 200
    assert total(page.text) == len(truth)
    table = table_of(page.text)
    shown = ids(table)
    assert len(shown) == min(50, len(truth)) and set(shown) <= truth
    exported = csv_rows(owner.get(f"/data/{entity}.csv"))
    assert {r["halo_id"] for r in exported} == truth and len(exported) == len(truth)
    assert [r["halo_id"] for r in exported[: len(shown)]] == shown
    assert list(exported[0])[:2] == ["halo_id", "name"]


def test_tickets_first_page_filters_and_paging(acme: Mirror, owner: TestClient) -> None:
    tickets = acme.halo.truth("tickets")
    newest = sorted(tickets, key=lambda t: t["last_update"], reverse=True)
    page = owner.get("/data/tickets")
    table = table_of(page.text)
    assert table.headings == [
        "ID",
        "Summary",
        "Client",
        "State",
        "Status",
        "Type",
        "Agent",
        "Opened",
        "Changed",
    ]
    first = table.rows[0]
    assert first[0] == str(newest[0]["id"]) and first[1] == newest[0]["summary"]
    assert first[2] == newest[0]["client_name"] and first[4] == newest[0]["status_name"]
    assert first[3] == ("closed" if newest[0]["hasbeenclosed"] else "open")
    assert "Page 1 of 6" in page.text and "1\u201350 of 300 tickets" in page.text

    pages = [ids(table_of(owner.get("/data/tickets", params={"page": n}).text)) for n in (1, 2)]
    assert not set(pages[0]) & set(pages[1]) and len(pages[1]) == 50

    client_id = tickets[0]["client_id"]
    mine = [t for t in tickets if t["client_id"] == client_id]
    for status, expected in (
        ("all", mine),
        ("open", [t for t in mine if not t["hasbeenclosed"]]),
        ("closed", [t for t in mine if t["hasbeenclosed"]]),
    ):
        params = {"client_id": str(client_id), "status": status}
        filtered = owner.get("/data/tickets", params=params)
        assert total(filtered.text) == len(expected), status
        rows = csv_rows(owner.get("/data/tickets.csv", params=params))
        assert {r["halo_id"] for r in rows} == {str(t["id"]) for t in expected}
        assert {r["client_name"] for r in rows} == {mine[0]["client_name"]}
    open_all = owner.get("/data/tickets", params={"status": "open", "client_id": ""})
    assert total(open_all.text) == sum(not t["hasbeenclosed"] for t in tickets)

    word = tickets[0]["summary"].split()[0]
    named = owner.get("/data/tickets", params={"q": word.lower()})
    assert total(named.text) == sum(word.lower() in t["summary"].lower() for t in tickets)

    assert owner.get("/data/tickets", params={"status": "sideways"}).status_code == 422
    partial = owner.get(
        "/data/tickets", params={"page": 2}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert partial.text.lstrip().startswith('<div id="results">')


def test_include_deleted_shows_tombstones(acme: Mirror, owner: TestClient) -> None:
    before = len(acme.halo.truth("items"))
    acme.halo.mutate("items", delete=2)
    assert acme.sync(entities=["items"]).ok
    live = owner.get("/data/items")
    everything = owner.get("/data/items", params={"include_deleted": "1"})
    assert total(live.text) == before - 2 and total(everything.text) == before
    assert "deleted" in everything.text
    rows = csv_rows(owner.get("/data/items.csv", params={"include_deleted": "on"}))
    assert sum(bool(r["deleted_at"]) for r in rows) == 2 and len(rows) == before


def test_unknown_entity_is_explained(acme: Mirror, owner: TestClient) -> None:
    page = owner.get("/data/ticket")
    assert page.status_code == 404
    assert "no table of" in page.text and "tickets, assets" in page.text
    export = owner.get("/data/actions.csv")
    assert export.status_code == 404 and "Choose one of" in export.json()["detail"]


def test_pages_ask_for_sign_in(web: TestClient) -> None:
    for path in ("/clients", "/clients/1", "/data/tickets", "/data/tickets.csv", "/clients.csv"):
        response = web.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_without_an_integration_the_pages_say_so(sign_in: SignIn) -> None:
    client = sign_in(account="lonely")
    for path in ("/clients", "/data/tickets"):
        page = client.get(path)
        assert page.status_code == 200
        assert "no HaloPSA integration yet" in page.text and 'href="/integrations"' in page.text
    assert csv_rows(client.get("/clients.csv")) == []
    assert client.get("/clients.csv").text.startswith("halo_id,name")


def test_another_account_sees_none_of_acme(
    acme: Mirror,
    owner: TestClient,
    sign_in: SignIn,
    make_instance: Callable[..., HaloInstance],
    runtime: Runtime,
) -> None:
    other_halo = make_instance(size=60, seed=2)
    budget = RollingWindowBudget()
    result = connect(runtime, "other", dict(other_halo.credentials), retry=FAST, budget=budget)
    assert result.integration_id is not None
    theirs = Mirror(runtime, other_halo, result.integration_id, budget)
    theirs.set_limit(100_000, 1.0)
    assert theirs.sync(entities=SYNCED).ok
    other = sign_in(email="other@x.example", account="other")

    their_clients = {c["name"] for c in other_halo.truth("clients")}
    acme_only = {c["name"] for c in acme.halo.truth("clients")} - their_clients
    assert acme_only
    listed = {r["name"] for r in csv_rows(other.get("/clients.csv"))}
    assert listed == their_clients
    page = other.get("/clients")
    assert not any(name in page.text for name in acme_only)

    acme_client = next(c for c in acme.halo.truth("clients") if c["id"] > 6)
    assert other.get(f"/clients/{acme_client['id']}").status_code == 404
    assert owner.get(f"/clients/{acme_client['id']}").status_code == 200

    for entity, table in TABLES.items():
        everything = {r["halo_id"] for r in csv_rows(other.get(f"/data/{entity}.csv"))}
        assert everything == {str(r["id"]) for r in other_halo.truth(table)}, entity
        if entity in ("items", "suppliers"):  # not a client's: the client filter does not apply
            continue
        # Client 1 exists in both instances: the other account sees its own client 1 only.
        params = {"client_id": "1", "include_deleted": "1"}
        expected = {str(r["id"]) for r in other_halo.truth(table) if int(r["client_id"]) == 1}
        seen = {r["halo_id"] for r in csv_rows(other.get(f"/data/{entity}.csv", params=params))}
        assert seen == expected, entity
        assert total(other.get(f"/data/{entity}", params=params).text) == len(expected)
    acme_clients = {r["halo_id"] for r in csv_rows(owner.get("/clients.csv"))}
    assert len(acme_clients) == 66
    assert total(other.get("/data/tickets", params={"client_id": acme_client["id"]}).text) == 0
    their_first = other.get("/clients/1")
    assert next(c["name"] for c in other_halo.truth("clients") if c["id"] == 1) in their_first.text
    their_tickets = {str(t["id"]) for t in other_halo.truth("tickets")}
    acme_ticket = next(t for t in acme.halo.truth("tickets") if str(t["id"]) not in their_tickets)
    found = other.get("/data/tickets", params={"q": acme_ticket["summary"], "status": "all"})
    assert set(ids(table_of(found.text))) <= their_tickets
