"""The sandbox's ASGI app: Halo's URLs for every instance, guarded by limits and faults."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from urllib.parse import parse_qsl

import orjson
from fastapi import FastAPI, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from psahub.sandbox.admin_routes import router as admin_router
from psahub.sandbox.api import handle
from psahub.sandbox.auth import Outcome, issue_token, resolve_token_instance
from psahub.sandbox.instance import Instance
from psahub.sandbox.world import Sandbox


class ConnectionDropped(Exception):
    """Raised after half a response was sent, so the server cuts the connection."""


class DroppedResponse(Response):
    """A response that announces its full length, sends half of it, then breaks off."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the start and half the body, then fail so the connection is dropped."""
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send(
            {
                "type": "http.response.body",
                "body": self.body[: len(self.body) // 2],
                "more_body": True,
            }
        )
        raise ConnectionDropped("connection dropped by fault injection")


def _json(outcome: Outcome, extra: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    headers = {**(outcome.headers or {}), **extra}
    content = b"" if outcome.body is None else orjson.dumps(outcome.body)
    return content, headers


async def guarded(instance: Instance, produce: Callable[[], Outcome]) -> Response:
    """Run one request through the instance's rate limit and faults, then answer it."""
    counters = instance.counters
    if not instance.rate_limit.admit(time.monotonic()):
        counters.events["rate_limited"] += 1
        headers = {}
        if instance.faults.retry_after is not None:
            headers["Retry-After"] = str(instance.faults.retry_after)
        return PlainTextResponse(instance.rate_limit.message(), 429, headers)
    faults = instance.faults
    roll = instance.rng.random() if (faults.error_rate or faults.drop_rate) else 1.0
    if roll < faults.error_rate:
        counters.events["errors_injected"] += 1
        status = (500, 502, 503)[counters.events["errors_injected"] % 3]
        return JSONResponse({"Message": "An error has occurred."}, status)
    if faults.latency_ms:
        await asyncio.sleep(faults.latency_ms / 1000)
    started = time.perf_counter()
    outcome = produce()
    content, headers = _json(outcome, {})
    elapsed = (time.perf_counter() - started) * 1000
    counters.server_ms.append(elapsed)
    headers["Server-Timing"] = f"app;dur={elapsed:.3f}"
    if roll < faults.error_rate + faults.drop_rate:
        counters.events["connections_dropped"] += 1
        return DroppedResponse(content, outcome.status, headers, "application/json")
    return Response(content, outcome.status, headers, "application/json")


def _instance_or_404(sandbox: Sandbox, name: str | None) -> Instance | Response:
    instance = sandbox.instances.get(name) if name else None
    if instance is None:
        return JSONResponse({"Message": f"No Halo instance is served at /{name or ''}."}, 404)
    return instance


async def _api(request: Request, name: str | None, rest: str) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    found = _instance_or_404(sandbox, name or sandbox.default)
    if isinstance(found, Response):
        return found
    body = None
    if request.method == "POST":
        raw = await request.body()
        try:
            body = orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            return JSONResponse({"": "The request body is not valid JSON."}, 400)
    params = {k.lower(): v for k, v in request.query_params.multi_items()}
    root = str(request.base_url).rstrip("/")
    authorization = request.headers.get("authorization")
    return await guarded(
        found,
        lambda: handle(
            sandbox,
            found,
            request.method,
            rest.strip("/").split("/"),
            params,
            authorization,
            body,
            root,
        ),
    )


async def _token(request: Request, name: str | None) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    instance = None
    if name is not None:
        found = _instance_or_404(sandbox, name)
        if isinstance(found, Response):
            return found
        instance = found
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        return JSONResponse(
            {
                "error": "invalid_request",
                "error_description": "The token request must be form-encoded.",
            },
            400,
        )
    form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
    tenant = request.query_params.get("tenant") or form.get("tenant")
    target = resolve_token_instance(sandbox, instance, tenant)
    if isinstance(target, Outcome):
        content, headers = _json(target, {})
        return Response(content, target.status, headers, "application/json")
    authorization = request.headers.get("authorization")
    return await guarded(target, lambda: issue_token(sandbox, target, form, authorization))


def create_app(sandbox: Sandbox | None = None) -> FastAPI:
    """Build the sandbox app around ``sandbox`` (an empty one by default)."""
    app = FastAPI(
        title="psahub HaloPSA sandbox",
        description="A HaloPSA-compatible server. Admin API under /_sandbox; see docs/sandbox.md.",
        docs_url="/_sandbox/docs",
        openapi_url="/_sandbox/openapi.json",
        redoc_url=None,
    )
    app.state.sandbox = sandbox or Sandbox()
    app.include_router(admin_router)
    methods = ["GET", "POST", "DELETE"]

    @app.api_route("/api/{rest:path}", methods=methods, include_in_schema=False)
    async def default_api(request: Request, rest: str) -> Response:
        return await _api(request, None, rest)

    @app.post("/auth/token", include_in_schema=False)
    async def shared_token(request: Request) -> Response:
        return await _token(request, None)

    @app.api_route("/{name}/api/{rest:path}", methods=methods, include_in_schema=False)
    async def instance_api(request: Request, name: str, rest: str) -> Response:
        return await _api(request, name, rest)

    @app.post("/{name}/auth/token", include_in_schema=False)
    async def instance_token(request: Request, name: str) -> Response:
        return await _token(request, name)

    return app
