"""Halo's quirks, reproduced so that clients meet them here before they meet them live."""

from __future__ import annotations

from tests.helpers import HaloInstance

EMPTY = "1900-01-01T00:00:00"


def test_empty_dates_are_1900(halo: HaloInstance) -> None:
    rows = halo.all_pages("Tickets", "tickets")
    assert rows and all(t["dateclosed"] == EMPTY for t in rows)
    assert all(t["deadlinedate"] == EMPTY for t in rows)


def test_site_client_id_and_user_site_id_are_decimals(halo: HaloInstance) -> None:
    site = halo.get("Site").json()["sites"][0]
    assert isinstance(site["client_id"], float)
    user = halo.get("Users").json()["users"][0]
    assert isinstance(user["site_id"], float) and isinstance(user["site_id_int"], int)


def test_get_says_last_update_and_post_says_lastupdate(halo: HaloInstance) -> None:
    created = halo.post("Tickets", [{"summary": "x", "client_id": 1}]).json()
    fetched = halo.get(f"Tickets/{created['id']}").json()
    assert "lastupdate" in created and "last_update" not in created
    assert "last_update" in fetched and "lastupdate" not in fetched


def test_actions_without_ticket_id_is_a_500(halo: HaloInstance) -> None:
    response = halo.get("Actions")
    assert response.status_code == 500
    assert response.json()["ClassName"] == "System.NullReferenceException"


def test_priorities_have_guid_ids_repeated_per_sla(halo: HaloInstance) -> None:
    rows = halo.get("Priority").json()
    assert all(isinstance(r["id"], str) and len(r["id"]) == 36 for r in rows)
    assert len({r["priorityid"] for r in rows}) < len(rows)
    assert {r["slaid"] for r in rows} == {1, 2}
    one = halo.get(f"Priority/{rows[0]['id']}").json()
    assert one["priorityid"] == rows[0]["priorityid"]


def test_paths_are_case_insensitive(halo: HaloInstance) -> None:
    assert halo.get("tickets").json() == halo.get("Tickets").json()
    assert halo.get("CLIENT").status_code == 200


def test_query_parameter_names_are_case_insensitive(halo: HaloInstance) -> None:
    paged = halo.get("Tickets", Pageinate="True", Page_Size=3).json()
    assert len(paged["tickets"]) == 3


def test_unknown_parameters_are_ignored(halo: HaloInstance) -> None:
    assert halo.get("Client", colour="blue").json() == halo.get("Client").json()
