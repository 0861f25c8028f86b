"""The seed journey in a real browser: sign in, Connect HaloPSA, first sync, clients listed."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from psahub.halo.guide import REQUIRED_SCOPES
from psahub.runtime import Runtime
from psahub.web.accounts import create_user
from tests.helpers import HaloInstance

PASSWORD = "correct horse battery"
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _sign_in(page: Page, app_url: str, email: str) -> None:
    page.goto(f"{app_url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Integrations")).to_be_visible()


def _fill_connect(page: Page, values: dict[str, str]) -> None:
    page.get_by_role("button", name="Connect").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Server Type").select_option(values["server_type"])
    dialog.get_by_label("Client Id").fill(values["client_id"])
    dialog.get_by_label("Client Secret").fill(values["client_secret"])
    dialog.get_by_label("Api Domain Url").fill(values["api_url"])
    dialog.get_by_label("Tenant Id").fill(values["tenant"])
    dialog.get_by_role("button", name="Continue").click()


def test_the_whole_seed_journey(
    page: Page,
    app_url: str,
    runtime: Runtime,
    make_instance: Callable[..., HaloInstance],
    shots: Path,
) -> None:
    halo = make_instance(size=120)
    create_user(runtime, "acme", "owner@msp.example", PASSWORD)
    _sign_in(page, app_url, "owner@msp.example")
    page.screenshot(path=str(shots / "integrations.png"), full_page=True)
    _fill_connect(page, halo.credentials)
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("HaloPSA is connected")).to_be_visible(timeout=20_000)
    page.screenshot(path=str(shots / "connect-checklist.png"), full_page=True)
    dialog.get_by_role("link", name="Open the integration").click()
    expect(page.locator("#progress .badge.health")).to_have_text("healthy", timeout=60_000)
    page.screenshot(path=str(shots / "integration.png"), full_page=True)
    page.goto(f"{app_url}/clients")
    first_client = next(c for c in halo.truth("clients") if not c["inactive"])
    expect(page.get_by_text(first_client["name"]).first).to_be_visible()
    page.screenshot(path=str(shots / "clients.png"), full_page=True)
    page.goto(f"{app_url}/data/tickets")
    expect(page.get_by_role("table")).to_be_visible()
    page.screenshot(path=str(shots / "tickets.png"), full_page=True)


@pytest.mark.parametrize("problem", ["wrong secret", "missing scope", "no department access"])
def test_each_misconfiguration_shows_its_fix_in_the_dialog(
    page: Page,
    app_url: str,
    runtime: Runtime,
    make_instance: Callable[..., HaloInstance],
    problem: str,
    shots: Path,
) -> None:
    halo = make_instance()
    values = dict(halo.credentials)
    expected = ""
    if problem == "wrong secret":
        values["client_secret"] = values["client_secret"][::-1]
        expected = "Details tab"
    elif problem == "missing scope":
        halo.set_scopes([s for s in REQUIRED_SCOPES if s != "read:assets"])
        expected = "tick read:assets"
    else:
        agent = halo.guide_agent()
        halo.admin.patch(
            halo.admin_path(f"/agents/{agent['id']}"), json={"departments": {"1": "view_all"}}
        )
        expected = "Departments & Teams"
    create_user(runtime, "acme", "owner@msp.example", PASSWORD)
    _sign_in(page, app_url, "owner@msp.example")
    _fill_connect(page, values)
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("HaloPSA is not connected yet")).to_be_visible(timeout=20_000)
    expect(dialog.get_by_text(re.compile(re.escape(expected))).first).to_be_visible()
    if problem == "missing scope":
        page.screenshot(path=str(shots / "connect-missing-scope.png"), full_page=True)
    # What was typed is still there, except the secret.
    expect(dialog.get_by_label("Client Id")).to_have_value(values["client_id"])
    expect(dialog.get_by_label("Client Secret")).to_have_value("")


def test_another_account_cannot_open_this_accounts_pages(
    page: Page, app_url: str, runtime: Runtime, halo: HaloInstance
) -> None:
    create_user(runtime, "acme", "owner@msp.example", PASSWORD)
    create_user(runtime, "else", "someone@else.example", PASSWORD)
    _sign_in(page, app_url, "owner@msp.example")
    _fill_connect(page, halo.credentials)
    expect(page.get_by_role("dialog").get_by_text("HaloPSA is connected")).to_be_visible(
        timeout=20_000
    )
    page.get_by_role("dialog").get_by_role("link", name="Open the integration").click()
    url = page.url
    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, app_url, "someone@else.example")
    response = page.goto(url)
    assert response is not None and response.status == 404
    expect(page.get_by_text("There is no such integration in your account.")).to_be_visible()
