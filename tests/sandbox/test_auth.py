"""Tokens, tenants and bearer checks, as Halo's authorisation server does them."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import httpx
import pytest

from psahub.sandbox.permissions import SEED_GUIDE_SCOPES
from tests.helpers import HaloInstance


def _claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    claims: dict[str, object] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


def test_token_grants_the_guide_scopes_for_scope_all(halo: HaloInstance) -> None:
    response = halo.request_token("all")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert set(body["scope"].split()) == set(SEED_GUIDE_SCOPES)
    assert _claims(body["access_token"])["scope"] == body["scope"]
    assert _claims(body["id_token"])["name"] == "HighGroundAgent"


def test_cloud_token_at_the_shared_auth_server_needs_the_tenant(halo: HaloInstance) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": halo.credentials["client_id"],
        "client_secret": halo.credentials["client_secret"],
        "scope": "all",
    }
    shared = f"{halo.root}/auth/token"
    missing = halo.http.post(shared, data=form)
    assert missing.status_code == 400
    assert "tenant" in missing.json()["error_description"]
    ok = halo.http.post(shared, params={"tenant": halo.credentials["tenant"]}, data=form)
    assert ok.status_code == 200
    resources = halo.http.get(
        f"{halo.api}/Client", headers={"Authorization": f"Bearer {ok.json()['access_token']}"}
    )
    assert resources.status_code == 200


def test_wrong_tenant_is_refused(halo: HaloInstance) -> None:
    response = halo.http.post(
        halo.token_url,
        params={"tenant": "someone-else"},
        data={
            "grant_type": "client_credentials",
            "client_id": halo.credentials["client_id"],
            "client_secret": halo.credentials["client_secret"],
        },
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Tenant 'someone-else' was not found",
    }


def test_self_hosted_instance_ignores_tenant(make_instance: Callable[..., HaloInstance]) -> None:
    halo = make_instance(hosting="self-hosted")
    assert halo.credentials["tenant"] == ""
    assert halo.credentials["server_type"] == "Hosted"
    assert (
        halo.http.post(
            halo.token_url,
            params={"tenant": "anything"},
            data={
                "grant_type": "client_credentials",
                "client_id": halo.credentials["client_id"],
                "client_secret": halo.credentials["client_secret"],
            },
        ).status_code
        == 200
    )
    shared = halo.http.post(f"{halo.root}/auth/token", params={"tenant": halo.name}, data={})
    assert shared.status_code == 400


def test_authinfo_tells_where_tokens_come_from(make_instance: Callable[..., HaloInstance]) -> None:
    cloud = make_instance(tenant="acme-tenant")
    info = cloud.http.get(f"{cloud.api}/authinfo").json()
    assert info["auth_url"] == f"{cloud.root}/auth"
    assert info["tenant_id"] == "acme-tenant"
    hosted = make_instance(hosting="self-hosted")
    info = hosted.http.get(f"{hosted.api}/authinfo").json()
    assert info["auth_url"] == f"{hosted.root}/{hosted.name}/auth"
    assert info["tenant_id"] == ""


@pytest.mark.parametrize(
    ("field", "value"),
    [("client_id", "00000000-0000-0000-0000-000000000000"), ("client_secret", "wrong")],
)
def test_wrong_client_credentials_are_invalid_client(
    halo: HaloInstance, field: str, value: str
) -> None:
    response = halo.request_token(**{field: value})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_regenerated_client_id_invalidates_the_old_one(halo: HaloInstance) -> None:
    old = halo.credentials["client_id"]
    response = halo.admin.patch(
        halo.admin_path("/applications/1"), json={"regenerate_client_id": True}
    )
    new = response.json()["credentials"]["client_id"]
    assert new != old
    assert halo.request_token(client_id=old).status_code == 401
    assert halo.request_token(client_id=new).status_code == 200


def test_unknown_scope_is_invalid_scope(halo: HaloInstance) -> None:
    response = halo.request_token("read:tickets read:actions")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"
    assert "read:actions" in response.json()["error_description"]


def test_scopes_the_application_lacks_are_not_granted(halo: HaloInstance) -> None:
    granted = halo.request_token("read:tickets read:projects admin").json()["scope"].split()
    assert granted == ["read:tickets"]


def test_edit_implies_read(halo: HaloInstance) -> None:
    halo.set_scopes(["edit:tickets"])
    assert halo.request_token("read:tickets").json()["scope"] == "read:tickets"
    halo.token("read:tickets")
    assert halo.get("Tickets").status_code == 200


def test_basic_client_authentication_is_accepted(halo: HaloInstance) -> None:
    response = halo.http.post(
        halo.token_url,
        auth=(halo.credentials["client_id"], halo.credentials["client_secret"]),
        data={"grant_type": "client_credentials", "scope": "all"},
    )
    assert response.status_code == 200


def test_token_request_must_be_form_encoded(halo: HaloInstance) -> None:
    response = halo.http.post(halo.token_url, json={"grant_type": "client_credentials"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_other_grant_types_are_refused(halo: HaloInstance) -> None:
    response = halo.request_token(grant_type="password")
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_disabled_agent_cannot_log_in(halo: HaloInstance) -> None:
    agent = halo.guide_agent()
    halo.admin.patch(halo.admin_path(f"/agents/{agent['id']}"), json={"isdisabled": True})
    assert halo.request_token().json()["error"] == "invalid_client"


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic dXNlcjpwYXNz"])
def test_resource_requests_need_a_valid_bearer(
    halo: HaloInstance, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = halo.http.get(f"{halo.api}/Tickets", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_of_one_instance_is_refused_by_another(
    make_instance: Callable[..., HaloInstance],
) -> None:
    first, second = make_instance(), make_instance()
    token = first.token()
    response = second.http.get(
        f"{second.api}/Tickets", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401


def test_expired_tokens_get_401_then_halos_400(halo: HaloInstance) -> None:
    halo.token()
    assert halo.get("Client").status_code == 200
    assert halo.admin.post(halo.admin_path("/tokens/expire")).json() == {"expired": 1}
    answers = [halo.get("Client") for _ in range(4)]
    assert [r.status_code for r in answers] == [401, 400, 401, 400]
    assert answers[1].json()["error"] == "invalid_token"
    halo.set_faults(expired_token_400=False)
    assert {halo.get("Client").status_code for _ in range(3)} == {401}


def test_token_lifetime_is_configurable(make_instance: Callable[..., HaloInstance]) -> None:
    halo = make_instance(token_lifetime=120)
    assert halo.request_token().json()["expires_in"] == 120


def test_default_instance_is_served_at_the_root(halo: HaloInstance, admin: httpx.Client) -> None:
    default = admin.get("/_sandbox/instances").json()[0]["name"]
    response = admin.get("/api/authinfo")
    assert response.status_code == 200
    assert response.json()["resource_server"].endswith(f"/{default}/api")
