"""psahub's Halo client against the sandbox: tokens, retries, rate budget, guard."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from psahub.halo.budget import Limit, RollingWindowBudget
from psahub.halo.client import HaloClient
from psahub.halo.errors import HaloError, Problem
from psahub.security.url_guard import BlockedURL, OutboundPolicy
from tests.halo.conftest import settings_for
from tests.helpers import HaloInstance

ClientFor = Callable[..., HaloClient]


def test_one_token_serves_many_requests(halo: HaloInstance, client_for: ClientFor) -> None:
    client = client_for(halo)
    for _ in range(5):
        client.get("Client")
    assert client.provider.fetches == 1
    assert halo.counters()["tokens_issued"] == 1


def test_discovers_the_shared_auth_server_and_tenant(
    halo: HaloInstance, client_for: ClientFor
) -> None:
    client = client_for(halo)
    assert client.endpoint.discovered
    assert client.endpoint.token_url == f"{halo.root}/auth/token"
    assert client.endpoint.params == {"tenant": halo.credentials["tenant"]}


def test_without_authinfo_derives_the_token_url(halo: HaloInstance, client_for: ClientFor) -> None:
    halo.set_faults(hide_authinfo=True)
    client = client_for(halo)
    assert not client.endpoint.discovered
    assert client.endpoint.token_url == f"{halo.root}/{halo.name}/auth/token"
    assert client.get("Status")


@pytest.mark.parametrize("quirk_400", [False, True])
def test_expired_token_is_renewed_once(
    halo: HaloInstance, client_for: ClientFor, quirk_400: bool
) -> None:
    client = client_for(halo)
    client.get("Client")
    halo.admin.post(halo.admin_path("/tokens/expire"))
    if quirk_400:
        halo.get("Client")  # take the 401, so the client meets Halo's 400
        halo.set_faults(expired_token_400=True)
    assert client.get("Client")
    assert client.provider.fetches == 2


def test_token_is_renewed_before_it_expires(
    make_instance: Callable[..., HaloInstance], client_for: ClientFor
) -> None:
    halo = make_instance(token_lifetime=60)  # inside the 120 s refresh skew
    client = client_for(halo)
    client.get("Client")
    client.get("Client")
    assert client.provider.fetches == 2


def test_server_errors_are_retried(halo: HaloInstance, client_for: ClientFor) -> None:
    client = client_for(halo)
    client.token()
    halo.set_faults(error_rate=0.5)
    for _ in range(10):
        assert isinstance(client.get("Status"), list)
    assert client.stats.retries > 0


def test_persistent_server_errors_fail_with_the_reason(
    halo: HaloInstance, client_for: ClientFor
) -> None:
    client = client_for(halo)
    client.token()
    halo.set_faults(error_rate=1.0)
    with pytest.raises(HaloError) as caught:
        client.get("Status")
    assert caught.value.problem is Problem.SERVER
    assert client.stats.retries == 3


def test_dropped_connections_are_retried_on_reads(
    halo: HaloInstance, client_for: ClientFor
) -> None:
    client = client_for(halo)
    client.token()
    halo.set_faults(drop_rate=0.5)
    for _ in range(10):
        assert isinstance(client.get("Status"), list)


def test_writes_are_not_retried_blindly(halo: HaloInstance, client_for: ClientFor) -> None:
    client = client_for(halo)
    client.token()
    halo.set_faults(drop_rate=1.0)
    before = len(halo.truth("tickets"))
    with pytest.raises(HaloError) as caught:
        client.post("Tickets", [{"summary": "Enable MFA", "client_id": 1}])
    assert caught.value.problem is Problem.UNREACHABLE
    assert len(halo.truth("tickets")) == before + 1  # written once, not twice
    assert client.stats.requests == 3  # authinfo, the token, and one POST


def test_rate_limit_pauses_and_recovers(
    make_instance: Callable[..., HaloInstance], client_for: ClientFor
) -> None:
    halo = make_instance(rate_limit={"limit": 6, "window_seconds": 1})
    # psahub believes the limit is higher than it is, so it meets Halo's 429s.
    client = client_for(halo, limit=Limit(1000, 1))
    for _ in range(15):
        assert client.get("Status")
    assert client.stats.rate_limited > 0
    assert halo.counters()["rate_limited"] == client.stats.rate_limited


def test_budget_keeps_under_the_limit(
    make_instance: Callable[..., HaloInstance], client_for: ClientFor
) -> None:
    halo = make_instance(rate_limit={"limit": 5, "window_seconds": 0.5})
    client = client_for(halo, limit=Limit(5, 0.5))
    for _ in range(12):
        client.get("Status")
    assert client.stats.rate_limited == 0
    assert halo.counters()["rate_limited"] == 0
    assert client.stats.waited_seconds > 0


def test_clients_of_one_instance_share_a_budget(
    make_instance: Callable[..., HaloInstance], client_for: ClientFor
) -> None:
    halo = make_instance(rate_limit={"limit": 5, "window_seconds": 0.5})
    budget = RollingWindowBudget()
    first = client_for(halo, budget=budget, limit=Limit(5, 0.5))
    second = client_for(halo, budget=budget, limit=Limit(5, 0.5))
    for _ in range(6):
        first.get("Status")
        second.get("Status")
    assert halo.counters()["rate_limited"] == 0


def test_retry_after_is_honoured(
    make_instance: Callable[..., HaloInstance], client_for: ClientFor
) -> None:
    halo = make_instance(rate_limit={"limit": 4, "window_seconds": 1})
    halo.set_faults(retry_after=1)
    client = client_for(halo, limit=Limit(1000, 1))
    for _ in range(6):
        assert client.get("Status")
    assert client.stats.rate_limited >= 1
    assert client.stats.waited_seconds >= 0.9 * client.stats.rate_limited
    assert client.transport.pause_for(httpx.Response(429, headers={"Retry-After": "7"})) == 7.0


def test_scope_refusal_is_not_retried(halo: HaloInstance, client_for: ClientFor) -> None:
    halo.set_scopes(["read:tickets", "edit:tickets"])
    client = client_for(halo)
    with pytest.raises(HaloError) as caught:
        client.get("Client")
    assert caught.value.problem is Problem.SCOPE
    assert caught.value.status == 401
    assert client.stats.retries == 0


def test_guard_refuses_before_any_request(halo: HaloInstance) -> None:
    with pytest.raises(BlockedURL, match="PSAHUB_ALLOW_LOOPBACK"):
        HaloClient(settings_for(halo), OutboundPolicy(allow_http=True))
    with pytest.raises(BlockedURL, match="PSAHUB_ALLOW_HTTP"):
        HaloClient(settings_for(halo), OutboundPolicy(allow_loopback=True))


def test_unreachable_instance(client_for: ClientFor, halo: HaloInstance) -> None:
    halo.credentials["api_url"] = "http://127.0.0.1:9/nothing/api"
    client = client_for(halo)
    with pytest.raises(HaloError) as caught:
        client.get("Client")
    assert caught.value.problem is Problem.UNREACHABLE
