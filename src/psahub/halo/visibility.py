"""The doctor's visibility checks: departments and teams, unassigned and others' tickets."""

from __future__ import annotations

from typing import Any

from psahub.halo import guide
from psahub.halo.client import HaloClient
from psahub.halo.errors import HaloError
from psahub.halo.paging import records_of
from psahub.halo.report import Report, Status

UNASSIGNED_AGENT_ID = 1


def failure(report: Report, key: str, title: str, error: HaloError) -> None:
    """Record a failed check with what HaloPSA said and the fix, if known."""
    report.add(key, title, Status.FAIL, str(error), error.halo_said, error.fix)


class VisibilityChecks:
    """What the API agent can see, compared with what exists."""

    client: HaloClient
    report: Report
    tickets: list[dict[str, Any]]
    me: dict[str, Any]

    # -- visibility ----------------------------------------------------------------------
    def departments(self) -> None:
        """The API agent has View All on every department (and shows all their teams)."""
        title = "View All on every department"
        try:
            me = self.client.get("Agent/me")
            teams, _ = records_of(self.client.get("Team", {"includeinactive": "true"}), None)
        except HaloError as error:
            failure(self.report, "departments", title, error)
            return
        self.me = me if isinstance(me, dict) else {}
        granted = self.me.get("departments")
        if not isinstance(granted, list):
            self.report.add(
                "departments", title, Status.SKIP, "HaloPSA did not list the agent's departments"
            )
            return
        existing = {
            t.get("department_id"): t.get("department_name") or f"#{t.get('department_id')}"
            for t in teams
            if t.get("department_id")
        }
        view_all = {d.get("department_id") for d in granted if d.get("access") == "view_all"}
        missing = [str(name) for dept, name in existing.items() if dept not in view_all]
        if missing:
            self.report.add(
                "departments",
                title,
                Status.FAIL,
                f"The API agent cannot see all tickets of: {', '.join(missing)}",
                f"{len(view_all)} of {len(existing)} departments with View All",
                guide.fix_departments(missing),
            )
            return
        hidden_teams = [
            str(d.get("department_name"))
            for d in granted
            if d.get("department_id") in existing and not d.get("show_all_teams", True)
        ]
        if hidden_teams:
            self.report.add(
                "departments",
                title,
                Status.WARN,
                "View All is set, but not every team is shown for: " + ", ".join(hidden_teams),
                fix=guide.fix_departments(hidden_teams),
            )
            return
        self.report.add(
            "departments", title, Status.PASS, f"View All on all {len(existing)} departments"
        )

    def ticket_visibility(self) -> None:
        """Unassigned tickets and other agents' tickets are visible (judged from a sample)."""
        me = self.me.get("id")
        sample = self.tickets
        if len(sample) < 20:
            self.report.add(
                "visibility",
                "Unassigned and other agents' tickets",
                Status.SKIP,
                f"Only {len(sample)} tickets visible: too few to judge",
            )
            return
        agents = {t.get("agent_id") or UNASSIGNED_AGENT_ID for t in sample}
        self._flag_seen(
            "view_unassigned",
            "Can view Unassigned Tickets",
            UNASSIGNED_AGENT_ID in agents,
            "Unassigned tickets are visible",
            f"None of the {len(sample)} tickets psahub can see is unassigned",
        )
        self._flag_seen(
            "view_others",
            "Can view Tickets that are assigned to other Agents",
            not agents <= {UNASSIGNED_AGENT_ID, me},
            "Other agents' tickets are visible",
            f"None of the {len(sample)} tickets psahub can see belongs to another agent",
        )

    def _flag_seen(self, key: str, flag: str, seen: bool, passed: str, warning: str) -> None:
        """Pass when the sample shows what the role flag allows; else warn with the flag's fix."""
        if seen:
            self.report.add(key, flag, Status.PASS, passed)
        else:
            self.report.add(key, flag, Status.WARN, warning, fix=guide.fix_role_flag(flag))
