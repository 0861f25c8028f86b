"""The /_sandbox admin API: instances, permissions, mutations and validation."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.helpers import HaloInstance


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "Bad Name"}, "lowercase"),
        ({"name": "api"}, "not one of"),
        ({"name": "sized", "size": "huge"}, "size must be one of"),
        ({"name": "sized", "size": 0}, "between 1 and"),
    ],
)
def test_bad_instances_are_refused_with_a_reason(
    admin: httpx.Client, body: dict[str, object], message: str
) -> None:
    response = admin.post("/_sandbox/instances", json=body)
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_names_and_tenants_are_unique(make_instance: Callable[..., HaloInstance]) -> None:
    halo = make_instance(tenant="shared")
    again = halo.admin.post("/_sandbox/instances", json={"name": halo.name})
    assert again.status_code == 422 and "already exists" in again.json()["detail"]
    clash = halo.admin.post("/_sandbox/instances", json={"name": "other1", "tenant": "SHARED"})
    assert clash.status_code == 422 and "tenant" in clash.json()["detail"]


def test_new_instance_is_set_up_as_the_seed_guide_says(halo: HaloInstance) -> None:
    details = halo.details()
    role = details["roles"][0]
    assert role["name"] == "HighGroundAgentRole"
    assert role["access"]["tickets"] == "modify"
    assert all(level == "read" for area, level in role["access"].items() if area != "tickets")
    assert all(role["flags"].values())
    agent = halo.guide_agent()
    assert agent["is_api_only"] and agent["name"] == "HighGroundAgent"
    assert len(agent["departments"]) == len(details["departments"])
    app = details["applications"][0]
    assert app["auth_method"] == "client_credentials" and app["login_type"] == "agent"
    assert len(app["scopes"]) == 11
    assert app["credentials"] == halo.credentials


def test_mutations_create_update_delete_and_stamp(halo: HaloInstance) -> None:
    before = {t["id"]: t for t in halo.truth("tickets")}
    response = halo.admin.post(
        halo.admin_path("/mutations"),
        json={"entity": "tickets", "create": 3, "update": 2, "delete": 1},
    )
    assert response.status_code == 200
    changes = response.json()
    after = {t["id"]: t for t in halo.truth("tickets")}
    assert set(changes["created"]) == set(after) - set(before)
    assert set(changes["deleted"]) == set(before) - set(after)
    newest = max(t["last_update"] for t in before.values())
    for key in changes["updated"] + changes["created"]:
        assert after[key]["last_update"] > newest
    assert all(not after[k]["hasbeenclosed"] for k in changes["created"])


@pytest.mark.parametrize(
    "entity",
    [
        "clients",
        "sites",
        "users",
        "contracts",
        "suppliers",
        "items",
        "quotes",
        "invoices",
        "recurring_invoices",
        "licences",
        "assets",
        "opportunities",
        "crm_notes",
    ],
)
def test_every_mirrored_entity_can_be_mutated(halo: HaloInstance, entity: str) -> None:
    before = len(halo.truth(entity))
    response = halo.admin.post(
        halo.admin_path("/mutations"), json={"entity": entity, "create": 2, "update": 1}
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["created"]) == 2
    assert len(halo.truth(entity)) == before + 2


def test_unknown_permissions_and_scopes_are_refused(halo: HaloInstance) -> None:
    bad_role = halo.admin.put(halo.admin_path("/roles/1"), json={"access": {"tix": "read"}})
    assert bad_role.status_code == 422 and "tix" in bad_role.json()["detail"]
    bad_scope = halo.admin.patch(halo.admin_path("/applications/1"), json={"scopes": ["nope"]})
    assert bad_scope.status_code == 422
    bad_entity = halo.admin.post(halo.admin_path("/mutations"), json={"entity": "statuses"})
    assert bad_entity.status_code == 422
    bad_agent = halo.admin.patch(halo.admin_path("/applications/1"), json={"agent_id": 999})
    assert bad_agent.status_code == 422
    bad_team = halo.admin.patch(halo.admin_path("/agents/2"), json={"team_ids": [999]})
    assert bad_team.status_code == 422


def test_new_department_is_not_visible_until_granted(halo: HaloInstance) -> None:
    dept = halo.admin.post(halo.admin_path("/departments"), json={"name": "NOC"}).json()
    team = halo.admin.post(
        halo.admin_path("/teams"), json={"name": "NOC Team", "department_id": dept["id"]}
    ).json()
    ticket = halo.post("Tickets", [{"summary": "x", "client_id": 1, "team": "NOC Team"}]).json()
    assert ticket["team_id"] == team["id"]
    assert halo.get(f"Tickets/{ticket['id']}").status_code == 404
    me = halo.guide_agent()
    halo.admin.patch(halo.admin_path(f"/agents/{me['id']}"), json={"departments": "all"})
    assert halo.get(f"Tickets/{ticket['id']}").status_code == 200


def test_second_application_for_another_agent(halo: HaloInstance) -> None:
    agent = halo.admin.post(halo.admin_path("/agents"), json={"name": "Reader", "role_ids": [1]})
    assert agent.status_code == 201
    app = halo.admin.post(
        halo.admin_path("/applications"),
        json={"agent_id": agent.json()["id"], "scopes": ["read:customers"]},
    )
    assert app.status_code == 201
    creds = app.json()["credentials"]
    token = halo.http.post(
        halo.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
            "scope": "all",
        },
    ).json()
    assert token["scope"] == "read:customers"


def test_delete_instance(admin: httpx.Client, make_instance: Callable[..., HaloInstance]) -> None:
    halo = make_instance()
    assert admin.delete(halo.admin_path()).status_code == 204
    assert admin.get(halo.admin_path()).status_code == 404
    assert halo.http.get(f"{halo.api}/authinfo").status_code == 404
