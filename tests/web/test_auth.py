"""Signing in: the first owner, passwords, throttling, CSRF, sessions."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from psahub.runtime import Runtime
from psahub.web.accounts import create_user
from tests.web.conftest import PASSWORD, csrf_of


def test_first_run_asks_for_the_first_owner(web: TestClient) -> None:
    assert (
        web.get("/integrations", follow_redirects=False)
        .headers["location"]
        .startswith("/login?next=")
    )
    assert web.get("/login", follow_redirects=False).headers["location"] == "/setup"
    page = web.get("/setup")
    short = web.post(
        "/setup",
        data={"email": "me@msp.example", "password": "short", "csrf_token": csrf_of(page.text)},
    )
    assert short.status_code == 422 and "at least 10 characters" in short.text
    created = web.post(
        "/setup",
        data={"email": "me@msp.example", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert created.headers["location"] == "/integrations"
    assert web.get("/integrations").status_code == 200
    assert web.get("/setup", follow_redirects=False).headers["location"] == "/login"


def test_wrong_password_then_throttled(web: TestClient, runtime: Runtime) -> None:
    create_user(runtime, "acme", "owner@msp.example", PASSWORD)
    token = csrf_of(web.get("/login").text)
    codes = [
        web.post(
            "/login",
            data={"email": "owner@msp.example", "password": "nope-nope-1", "csrf_token": token},
        ).status_code
        for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]
    again = web.post(
        "/login", data={"email": "owner@msp.example", "password": PASSWORD, "csrf_token": token}
    )
    assert again.status_code == 429 and "Too many failed attempts" in again.text


def test_passwords_are_stored_hashed(runtime: Runtime) -> None:
    from sqlalchemy import text

    create_user(runtime, "acme", "owner@msp.example", PASSWORD)
    with runtime.engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM users")).scalar_one()
    assert PASSWORD not in stored and stored.startswith("$argon2")


def test_forms_need_the_csrf_token(sign_in: Callable[..., TestClient]) -> None:
    client = sign_in()
    assert client.post("/logout", data={}).status_code == 403
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert client.post("/integrations/halopsa", data={"server_type": "Cloud"}).status_code == 403


def test_sign_out_ends_the_session(sign_in: Callable[..., TestClient]) -> None:
    client = sign_in()
    token = csrf_of(client.get("/integrations").text)
    assert (
        client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    assert client.get("/integrations", follow_redirects=False).status_code == 303


def test_next_only_goes_to_our_own_pages(web: TestClient, runtime: Runtime) -> None:
    create_user(runtime, "acme", "owner@msp.example", PASSWORD)
    token = csrf_of(web.get("/login").text)
    response = web.post(
        "/login",
        data={
            "email": "owner@msp.example",
            "password": PASSWORD,
            "next": "https://evil.example/",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/integrations"


def test_htmx_requests_get_a_redirect_header(web: TestClient) -> None:
    response = web.get("/integrations/1/progress", headers={"HX-Request": "true"})
    assert response.status_code == 401 and response.headers["HX-Redirect"] == "/login"
