"""The doctor against every misconfiguration the guide can lead to, each with its own fix."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from psahub.halo import guide
from psahub.halo.budget import RollingWindowBudget
from psahub.halo.doctor import run_doctor
from psahub.halo.report import Report, Status
from psahub.security.url_guard import OutboundPolicy
from tests.halo.conftest import FAST, LOOPBACK, settings_for
from tests.helpers import HaloInstance


def doctor(halo: HaloInstance, policy: OutboundPolicy = LOOPBACK, **fields: str) -> Report:
    return run_doctor(
        settings_for(halo, **fields), policy, retry=FAST, budget=RollingWindowBudget()
    )


def status_of(report: Report, key: str) -> Status:
    check = report.get(key)
    assert check is not None, f"no check {key}: {[c.key for c in report.checks]}"
    return check.status


def summary_of(report: Report, key: str) -> str:
    check = report.get(key)
    assert check is not None, f"no check {key}"
    return check.summary


def fix_of(report: Report, key: str) -> str:
    check = report.get(key)
    assert check is not None and check.fix, f"no fix on {key}"
    return check.fix


def test_the_guides_setup_passes_everything(halo: HaloInstance) -> None:
    report = doctor(halo)
    assert report.ok
    bad = [(c.key, c.status) for c in report.checks if c.status is not Status.PASS]
    assert bad == []
    assert len([c for c in report.checks if c.key.startswith("scope:")]) == 11
    assert len([c for c in report.checks if c.key.startswith("read:")]) == 21


def test_nothing_is_created_or_changed(halo: HaloInstance) -> None:
    before = {t["id"]: t for t in halo.truth("tickets")}
    doctor(halo)
    after = {t["id"]: t for t in halo.truth("tickets")}
    assert after == before
    assert halo.counters()["tickets_created"] == 0
    assert halo.counters()["tickets_updated"] == 0


#: scope -> the read checks it governs
GOVERNS = {
    "read:customers": ["read:clients", "read:sites", "read:users"],
    "read:crm": ["read:opportunities", "read:crm_notes"],
    "read:contracts": ["read:contracts"],
    "read:suppliers": ["read:suppliers"],
    "read:items": ["read:items"],
    "read:quotes": ["read:quotes"],
    "read:invoices": ["read:invoices", "read:recurring_invoices"],
    "read:software": ["read:licences"],
    "read:assets": ["read:assets", "read:asset_types"],
}


@pytest.mark.parametrize("scope", guide.REQUIRED_SCOPES)
def test_each_missing_scope_is_named_with_its_fix(halo: HaloInstance, scope: str) -> None:
    halo.set_scopes([s for s in guide.REQUIRED_SCOPES if s != scope])
    report = doctor(halo)
    fix = fix_of(report, f"scope:{scope}")
    assert scope in fix and "Permissions" in fix and "View Applications" in fix
    if scope == "read:tickets":  # edit:tickets still covers reading
        assert status_of(report, "scope:read:tickets") is Status.WARN
        assert report.ok
        return
    assert status_of(report, f"scope:{scope}") is Status.FAIL
    assert not report.ok
    for key in GOVERNS.get(scope, []):
        assert status_of(report, key) is Status.FAIL
        assert scope in fix_of(report, key)
    if scope == "edit:tickets":
        assert status_of(report, "tickets_modify") is Status.FAIL
        assert "edit:tickets" in fix_of(report, "tickets_modify")


#: sandbox role area -> (read checks that fail, the guide's label in the fix)
AREAS = {
    "tickets": (["read:tickets"], "Tickets Access Level"),
    "customers": (["read:clients", "read:sites"], "Customers/Clients Access Level"),
    "users": (["read:users"], "User Access Level"),
    "crm": (["read:opportunities", "read:crm_notes"], "CRM Access Level"),
    "assets": (["read:assets", "read:licences", "read:asset_types"], "Assets Access Level"),
    "suppliers": (["read:suppliers"], "Suppliers Access Level"),
    "items": (["read:items"], "Products/Items Access Level"),
    "quotes": (["read:quotes"], "Quotations Access Level"),
    "billing": (["read:recurring_invoices"], "Billing Details Access Level"),
    "invoices": (["read:invoices"], "Invoices Access Level"),
    "contracts": (["read:contracts"], "Customer Agreements Access Level"),
}


@pytest.mark.parametrize("area", sorted(AREAS))
def test_each_missing_access_level_is_named_with_its_fix(halo: HaloInstance, area: str) -> None:
    halo.set_role({area: "none"})
    report = doctor(halo)
    keys, label = AREAS[area]
    assert not report.ok
    for key in keys:
        assert status_of(report, key) is Status.FAIL
        fix = fix_of(report, key)
        assert f'"{label}"' in fix and "Roles" in fix and "Read Only" in fix


def test_tickets_read_only_needs_read_and_modify(halo: HaloInstance) -> None:
    halo.set_role({"tickets": "read"})
    report = doctor(halo)
    assert status_of(report, "read:tickets") is Status.PASS
    assert status_of(report, "tickets_modify") is Status.FAIL
    assert '"Tickets Access Level" to "Read and Modify"' in fix_of(report, "tickets_modify")


@pytest.mark.parametrize(
    ("flag", "key", "label", "expected"),
    [
        ("can_add_tickets", "tickets_modify", "Can add new Tickets", Status.FAIL),
        ("can_reassign", "reassign", "Can Re-Assign Tickets", Status.FAIL),
        ("can_change_ticket_type", "change_type", "Can change a Ticket's Ticket Type", Status.FAIL),
        ("can_view_item_costs", "item_costs", "Can View Item Costs", Status.FAIL),
        ("can_view_unassigned", "view_unassigned", "Can view Unassigned Tickets", Status.WARN),
        (
            "can_view_others",
            "view_others",
            "Can view Tickets that are assigned to other Agents",
            Status.WARN,
        ),
    ],
)
def test_each_missing_role_flag_is_named_with_its_fix(
    make_instance: Callable[..., HaloInstance],
    flag: str,
    key: str,
    label: str,
    expected: Status,
) -> None:
    halo = make_instance(size=400)
    halo.set_role(None, **{flag: False})
    report = doctor(halo)
    assert status_of(report, key) is expected
    fix = fix_of(report, key)
    assert f'"{label}" to Yes' in fix and "Roles" in fix
    others = [c.key for c in report.checks if c.status is not Status.PASS and c.key != key]
    assert others == []


@pytest.mark.parametrize("level", ["view_own_teams", None])
def test_agent_without_view_all_on_every_department(halo: HaloInstance, level: str | None) -> None:
    agent = halo.guide_agent()
    departments: dict[str, str] = {"1": "view_all", "2": "view_all"}
    if level:
        departments["3"] = level
    halo.admin.patch(halo.admin_path(f"/agents/{agent['id']}"), json={"departments": departments})
    report = doctor(halo)
    assert status_of(report, "departments") is Status.FAIL
    fix = fix_of(report, "departments")
    assert "Security Operations" in fix and "Sales & Accounts" in fix
    assert '"View All"' in fix and "Departments & Teams" in fix
    assert "Service Desk" not in fix


def test_wrong_secret(halo: HaloInstance) -> None:
    report = doctor(halo, client_secret=halo.credentials["client_secret"][::-1])
    assert status_of(report, "credentials") is Status.FAIL
    assert fix_of(report, "credentials") == guide.FIX_INVALID_CLIENT
    assert [c.key for c in report.checks] == ["url", "server_type", "credentials"]


def test_client_id_changed_when_the_application_was_saved(halo: HaloInstance) -> None:
    halo.admin.patch(halo.admin_path("/applications/1"), json={"regenerate_client_id": True})
    report = doctor(halo)
    assert "can change when the application is first saved" in fix_of(report, "credentials")


def test_wrong_tenant_names_the_right_one(halo: HaloInstance) -> None:
    report = doctor(halo, tenant="somebody-else")
    assert status_of(report, "credentials") is Status.FAIL
    fix = fix_of(report, "credentials")
    assert f"tenant is '{halo.credentials['tenant']}', not 'somebody-else'" in fix
    assert "API Details" in fix


def test_wrong_tenant_without_authinfo(halo: HaloInstance) -> None:
    halo.set_faults(hide_authinfo=True)
    report = doctor(halo, tenant="somebody-else")
    assert status_of(report, "url") is Status.WARN
    assert fix_of(report, "credentials") == guide.FIX_TENANT


def test_hosted_chosen_for_a_cloud_instance_still_connects(halo: HaloInstance) -> None:
    report = doctor(halo, server_type="Hosted", tenant="")
    assert report.ok
    assert status_of(report, "server_type") is Status.WARN
    assert "Cloud" in fix_of(report, "server_type")
    assert report.server_type == "Cloud" and report.tenant == halo.credentials["tenant"]


def test_cloud_chosen_for_a_self_hosted_instance_still_connects(
    make_instance: Callable[..., HaloInstance],
) -> None:
    halo = make_instance(hosting="self-hosted")
    report = doctor(halo, server_type="Cloud", tenant="mytenant")
    assert report.ok
    assert status_of(report, "server_type") is Status.WARN
    assert "'mytenant' is not used" in summary_of(report, "server_type")
    assert report.server_type == "Hosted"


def test_application_not_set_to_client_credentials(halo: HaloInstance) -> None:
    halo.admin.patch(halo.admin_path("/applications/1"), json={"auth_method": "authorization_code"})
    assert fix_of(doctor(halo), "credentials") == guide.FIX_APPLICATION_TYPE


def test_disabled_agent(halo: HaloInstance) -> None:
    agent = halo.guide_agent()
    halo.admin.patch(halo.admin_path(f"/agents/{agent['id']}"), json={"isdisabled": True})
    assert fix_of(doctor(halo), "credentials") == guide.FIX_AGENT_DISABLED


@pytest.mark.parametrize(
    "pasted",
    [
        "{root}/{name}/api",
        "{root}/{name}/api/",
        "  {root}/{name}/api  ",
        "{root}/{name}",
        "{root}/{name}/",
        "{root}/{name}/api/Tickets",
        "{root}/{name}/auth",
        "{host}/{name}/api",
    ],
)
def test_url_pasted_in_every_common_form(halo: HaloInstance, pasted: str) -> None:
    root = halo.root
    url = pasted.format(root=root, name=halo.name, host=root.removeprefix("http://"))
    if pasted.startswith("{host}"):
        # Without a scheme psahub assumes https, which the sandbox does not speak.
        report = doctor(halo, api_url=url)
        assert status_of(report, "url") is Status.FAIL
        assert "http://" in fix_of(report, "url")
        return
    report = doctor(halo, api_url=url)
    assert report.ok, [(c.key, c.summary) for c in report.failures]
    assert report.api_url == f"{root}/{halo.name}/api"


def test_url_of_something_that_is_not_halo(halo: HaloInstance) -> None:
    report = doctor(halo, api_url=f"{halo.root}/not-an-instance/api")
    assert status_of(report, "credentials") is Status.FAIL
    assert fix_of(report, "credentials") == guide.FIX_API_URL


def test_unreachable_url() -> None:
    from psahub.halo.form import validate_form

    settings = validate_form(
        "Cloud", "3f1c2b7a-0000-4000-8000-000000000001", "x" * 40, "http://127.0.0.1:9/api", "t"
    )
    report = run_doctor(settings, LOOPBACK, retry=FAST, budget=RollingWindowBudget())
    assert status_of(report, "url") is Status.FAIL
    assert "Cannot reach HaloPSA" in summary_of(report, "url")
    assert fix_of(report, "url") == guide.FIX_API_URL


def test_loopback_refused_unless_allowed(halo: HaloInstance) -> None:
    report = doctor(halo, policy=OutboundPolicy(allow_http=True))
    assert status_of(report, "url") is Status.FAIL
    assert "PSAHUB_ALLOW_LOOPBACK" in fix_of(report, "url")
    assert halo.counters()["requests_total"] == 0


def test_report_as_json(halo: HaloInstance) -> None:
    data = doctor(halo).to_json()
    assert data["ok"] is True
    assert data["api_url"].endswith(f"/{halo.name}/api")
    assert {c["status"] for c in data["checks"]} == {"pass"}
    assert halo.credentials["client_secret"] not in str(data)
