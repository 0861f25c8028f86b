"""Ticket writes: create, re-assign, change type and status, actions; other resources' writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers import HaloInstance


def _create(halo: HaloInstance, **fields: Any) -> dict[str, Any]:
    body = {"summary": "Enable MFA for 4 users", "details": "From psahub", "client_id": 1, **fields}
    response = halo.post("Tickets", [body])
    assert response.status_code == 201, response.text
    ticket: dict[str, Any] = response.json()
    return ticket


def test_create_returns_the_ticket_with_lastupdate(halo: HaloInstance) -> None:
    ticket = _create(halo, tickettype_id=5, third_party_id_string="psahub:action:42")
    assert ticket["id"] > max(t["id"] for t in halo.truth("opportunities"))
    assert "lastupdate" in ticket and "last_update" not in ticket
    assert ticket["tickettype_name"] == "Security Alert"
    assert ticket["team"] == "SOC"
    assert ticket["status_id"] == 1 and ticket["hasbeenclosed"] is False
    stored = halo.get(f"Tickets/{ticket['id']}").json()
    assert stored["last_update"] == ticket["lastupdate"]
    assert stored["third_party_id_string"] == "psahub:action:42"
    assert halo.counters()["tickets_created"] == 1


def test_created_ticket_shows_up_in_an_incremental_list(halo: HaloInstance) -> None:
    before = halo.all_pages("Tickets", "tickets", includeclosed="true")
    newest = max(t["last_update"] for t in before)
    ticket = _create(halo)
    since = halo.all_pages("Tickets", "tickets", lastupdatefromdate=newest, includeclosed="true")
    assert ticket["id"] in {t["id"] for t in since}


def test_reassign_by_agent_and_team_name(halo: HaloInstance) -> None:
    ticket = _create(halo)
    agent = next(a for a in halo.get("Agent").json() if a["id"] > 1)
    response = halo.post("Tickets", [{"id": ticket["id"], "agent_id": agent["id"], "team": "sOc"}])
    assert response.status_code == 201
    stored = halo.get(f"Tickets/{ticket['id']}").json()
    assert stored["agent_id"] == agent["id"] and stored["agent_name"] == agent["name"]
    assert stored["team"] == "SOC" and stored["department_id"] == 3
    assert stored["dateassigned"] != "1900-01-01T00:00:00"
    assert stored["last_update"] >= ticket["lastupdate"]


def test_change_type_status_priority_and_close(halo: HaloInstance) -> None:
    ticket = _create(halo)
    response = halo.post(
        "Tickets", [{"id": ticket["id"], "tickettype_id": 4, "status_id": 9, "priority_id": 2}]
    )
    assert response.status_code == 201
    stored = halo.get(f"Tickets/{ticket['id']}").json()
    assert (stored["tickettype_id"], stored["status_id"], stored["priority_id"]) == (4, 9, 2)
    assert stored["hasbeenclosed"] is True and stored["dateclosed"] != "1900-01-01T00:00:00"
    halo.post("Tickets", [{"id": ticket["id"], "status_id": 2}])
    reopened = halo.get(f"Tickets/{ticket['id']}").json()
    assert reopened["hasbeenclosed"] is False
    assert reopened["dateclosed"] == "1900-01-01T00:00:00"


def test_batch_create_returns_an_array(halo: HaloInstance) -> None:
    response = halo.post(
        "Tickets", [{"summary": "a", "client_id": 1}, {"summary": "b", "client_id": 2}]
    )
    assert response.status_code == 201
    assert [t["summary"] for t in response.json()] == ["a", "b"]


@pytest.mark.parametrize(
    ("body", "status", "key"),
    [
        ({"client_id": 1}, 400, "[0].summary"),
        ({"summary": "x"}, 400, "[0].client_id"),
        ({"summary": "x", "client_id": 1, "team": "Nobody"}, 400, "[0].team"),
        ({"summary": "x", "client_id": 1, "tickettype_id": 99}, 400, "[0].tickettype_id"),
        ({"summary": "x", "client_id": 1, "agent_id": 9999}, 400, "[0].agent_id"),
        ({"summary": "x", "client_id": 1, "status_id": "open"}, 400, "[0].status_id"),
        ({"summary": "x", "client_id": 99999}, 400, "[0].client_id"),
        ({"id": 99999999, "summary": "x"}, 404, "Message"),
    ],
)
def test_invalid_tickets_are_refused_with_the_field(
    halo: HaloInstance, body: dict[str, Any], status: int, key: str
) -> None:
    count = len(halo.truth("tickets"))
    response = halo.post("Tickets", [body])
    assert response.status_code == status
    assert key in response.json()
    assert len(halo.truth("tickets")) == count


def test_batch_is_all_or_nothing(halo: HaloInstance) -> None:
    count = len(halo.truth("tickets"))
    response = halo.post("Tickets", [{"summary": "ok", "client_id": 1}, {"client_id": 1}])
    assert response.status_code == 400 and "[1].summary" in response.json()
    assert len(halo.truth("tickets")) == count


@pytest.mark.parametrize("body", [{"summary": "x", "client_id": 1}, "text", [1]])
def test_body_must_be_an_array_of_objects(halo: HaloInstance, body: Any) -> None:
    assert halo.post("Tickets", body).status_code == 400


def test_invalid_json_is_a_400(halo: HaloInstance) -> None:
    response = halo.http.post(
        f"{halo.api}/Tickets",
        content=b"[{",
        headers={**halo.headers(), "Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_add_action_with_changes(halo: HaloInstance) -> None:
    ticket = _create(halo)
    missing = halo.post("Actions", [{"ticket_id": ticket["id"], "note": "hello"}])
    assert missing.status_code == 400
    assert missing.json() == {"[0].outcome_id": "An Outcome must be entered for this Action"}
    response = halo.post(
        "Actions",
        [{"ticket_id": ticket["id"], "outcome_id": 7, "note": "Isolated", "new_status": 9}],
    )
    assert response.status_code == 201
    action = response.json()
    assert action["id"] == 1 and action["note"] == "Isolated"
    stored = halo.get(f"Tickets/{ticket['id']}").json()
    assert stored["status_id"] == 9 and stored["hasbeenclosed"] is True
    assert halo.get("Actions", ticket_id=ticket["id"]).json()["actions"] == [action]


def test_delete_ticket(halo: HaloInstance) -> None:
    ticket = _create(halo)
    assert halo.delete(f"Tickets/{ticket['id']}").status_code == 200
    assert halo.get(f"Tickets/{ticket['id']}").status_code == 404
    assert halo.delete(f"Tickets/{ticket['id']}").status_code == 404


def test_other_writes_need_their_edit_scope(halo: HaloInstance) -> None:
    response = halo.post("Client", [{"name": "New Client Ltd"}])
    assert response.status_code == 401
    assert "'edit:customers'" in response.json()["message"]


def test_client_create_update_delete_with_edit_rights(
    make_instance: Callable[..., HaloInstance],
) -> None:
    halo = make_instance()
    halo.set_scopes(["edit:customers"])
    assert halo.post("Client", [{"name": "New Client Ltd"}]).status_code == 403
    halo.set_role({"customers": "modify"})
    created = halo.post("Client", [{"name": "New Client Ltd"}]).json()
    assert created["id"] > 0 and created["alastupdate"]
    updated = halo.post("Client", [{"id": created["id"], "website": "https://new.example"}])
    assert updated.json()["name"] == "New Client Ltd"
    assert updated.json()["website"] == "https://new.example"
    assert halo.post("Client", [{"website": "x"}]).status_code == 400
    assert halo.delete(f"Client/{created['id']}").status_code == 200
    assert halo.get(f"Client/{created['id']}").status_code == 404


def test_lookups_are_read_only(halo: HaloInstance) -> None:
    assert halo.post("Status", [{"name": "Mine"}]).status_code == 405


def test_empty_arrays_are_refused(halo: HaloInstance) -> None:
    assert halo.post("Tickets", []).status_code == 400
    assert halo.post("Actions", []).status_code == 400


def test_action_batch_is_all_or_nothing(halo: HaloInstance) -> None:
    ticket = _create(halo)
    response = halo.post(
        "Actions",
        [
            {"ticket_id": ticket["id"], "outcome_id": 7, "new_status": 9},
            {"ticket_id": ticket["id"], "note": "no outcome"},
        ],
    )
    assert response.status_code == 400
    assert halo.get("Actions", ticket_id=ticket["id"]).json()["actions"] == []
    assert halo.get(f"Tickets/{ticket['id']}").json()["status_id"] == 1


def test_actions_cannot_be_deleted(halo: HaloInstance) -> None:
    ticket = halo.truth("tickets")[0]
    assert halo.delete(f"Actions/1?ticket_id={ticket['id']}").status_code == 405


def test_bad_ticket_id_on_actions_is_a_400(halo: HaloInstance) -> None:
    response = halo.get("Actions", ticket_id="abc")
    assert response.status_code == 400
    assert "ticket_id" in response.json()


def test_posted_opportunities_take_ticket_ids(halo: HaloInstance) -> None:
    halo.set_scopes(["edit:crm", "read:tickets"])
    halo.set_role({"crm": "modify"})
    created = halo.post("Opportunities", [{"summary": "Upsell EDR", "client_id": 1}]).json()
    ticket_ids = {t["id"] for t in halo.truth("tickets")}
    assert created["id"] > max(ticket_ids)
    updated = halo.post("Opportunities", [{"id": str(created["id"]), "oppvalue": 900}])
    assert updated.status_code == 201 and updated.json()["oppvalue"] == 900
