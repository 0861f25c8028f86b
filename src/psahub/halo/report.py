"""The doctor's report: one line per check, with evidence and the fix in the guide's words."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """The result of one check."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


@dataclass
class Check:
    """One line of the report."""

    key: str
    title: str
    status: Status
    summary: str
    evidence: str = ""
    fix: str | None = None


@dataclass
class Report:
    """Everything the doctor found, in order."""

    checks: list[Check] = field(default_factory=list)
    api_url: str = ""
    server_type: str = ""
    tenant: str = ""

    def add(
        self,
        key: str,
        title: str,
        status: Status,
        summary: str,
        evidence: str = "",
        fix: str | None = None,
    ) -> Check:
        """Append a check and return it."""
        check = Check(key, title, status, summary, evidence, fix)
        self.checks.append(check)
        return check

    @property
    def ok(self) -> bool:
        """True when nothing failed (warnings allowed)."""
        return not any(c.status is Status.FAIL for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        """The failed checks."""
        return [c for c in self.checks if c.status is Status.FAIL]

    def get(self, key: str) -> Check | None:
        """The check with this key, if it ran."""
        return next((c for c in self.checks if c.key == key), None)

    def to_json(self) -> dict[str, Any]:
        """The report as plain data (for ``--json`` and the web page)."""
        return {
            "ok": self.ok,
            "api_url": self.api_url,
            "server_type": self.server_type,
            "tenant": self.tenant,
            "checks": [{**asdict(c), "status": c.status.value} for c in self.checks],
        }
