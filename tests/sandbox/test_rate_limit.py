"""Hosted Halo's rolling-window rate limit."""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.helpers import HaloInstance


def test_requests_over_the_window_get_429_with_halos_message(
    make_instance: Callable[..., HaloInstance],
) -> None:
    halo = make_instance(rate_limit={"limit": 5, "window_seconds": 60})
    halo.token()  # the token request counts too
    answers = [halo.get("Client").status_code for _ in range(6)]
    assert answers == [200, 200, 200, 200, 429, 429]
    refused = halo.get("Client")
    assert refused.text == "Rate Limit Reached - 5 Requests per rolling 1 minute window"
    assert "Retry-After" not in refused.headers
    assert halo.counters()["rate_limited"] == 3


def test_default_limit_is_300_per_5_minutes(make_instance: Callable[..., HaloInstance]) -> None:
    halo = make_instance(rate_limit={})
    limit = halo.admin.get(halo.admin_path("/rate-limit")).json()
    assert limit == {"limit": 300, "window_seconds": 300.0, "enabled": True}


def test_the_window_rolls(make_instance: Callable[..., HaloInstance]) -> None:
    halo = make_instance(rate_limit={"limit": 2, "window_seconds": 0.5})
    halo.token()
    assert halo.get("Client").status_code == 200
    assert halo.get("Client").status_code == 429
    time.sleep(0.6)
    assert halo.get("Client").status_code == 200


def test_retry_after_when_configured_and_limit_can_be_changed(
    make_instance: Callable[..., HaloInstance],
) -> None:
    halo = make_instance(rate_limit={"limit": 1, "window_seconds": 60})
    halo.set_faults(retry_after=30)
    halo.token()
    refused = halo.get("Client")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "30"
    halo.admin.put(halo.admin_path("/rate-limit"), json={"enabled": False})
    assert all(halo.get("Client").status_code == 200 for _ in range(5))


def test_each_instance_has_its_own_budget(make_instance: Callable[..., HaloInstance]) -> None:
    first = make_instance(rate_limit={"limit": 2, "window_seconds": 60})
    second = make_instance(rate_limit={"limit": 2, "window_seconds": 60})
    first.token()
    assert first.get("Client").status_code == 200
    assert first.get("Client").status_code == 429
    second.token()
    assert second.get("Client").status_code == 200
