"""``/api/v1`` as a client with an API token uses it: auth, account scoping, records, syncs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from psahub.connections import ensure_account
from psahub.runtime import Runtime
from psahub.store.models import Integration, Job
from psahub.sync.records import parse_date
from psahub.web.accounts import create_api_token
from psahub.web.app import create_app
from tests.helpers import HaloInstance
from tests.mirroring import Mirror, MirrorOf


def token_for(runtime: Runtime, slug: str) -> dict[str, str]:
    """Authorization headers with a new API token of the account ``slug``."""
    with runtime.sessions.begin() as session:
        account_id = ensure_account(session, slug).id
    return {"Authorization": f"Bearer {create_api_token(runtime, account_id, 'tests')}"}


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def api(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime, run_jobs=False)) as client:
        yield client


@pytest.fixture
def acme(runtime: Runtime) -> dict[str, str]:
    return token_for(runtime, "acme")


@pytest.fixture
def synced(halo: HaloInstance, mirror_of: MirrorOf) -> Mirror:
    mirror = mirror_of(halo)
    assert mirror.sync().ok
    return mirror


def all_records(
    api: TestClient, headers: dict[str, str], path: str, page_size: int, **params: Any
) -> tuple[list[dict[str, Any]], int]:
    """Every record of a records endpoint, page by page, and the total each page announced."""
    records: list[dict[str, Any]] = []
    totals: set[int] = set()
    page = 1
    while True:
        body = ok(
            api.get(path, headers=headers, params={"page": page, "page_size": page_size, **params})
        )
        assert body["page"] == page and body["page_size"] == page_size
        totals.add(body["total"])
        records.extend(body["records"])
        if len(body["records"]) < page_size:
            break
        page += 1
    assert len(totals) == 1
    return records, totals.pop()


# -- authentication -------------------------------------------------------------------------


def test_a_token_is_required(api: TestClient, acme: dict[str, str]) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer psh_not-a-real-token"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": acme["Authorization"].replace("Bearer ", "")},
    ):
        response = api.get("/api/v1/integrations", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert isinstance(response.json()["detail"], str)
    missing = api.get("/api/v1/integrations").json()["detail"]
    assert "Authorization: Bearer" in missing
    assert ok(api.get("/api/v1/integrations", headers=acme)) == []
    lower = {"authorization": acme["Authorization"].replace("Bearer", "bearer")}
    assert ok(api.get("/api/v1/integrations", headers=lower)) == []
    unknown = api.post("/api/v1/integrations/1/sync", json={})
    assert unknown.status_code == 401


def test_a_signed_in_session_is_not_an_api_login(
    sign_in: Callable[..., TestClient], halo: HaloInstance, mirror_of: MirrorOf
) -> None:
    integration_id = mirror_of(halo).integration_id
    browser = sign_in()
    assert browser.get("/integrations").status_code == 200  # the session works for pages
    assert browser.get("/api/v1/integrations").status_code == 401
    assert browser.get(f"/api/v1/integrations/{integration_id}").status_code == 401
    assert browser.post(f"/api/v1/integrations/{integration_id}/sync", json={}).status_code == 401


# -- integrations and runs ------------------------------------------------------------------


def test_integrations_list_and_detail(
    api: TestClient, acme: dict[str, str], synced: Mirror
) -> None:
    listed = ok(api.get("/api/v1/integrations", headers=acme))
    assert [i["id"] for i in listed] == [synced.integration_id]
    item = listed[0]
    credentials = synced.halo.credentials
    assert item["kind"] == "halopsa" and item["server_type"] == "cloud"
    assert item["api_url"].rstrip("/") == credentials["api_url"].rstrip("/")
    assert item["tenant"] == credentials["tenant"]
    assert item["health"] == "healthy"
    assert item["connected_at"] and item["next_sync_at"] and item["next_reconcile_at"]
    assert item["rate_limit"] == {"requests": 100_000, "window_seconds": 1.0}
    tickets = synced.halo.truth("tickets")
    assert item["counts"]["tickets"] == {"present": len(tickets), "deleted": 0}
    assert item["counts"]["clients"]["present"] == len(synced.halo.truth("clients"))
    detail = ok(api.get(f"/api/v1/integrations/{synced.integration_id}", headers=acme))
    assert {k: v for k, v in detail.items() if k != "last_report"} == item
    assert detail["last_report"] == {"ok": True, "failed_checks": []}
    assert ok(api.get("/api/v1/integrations/999999", headers=acme), 404)["detail"]


def test_detail_summarises_a_failed_check(
    api: TestClient, acme: dict[str, str], runtime: Runtime, halo: HaloInstance, mirror_of: MirrorOf
) -> None:
    mirror = mirror_of(halo)
    with runtime.sessions.begin() as session:
        integration = session.get(Integration, mirror.integration_id)
        assert integration is not None and integration.last_report is not None
        report = dict(integration.last_report)
        checks = [dict(c) for c in report["checks"]]
        checks[-1]["status"] = "fail"
        integration.last_report = {**report, "ok": False, "checks": checks}
    detail = ok(api.get(f"/api/v1/integrations/{mirror.integration_id}", headers=acme))
    assert detail["last_report"] == {"ok": False, "failed_checks": [checks[-1]["key"]]}
    assert detail["health"] == "never_synced" and detail["counts"] == {}
    with runtime.sessions.begin() as session:
        integration = session.get(Integration, mirror.integration_id)
        assert integration is not None
        integration.last_report = None
    detail = ok(api.get(f"/api/v1/integrations/{mirror.integration_id}", headers=acme))
    assert detail["last_report"] is None


def test_runs_newest_first_filtered_and_limited(
    api: TestClient, acme: dict[str, str], synced: Mirror
) -> None:
    assert synced.sync(entities=["tickets", "items"]).ok
    path = f"/api/v1/integrations/{synced.integration_id}/runs"
    runs = ok(api.get(path, headers=acme))
    ids = [r["id"] for r in runs]
    assert ids == sorted(ids, reverse=True) and len(runs) <= 50
    assert [r["entity"] for r in runs[:2]] == ["items", "tickets"]
    first = runs[0]
    assert first["status"] == "succeeded" and first["finished_at"] and first["started_at"]
    expected = {
        "id", "entity", "kind", "status", "started_at", "finished_at", "pages", "requests",
        "added", "updated", "unchanged", "tombstoned", "rate_limited", "retries",
        "record_count", "problem", "error", "fix", "note",
    }  # fmt: skip
    assert set(first) == expected
    tickets = ok(api.get(path, headers=acme, params={"entity": "tickets"}))
    assert [r["kind"] for r in tickets] == ["incremental", "full"]
    assert tickets[1]["added"] == len(synced.halo.truth("tickets"))
    assert ok(api.get(path, headers=acme, params={"limit": 3})) == runs[:3]
    assert api.get(path, headers=acme, params={"limit": 0}).status_code == 422
    assert api.get(path, headers=acme, params={"limit": 501}).status_code == 422
    [unknown] = ok(api.get(path, headers=acme, params={"entity": "ticket"}), 422)["detail"]
    assert unknown["loc"] == ["query", "entity"]
    assert "unknown entity ticket" in unknown["msg"] and "recurring_invoices" in unknown["msg"]


# -- account isolation ----------------------------------------------------------------------


def test_another_account_sees_none_of_acme(
    api: TestClient, runtime: Runtime, acme: dict[str, str], synced: Mirror
) -> None:
    other = token_for(runtime, "other")
    assert ok(api.get("/api/v1/integrations", headers=other)) == []
    base = f"/api/v1/integrations/{synced.integration_id}"
    for path in (base, f"{base}/runs", f"{base}/records/tickets", f"{base}/records/nothing"):
        body = ok(api.get(path, headers=other), 404)
        assert body == {"detail": "There is no such integration in this account."}
    with runtime.sessions() as session:
        jobs_before = session.scalars(select(Job.id)).all()
    assert api.post(f"{base}/sync", headers=other, json={}).status_code == 404
    with runtime.sessions() as session:
        assert session.scalars(select(Job.id)).all() == jobs_before
    assert ok(api.get(f"{base}/records/tickets", headers=acme))["total"] > 0


# -- records --------------------------------------------------------------------------------


def test_records_pages_match_the_source(
    api: TestClient, acme: dict[str, str], synced: Mirror
) -> None:
    path = f"/api/v1/integrations/{synced.integration_id}/records/tickets"
    truth = {str(t["id"]): t for t in synced.halo.truth("tickets")}
    records, total = all_records(api, acme, path, page_size=7)
    assert total == len(truth) and len(records) == len(truth) > 7
    assert {r["halo_id"] for r in records} == set(truth)
    for row in records:
        source = truth[row["halo_id"]]
        assert row["record"]["id"] == source["id"]
        assert row["record"]["last_update"] == source["last_update"]
        assert row["name"] == source["summary"] and row["client_id"] == source["client_id"]
        assert row["closed"] == source["hasbeenclosed"] and row["deleted_at"] is None
        assert row["changed_at"] is not None
    whole = ok(api.get(path, headers=acme, params={"page_size": 500}))
    assert [r["halo_id"] for r in whole["records"]] == [r["halo_id"] for r in records]
    default = ok(api.get(path, headers=acme))
    assert default["page"] == 1 and default["page_size"] == 100 and default["entity"] == "tickets"
    beyond = ok(api.get(path, headers=acme, params={"page": 1000}))
    assert beyond["records"] == [] and beyond["total"] == len(truth)

    client_id = next(iter(truth.values()))["client_id"]
    theirs, count = all_records(api, acme, path, page_size=5, client_id=client_id)
    expected = {key for key, t in truth.items() if t["client_id"] == client_id}
    assert {r["halo_id"] for r in theirs} == expected and count == len(expected)

    for bad in ({"page": 0}, {"page_size": 0}, {"page_size": 501}, {"changed_since": "soon"}):
        assert api.get(path, headers=acme, params=bad).status_code == 422, bad
    unknown = ok(api.get(path.replace("tickets", "ticket"), headers=acme), 404)
    assert (
        "unknown entity ticket" in unknown["detail"] and "recurring_invoices" in unknown["detail"]
    )
    lookups = ok(
        api.get(f"/api/v1/integrations/{synced.integration_id}/records/statuses", headers=acme)
    )
    assert {r["halo_id"] for r in lookups["records"]} == {
        str(s["id"]) for s in synced.halo.truth("statuses")
    }


def test_changed_since_returns_what_halo_changed(
    api: TestClient, acme: dict[str, str], synced: Mirror
) -> None:
    changed = synced.halo.mutate("tickets", update=3)["updated"]
    assert synced.sync(entities=["tickets"]).ok
    truth = synced.halo.truth("tickets")
    stamps: dict[str, datetime] = {}
    for ticket in truth:
        stamp = parse_date(ticket["last_update"])
        assert stamp is not None
        stamps[str(ticket["id"])] = stamp
    since = min(stamp for key, stamp in stamps.items() if int(key) in changed)
    expected = {key for key, stamp in stamps.items() if stamp >= since}
    assert {str(i) for i in changed} <= expected < set(stamps)
    path = f"/api/v1/integrations/{synced.integration_id}/records/tickets"
    records, total = all_records(api, acme, path, page_size=100, changed_since=since.isoformat())
    assert {r["halo_id"] for r in records} == expected and total == len(expected)
    naive = since.replace(tzinfo=None).isoformat()  # without a zone it is UTC
    assert ok(api.get(path, headers=acme, params={"changed_since": naive}))["total"] == total


def test_include_deleted_after_a_full_sync(
    api: TestClient, acme: dict[str, str], synced: Mirror
) -> None:
    gone = {str(i) for i in synced.halo.mutate("tickets", delete=2)["deleted"]}
    assert len(gone) == 2
    assert synced.sync(full=True, entities=["tickets"]).ok
    path = f"/api/v1/integrations/{synced.integration_id}/records/tickets"
    truth = {str(t["id"]) for t in synced.halo.truth("tickets")}
    live, live_total = all_records(api, acme, path, page_size=100)
    assert {r["halo_id"] for r in live} == truth and live_total == len(truth)
    everything, total = all_records(api, acme, path, page_size=100, include_deleted="true")
    assert total == len(truth) + 2
    tombstoned = {r["halo_id"] for r in everything if r["deleted_at"] is not None}
    assert tombstoned == gone
    listed = ok(api.get("/api/v1/integrations", headers=acme))[0]
    assert listed["counts"]["tickets"] == {"present": len(truth), "deleted": 2}


# -- queueing a sync ------------------------------------------------------------------------


class FakeRunner:
    def __init__(self) -> None:
        self.woken = 0

    def wake(self) -> None:
        self.woken += 1


def test_sync_queues_a_job(
    api: TestClient, runtime: Runtime, acme: dict[str, str], halo: HaloInstance, mirror_of: MirrorOf
) -> None:
    integration_id = mirror_of(halo).integration_id
    runner = FakeRunner()
    app = api.app
    assert isinstance(app, FastAPI)
    app.state.runner = runner
    path = f"/api/v1/integrations/{integration_id}/sync"
    body = {"full": False, "entities": ["tickets", "clients", "tickets"]}
    queued = ok(api.post(path, headers=acme, json=body), 202)
    assert queued["status"] == "queued" and queued["full"] is False
    assert queued["entities"] == ["tickets", "clients"]
    assert runner.woken == 1
    with runtime.sessions() as session:
        job = session.get(Job, queued["job_id"])
        assert job is not None
        assert (job.integration_id, job.kind, job.status) == (integration_id, "sync", "queued")
        assert job.params == {"full": False, "entities": ["tickets", "clients"]}
    again = ok(api.post(path, headers=acme, json={"full": True}), 202)
    assert again["job_id"] == queued["job_id"] and again["full"] is True
    assert again["entities"] == ["tickets", "clients"]
    with runtime.sessions() as session:
        jobs = session.scalars(select(Job).where(Job.integration_id == integration_id)).all()
        assert [j.id for j in jobs] == [queued["job_id"]] and jobs[0].params["full"] is True


def test_sync_without_a_body_and_with_bad_entities(
    api: TestClient, runtime: Runtime, acme: dict[str, str], halo: HaloInstance, mirror_of: MirrorOf
) -> None:
    integration_id = mirror_of(halo).integration_id
    path = f"/api/v1/integrations/{integration_id}/sync"
    for bad in ({"entities": ["tickets", "ticket"]}, {"entities": "tickets"}, {"fast": True}):
        response = api.post(path, headers=acme, json=bad)
        assert response.status_code == 422, bad
    detail = api.post(path, headers=acme, json={"entities": ["ticket"]}).text
    assert "unknown entity ticket" in detail and "recurring_invoices" in detail
    with runtime.sessions() as session:
        assert session.scalars(select(Job.id)).all() == []
    queued = ok(api.post(path, headers=acme), 202)
    assert queued == {"job_id": queued["job_id"], "status": "queued", "full": False, "entities": []}
    assert ok(api.post("/api/v1/integrations/999999/sync", headers=acme, json={}), 404)


# -- secrets and documentation --------------------------------------------------------------


def test_secrets_never_leave_the_api(
    api: TestClient, runtime: Runtime, acme: dict[str, str], synced: Mirror
) -> None:
    secret = synced.halo.credentials["client_secret"]
    with runtime.sessions() as session:
        integration = session.get(Integration, synced.integration_id)
        assert integration is not None
        ciphertext = integration.secret_ciphertext
    assert secret and ciphertext
    base = f"/api/v1/integrations/{synced.integration_id}"
    responses = [
        api.get("/api/v1/integrations", headers=acme),
        api.get(base, headers=acme),
        api.get(f"{base}/runs", headers=acme, params={"limit": 500}),
        api.post(f"{base}/sync", headers=acme, json={"full": True}),
        api.get("/api/openapi.json"),
        *(
            api.get(f"{base}/records/{entity}", headers=acme, params={"page_size": 500})
            for entity in ("clients", "agents", "tickets")
        ),
    ]
    for response in responses:
        assert response.status_code < 300, response.text
        assert secret not in response.text and ciphertext not in response.text
        assert "secret" not in response.text.lower() or response.url.path.endswith("openapi.json")
    detail = responses[1].json()
    assert not {"client_secret", "secret_ciphertext", "secret_key_id"} & set(detail)


def test_openapi_documents_the_api(api: TestClient) -> None:
    spec = ok(api.get("/api/openapi.json"))
    paths = spec["paths"]
    assert set(paths["/api/v1/integrations"]) == {"get"}
    assert set(paths["/api/v1/integrations/{integration_id}"]) == {"get"}
    assert set(paths["/api/v1/integrations/{integration_id}/runs"]) == {"get"}
    assert set(paths["/api/v1/integrations/{integration_id}/sync"]) == {"post"}
    records = paths["/api/v1/integrations/{integration_id}/records/{entity}"]["get"]
    assert records["summary"] and records["description"]
    assert {p["name"] for p in records["parameters"]} >= {
        "page", "page_size", "client_id", "changed_since", "include_deleted",
    }  # fmt: skip
    ok_schema = records["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok_schema["$ref"].endswith("/RecordPage")
    assert "401" in records["responses"] and "404" in records["responses"]
    sync = paths["/api/v1/integrations/{integration_id}/sync"]["post"]
    assert "202" in sync["responses"] and "requestBody" in sync
    schemas = spec["components"]["schemas"]
    assert {"Integration", "IntegrationDetail", "SyncRun", "SyncRequest", "RecordPage"} <= set(
        schemas
    )
    assert not any("secret" in name for name in schemas["IntegrationDetail"]["properties"])
    assert any(s.get("scheme") == "bearer" for s in spec["components"]["securitySchemes"].values())
    assert records["security"]
    assert api.get("/api/docs").status_code == 200
