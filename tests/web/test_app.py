"""The app ``psahub serve`` runs, with the embedded runner in its lifespan."""

from __future__ import annotations

from fastapi.testclient import TestClient

from psahub.runtime import Runtime
from psahub.web.app import create_app


def test_healthz_and_runner_lifecycle(runtime: Runtime) -> None:
    app = create_app(runtime, tick=60)
    with TestClient(app) as client:
        body = client.get("/healthz").json()
        assert body["status"] == "ok" and body["runner"] == "running"
        assert app.state.runner._thread.is_alive()
    assert not app.state.runner._thread.is_alive()


def test_runner_can_be_off(runtime: Runtime) -> None:
    with TestClient(create_app(runtime, run_jobs=False)) as client:
        assert client.get("/healthz").json()["runner"] == "off"
