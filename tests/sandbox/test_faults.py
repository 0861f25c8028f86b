"""Injected faults: server errors, dropped connections, latency and records changing mid-paging."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.helpers import HaloInstance


def test_error_rate_answers_5xx(halo: HaloInstance) -> None:
    halo.token()
    halo.set_faults(error_rate=1.0)
    statuses = {halo.get("Client").status_code for _ in range(6)}
    assert statuses == {500, 502, 503}
    assert halo.counters()["errors_injected"] == 6


def test_drop_rate_cuts_the_connection_mid_body(halo: HaloInstance) -> None:
    halo.token()
    halo.set_faults(drop_rate=1.0)
    with pytest.raises(httpx.RemoteProtocolError):
        halo.get("Client")
    assert halo.counters()["connections_dropped"] == 1
    halo.set_faults()
    assert halo.get("Client").status_code == 200


def test_partial_fault_rates_mix_with_success(halo: HaloInstance) -> None:
    halo.token()
    halo.set_faults(error_rate=0.3)
    statuses = [halo.get("Status").status_code for _ in range(60)]
    assert 200 in statuses and any(s >= 500 for s in statuses)


def test_latency_delays_responses(halo: HaloInstance) -> None:
    halo.token()
    halo.set_faults(latency_ms=150)
    started = time.perf_counter()
    halo.get("Status")
    assert time.perf_counter() - started >= 0.15


def test_churn_changes_records_while_a_client_pages(halo: HaloInstance) -> None:
    before = {t["id"] for t in halo.truth("tickets")}
    halo.set_faults(churn={"tickets": {"create": 2, "update": 1, "delete": 1}})
    first = halo.get("Tickets", pageinate="true", page_size=10, includeclosed="true")
    assert first.status_code == 200
    after = {t["id"] for t in halo.truth("tickets")}
    assert len(after - before) == 2 and len(before - after) == 1
    assert halo.counters()["events"]["churn_changes"] == 4


def test_server_timing_header_and_counters(halo: HaloInstance) -> None:
    response = halo.get("Tickets", pageinate="true", page_size=100)
    assert response.headers["Server-Timing"].startswith("app;dur=")
    counters = halo.counters()
    assert counters["requests"]["GET Tickets"] == 1
    assert counters["server_ms"]["count"] >= 2  # the token and the list
    assert counters["tokens_issued"] == 1
    halo.admin.delete(halo.admin_path("/counters"))
    assert halo.counters()["requests_total"] == 0


def test_authinfo_can_be_hidden(halo: HaloInstance) -> None:
    halo.set_faults(hide_authinfo=True)
    assert halo.http.get(f"{halo.api}/authinfo").status_code == 404
    assert halo.request_token().status_code == 200
