"""A signed-in browser session against the app, for page tests."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from psahub.runtime import Runtime
from psahub.web.accounts import Role, create_user
from psahub.web.app import create_app

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token a page carries."""
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def web(runtime: Runtime) -> Iterator[TestClient]:
    """A client of the app (the runner off: tests run jobs themselves)."""
    with TestClient(create_app(runtime, run_jobs=False)) as client:
        yield client


@pytest.fixture
def sign_in(runtime: Runtime) -> Iterator[Callable[..., TestClient]]:
    """Create a user in an account and return a signed-in client for them."""
    clients: list[TestClient] = []

    def make(
        email: str = "owner@msp.example", account: str = "acme", role: Role = Role.OWNER
    ) -> TestClient:
        create_user(runtime, account, email, PASSWORD, role)
        client = TestClient(create_app(runtime, run_jobs=False))
        client.__enter__()
        clients.append(client)
        token = csrf_of(client.get("/login").text)
        response = client.post(
            "/login",
            data={"email": email, "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
