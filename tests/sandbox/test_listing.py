"""Lists as Halo serves them: envelopes, the 100-row cap, filters and ordering."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers import HaloInstance

ENVELOPES = [
    ("Tickets", "tickets"),
    ("Opportunities", "tickets"),
    ("Client", "clients"),
    ("Site", "sites"),
    ("Users", "users"),
    ("ClientContract", "contracts"),
    ("Supplier", "suppliers"),
    ("Item", "items"),
    ("Quotation", "quotes"),
    ("Invoice", "invoices"),
    ("RecurringInvoice", "invoices"),
    ("SoftwareLicence", "licences"),
    ("Asset", "assets"),
    ("TopLevel", "tree"),
]
BARE = ["TicketType", "Status", "Priority", "Team", "Agent", "AssetType", "SLA", "Service"]


@pytest.fixture(scope="module")
def big(request: pytest.FixtureRequest) -> Iterator[HaloInstance]:
    """A 3,000-ticket instance shared by the read-only tests of this module."""
    admin = request.getfixturevalue("admin")
    server = request.getfixturevalue("sandbox_server")
    name = "listing"
    response = admin.post(
        "/_sandbox/instances", json={"name": name, "size": 3000, "rate_limit": {"enabled": False}}
    )
    assert response.status_code == 201, response.text
    instance = HaloInstance(server.url, name, response.json()["credentials"], admin)
    yield instance
    admin.delete(f"/_sandbox/instances/{name}")


@pytest.mark.parametrize(("path", "key"), ENVELOPES)
def test_envelope_keys(big: HaloInstance, path: str, key: str) -> None:
    body = big.get(path, pageinate="true", page_size=5).json()
    assert set(body) == {"page_no", "page_size", "record_count", key}
    assert body["record_count"] >= len(body[key]) > 0


@pytest.mark.parametrize("path", BARE)
def test_lookups_are_bare_arrays(big: HaloInstance, path: str) -> None:
    body = big.get(path).json()
    assert isinstance(body, list) and body


def test_agent_list_uses_results_when_paged(big: HaloInstance) -> None:
    body = big.get("Agent", pageinate="true", page_size=5).json()
    assert len(body["results"]) == 5
    assert body["record_count"] == len(big.get("Agent").json())


def test_pages_are_silently_capped_at_100(big: HaloInstance) -> None:
    body = big.get("Tickets", pageinate="true", page_size=1000, includeclosed="true").json()
    assert len(body["tickets"]) == 100
    assert body["page_size"] == 100
    assert body["record_count"] == len(big.truth("tickets"))


def test_paging_by_short_page_returns_every_ticket_once(big: HaloInstance) -> None:
    rows = big.all_pages("Tickets", "tickets", includeclosed="true")
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    assert set(ids) == {t["id"] for t in big.truth("tickets")}


def test_unpaged_lists_return_count_rows(big: HaloInstance) -> None:
    body = big.get("Tickets", count=7, includeclosed="true").json()
    assert len(body["tickets"]) == 7
    assert body["record_count"] == 7
    default = big.get("Tickets", includeclosed="true").json()
    assert len(default["tickets"]) == 100


def test_tickets_default_to_open_only(big: HaloInstance) -> None:
    truth = big.truth("tickets")
    open_rows = big.all_pages("Tickets", "tickets")
    closed_rows = big.all_pages("Tickets", "tickets", closed_only="true")
    assert all(not t["hasbeenclosed"] for t in open_rows)
    assert all(t["hasbeenclosed"] for t in closed_rows)
    assert len(open_rows) + len(closed_rows) == len(truth)
    assert len(big.all_pages("Tickets", "tickets", open_only="true")) == len(open_rows)


@pytest.mark.parametrize(
    ("path", "key", "entity", "field"),
    [
        ("Tickets", "tickets", "tickets", "last_update"),
        ("Client", "clients", "clients", "alastupdate"),
        ("Site", "sites", "sites", "slastupdate"),
        ("Users", "users", "users", "ulastupdate"),
        ("Asset", "assets", "assets", "dlastupdate"),
        ("Opportunities", "tickets", "opportunities", "last_update"),
    ],
)
def test_lastupdatefromdate_filters_where_halo_has_it(
    big: HaloInstance, path: str, key: str, entity: str, field: str
) -> None:
    truth = big.truth(entity)
    stamps = sorted(r[field] for r in truth)
    cutoff = stamps[len(stamps) // 2]
    extra = {"includeclosed": "true", "includeinactive": "true"}
    rows = big.all_pages(path, key, lastupdatefromdate=cutoff, **extra)
    assert rows and all(r[field] >= cutoff for r in rows)
    assert len(rows) == sum(1 for s in stamps if s >= cutoff)
    zone_less = cutoff.replace("Z", "")
    assert len(big.all_pages(path, key, lastupdatefromdate=zone_less, **extra)) == len(rows)
    upto = big.all_pages(path, key, lastupdatetodate=cutoff, **extra)
    assert all(r[field] <= cutoff for r in upto)


def test_lastupdatefromdate_is_ignored_where_halo_lacks_it(big: HaloInstance) -> None:
    everything = big.all_pages("Item", "items", includeinactive="true")
    since = big.all_pages("Item", "items", includeinactive="true", lastupdatefromdate="2099-01-01")
    assert since == everything


def test_bad_date_is_a_400_naming_the_parameter(big: HaloInstance) -> None:
    response = big.get("Tickets", lastupdatefromdate="yesterday")
    assert response.status_code == 400
    assert "lastupdatefromdate" in response.json()


@pytest.mark.parametrize(
    ("path", "key", "entity", "field", "inactive"),
    [
        ("Client", "clients", "clients", "inactive", True),
        ("Users", "users", "users", "inactive", True),
        ("Asset", "assets", "assets", "inactive", True),
        ("ClientContract", "contracts", "contracts", "active", False),
        ("SoftwareLicence", "licences", "licences", "is_active", False),
    ],
)
def test_inactive_records_only_with_includeinactive(
    big: HaloInstance, path: str, key: str, entity: str, field: str, inactive: bool
) -> None:
    truth = big.truth(entity)
    active = big.all_pages(path, key)
    both = big.all_pages(path, key, includeinactive="true")
    only = big.all_pages(path, key, includeinactive="true", includeactive="false")
    assert all(r[field] != inactive for r in active)
    assert all(r[field] == inactive for r in only) and only
    assert len(both) == len(truth) == len(active) + len(only)


def test_client_id_and_search_filters(big: HaloInstance) -> None:
    client = big.truth("clients")[3]
    sites = big.get("Site", client_id=client["id"], includeinactive="true").json()["sites"]
    assert sites and all(int(s["client_id"]) == client["id"] for s in sites)
    word = client["name"].split()[0].lower()
    found = big.all_pages("Client", "clients", search=word, includeinactive="true")
    assert found and all(word in c["name"].lower() for c in found)
    assert big.get("Site", client_id="abc").status_code == 400


def test_order_and_orderdesc(big: HaloInstance) -> None:
    rows = big.get("Client", pageinate="true", order="name", orderdesc="true").json()["clients"]
    names = [r["name"].lower() for r in rows]
    assert names == sorted(names, reverse=True)


def test_single_get_and_404(big: HaloInstance) -> None:
    client = big.truth("clients")[0]
    assert big.get(f"Client/{client['id']}").json()["name"] == client["name"]
    missing = big.get("Client/999999")
    assert missing.status_code == 404
    assert big.get("NoSuchThing").status_code == 404


def test_list_rows_lack_detail_fields(big: HaloInstance) -> None:
    row = big.get("Tickets", pageinate="true", page_size=1).json()["tickets"][0]
    assert "status_name" not in row and "tickettype_name" not in row
    assert row["customfields"] is None
    detail = big.get(f"Tickets/{row['id']}").json()
    assert detail["status_name"] and detail["tickettype_name"]
    assert detail["customfields"] == []


def test_invoice_lines_only_with_includelines_or_detail(big: HaloInstance) -> None:
    row = big.get("Invoice", pageinate="true", page_size=1).json()["invoices"][0]
    assert "lines" not in row
    with_lines = big.get("Invoice", pageinate="true", page_size=1, includelines="true").json()
    assert with_lines["invoices"][0]["lines"]
    assert big.get(f"Invoice/{row['id']}").json()["lines"]


def test_actions_of_a_ticket(big: HaloInstance) -> None:
    ticket = big.truth("tickets")[10]
    body = big.get("Actions", ticket_id=ticket["id"]).json()
    assert body["record_count"] == len(body["actions"]) >= 1
    assert [a["id"] for a in body["actions"]] == list(range(1, len(body["actions"]) + 1))
    assert all(a["ticket_id"] == ticket["id"] for a in body["actions"])
    first = big.get("Actions/1", ticket_id=ticket["id"]).json()
    assert first == body["actions"][0]


def test_crm_notes_come_in_an_envelope_without_paging(big: HaloInstance) -> None:
    body = big.get("CRMNote").json()
    assert body["record_count"] == len(body["crmnotes"]) == len(big.truth("crm_notes"))


def test_includeactive_false_alone_returns_nothing(big: HaloInstance) -> None:
    assert big.get("Client", includeactive="false", pageinate="true").json()["clients"] == []


def test_page_size_below_one_means_one(big: HaloInstance) -> None:
    assert len(big.get("Client", pageinate="true", page_size=0).json()["clients"]) == 1
