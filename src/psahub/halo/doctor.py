"""The permission doctor: proves a HaloPSA connection and every permission the guide sets.

Every check reads; none creates or changes anything in HaloPSA. Where a write permission has
to be proven, the doctor sends a write that HaloPSA must reject as invalid after its
permission checks, so the answer shows the permission without changing a record.
"""

from __future__ import annotations

from typing import Any

import httpx

from psahub.halo import guide
from psahub.halo.client import HaloClient, RetryPolicy
from psahub.halo.entities import ENTITIES, TICKETS, Entity, entity
from psahub.halo.errors import HaloError, Problem, TokenError
from psahub.halo.form import ConnectionSettings, ServerType
from psahub.halo.paging import records_of, with_fix
from psahub.halo.report import Report, Status
from psahub.halo.visibility import UNASSIGNED_AGENT_ID, VisibilityChecks, failure
from psahub.security.url_guard import BlockedURL, OutboundPolicy

_EMPTY_DATE_PREFIX = "1900-01-01"


class Doctor(VisibilityChecks):
    """Runs the checks against one connection and fills a :class:`Report`."""

    def __init__(self, client: HaloClient, report: Report) -> None:
        self.client = client
        self.report = report
        self.tickets: list[dict[str, Any]] = []
        self.me: dict[str, Any] = {}

    # -- connection --------------------------------------------------------------------
    def reach(self) -> bool:
        """The URL answers like HaloPSA, and server type and tenant agree with it."""
        settings = self.client.settings
        try:
            endpoint = self.client.endpoint
        except HaloError as error:
            self.report.add(
                "url",
                "Api Domain Url answers",
                Status.FAIL,
                f"Cannot reach HaloPSA at {settings.api_url}: {error}",
                fix=error.fix or guide.FIX_API_URL,
            )
            return False
        if endpoint.discovered:
            self.report.add(
                "url",
                "Api Domain Url answers",
                Status.PASS,
                f"{settings.api_url} answers like a HaloPSA instance",
                f"authinfo: tokens from {endpoint.token_url}",
            )
        else:
            self.report.add(
                "url",
                "Api Domain Url answers",
                Status.WARN,
                f"{settings.api_url} does not offer /authinfo; trying tokens at "
                f"{endpoint.token_url}",
                fix=None,
            )
        self._server_type(settings, endpoint.server_type, endpoint.server_tenant)
        return True

    def _server_type(
        self, settings: ConnectionSettings, server: ServerType | None, server_tenant: str
    ) -> None:
        title = "Server Type and Tenant Id"
        if server is None:
            self.report.add(
                "server_type",
                title,
                Status.SKIP,
                "The instance did not say how it is hosted; using the form's choice",
            )
            return
        chosen = settings.server_type
        if server is ServerType.CLOUD and chosen is ServerType.HOSTED:
            self.report.add(
                "server_type",
                title,
                Status.WARN,
                f"This HaloPSA is hosted by Halo (Cloud, tenant '{server_tenant}'), not Hosted; "
                "psahub connected it as Cloud",
                fix="Choose Server Type: Cloud when you edit this integration.",
            )
        elif server is ServerType.HOSTED and chosen is ServerType.CLOUD:
            extra = f"; the Tenant Id '{settings.tenant}' is not used" if settings.tenant else ""
            self.report.add(
                "server_type",
                title,
                Status.WARN,
                f"This HaloPSA runs on its own server (Hosted), not in Halo's cloud{extra}",
                fix="Choose Server Type: Hosted and leave Tenant Id empty when you edit this "
                "integration.",
            )
        elif server is ServerType.CLOUD and not settings.tenant:
            self.report.add(
                "server_type",
                title,
                Status.PASS,
                f"Cloud instance; tenant '{server_tenant}' read from the instance",
            )
        else:
            self.report.add(
                "server_type", title, Status.PASS, f"{server.label} instance, as chosen"
            )
        self.report.server_type = server.label
        self.report.tenant = self.client.endpoint.tenant

    def credentials(self) -> bool:
        """Client Id, Client Secret and tenant are accepted."""
        try:
            token = self.client.token()
        except TokenError as error:
            failure(self.report, "credentials", "Client Id and Client Secret", error)
            return False
        except HaloError as error:
            self.report.add(
                "credentials",
                "Client Id and Client Secret",
                Status.FAIL,
                f"The token request failed: {error}",
                fix=guide.FIX_API_URL,
            )
            return False
        self.report.add(
            "credentials",
            "Client Id and Client Secret",
            Status.PASS,
            "HaloPSA issued an access token",
            f"granted: {' '.join(sorted(token.scopes)) or '(not listed)'}",
        )
        self._scopes(token.scopes, token.scope_listed)
        return True

    def _scopes(self, granted: frozenset[str], listed: bool) -> None:
        for scope in guide.REQUIRED_SCOPES:
            key, title = f"scope:{scope}", f"Application permission {scope}"
            if not listed:
                self.report.add(
                    key,
                    title,
                    Status.SKIP,
                    "HaloPSA did not list granted permissions; checked by reading",
                )
            elif scope in granted:
                self.report.add(key, title, Status.PASS, f"{scope} is granted")
            elif scope.startswith("read:") and "edit:" + scope[5:] in granted:
                self.report.add(
                    key,
                    title,
                    Status.WARN,
                    f"{scope} is not ticked, though edit:{scope[5:]} covers it",
                    fix=guide.fix_scope(scope),
                )
            else:
                self.report.add(
                    key, title, Status.FAIL, f"{scope} is not granted", fix=guide.fix_scope(scope)
                )

    # -- reading -----------------------------------------------------------------------
    def read(self, item: Entity) -> None:
        """One small read of an entity proves its scope and role permission."""
        key, title = f"read:{item.name}", f"Read {item.label}"
        params: dict[str, Any] = {**item.params}
        if item.per_ticket:
            if not self.tickets:
                self.report.add(key, title, Status.SKIP, "No ticket visible to read actions of")
                return
            params["ticket_id"] = self.tickets[0]["id"]
        elif item.paged:
            params.update(
                pageinate="true", page_size=100 if item.name == "tickets" else 1, page_no=1
            )
        try:
            body = self.client.get(item.path, params)
        except HaloError as error:
            failure(self.report, key, title, with_fix(item, error))
            return
        rows, count = records_of(body, item.key)
        if item.name == "tickets":
            self.tickets = rows
        total = count if count is not None else len(rows)
        self.report.add(
            key, title, Status.PASS, f"{item.label}: {total} visible", f"GET {item.path}"
        )
        if item.cost_fields and item.name == "items":
            self._costs(rows, item)

    def _costs(self, rows: list[dict[str, Any]], item: Entity) -> None:
        title = "Can View Item Costs"
        if not rows:
            self.report.add(
                "item_costs",
                title,
                Status.WARN,
                "No items to check costs on; checked again on the first sync",
            )
            return
        costs = [row.get(f) for row in rows for f in item.cost_fields]
        if all(value is None for value in costs):
            self.report.add(
                "item_costs",
                title,
                Status.FAIL,
                "Item costs come back empty: the role cannot view item costs",
                f"{', '.join(item.cost_fields)} are null",
                guide.fix_role_flag("Can View Item Costs", "Billing Permissions"),
            )
        else:
            self.report.add("item_costs", title, Status.PASS, "Item costs are visible")

    # -- ticket permissions ------------------------------------------------------------
    def _probe(self, key: str, title: str, body: dict[str, Any], flag: str | None) -> None:
        """Send a ticket write HaloPSA must refuse as invalid; read the permission off it."""
        try:
            answer = self.client.post("Tickets", [body])
        except HaloError as error:
            said = error.halo_said
            if error.problem is Problem.BAD_REQUEST:
                self.report.add(
                    key,
                    title,
                    Status.PASS,
                    "Allowed",
                    "checked with a write HaloPSA rejects as invalid, so nothing "
                    f"changed (HaloPSA said: {said})",
                )
            elif error.problem is Problem.SCOPE:
                self.report.add(
                    key,
                    title,
                    Status.FAIL,
                    "edit:tickets is not granted",
                    said,
                    guide.fix_scope("edit:tickets"),
                )
            elif error.problem is Problem.PERMISSION and flag and flag.lower() in said.lower():
                self.report.add(
                    key,
                    title,
                    Status.FAIL,
                    f'The role lacks "{flag}"',
                    said,
                    guide.fix_role_flag(flag),
                )
            elif error.problem is Problem.PERMISSION:
                self.report.add(
                    key,
                    title,
                    Status.FAIL,
                    "The role cannot modify tickets",
                    said,
                    guide.fix_role_access(TICKETS, "Read and Modify"),
                )
            else:
                failure(self.report, key, title, error)
            return
        self.report.add(
            key,
            title,
            Status.WARN,
            "HaloPSA accepted a write it should have refused; check the ticket",
            str(answer)[:200],
        )

    def ticket_writes(self) -> None:
        """Tickets Read and Modify, Can add new Tickets, Can Re-Assign, Can change Ticket Type."""
        self._probe(
            "tickets_modify",
            "Tickets Read and Modify, Can add new Tickets",
            {"summary": "", "client_id": 0},
            "Can add new Tickets",
        )
        open_ticket = next((t for t in self.tickets if not t.get("hasbeenclosed")), None)
        if open_ticket is None:
            for key, title in (
                ("reassign", "Can Re-Assign Tickets"),
                ("change_type", "Can change a Ticket's Ticket Type"),
            ):
                self.report.add(key, title, Status.SKIP, "No open ticket visible to check on")
            return
        agents = self._lookup("Agent")
        other_agent = next(
            (
                a["id"]
                for a in agents
                if a.get("id") not in (UNASSIGNED_AGENT_ID, open_ticket.get("agent_id"))
                and not a.get("is_api_only")
            ),
            None,
        )
        types = self._lookup("TicketType")
        other_type = next(
            (t["id"] for t in types if t.get("id") != open_ticket.get("tickettype_id")), None
        )
        invalid = {"id": open_ticket["id"], "client_id": -1}
        if other_agent is not None:
            self._probe(
                "reassign",
                "Can Re-Assign Tickets",
                {**invalid, "agent_id": other_agent},
                "Can Re-Assign Tickets",
            )
        if other_type is not None:
            self._probe(
                "change_type",
                "Can change a Ticket's Ticket Type",
                {**invalid, "tickettype_id": other_type},
                "Can change a Ticket's Ticket Type",
            )

    def _lookup(self, path: str) -> list[dict[str, Any]]:
        try:
            rows, _ = records_of(self.client.get(path), None)
        except HaloError:
            return []
        return rows


def run_doctor(
    settings: ConnectionSettings,
    policy: OutboundPolicy,
    *,
    retry: RetryPolicy | None = None,
    transport: httpx.BaseTransport | None = None,
    **client_options: Any,
) -> Report:
    """Check a connection end to end and return the report; never raises for Halo's answers."""
    report = Report(
        api_url=settings.api_url, server_type=settings.server_type.label, tenant=settings.tenant
    )
    try:
        client = HaloClient(
            settings,
            policy,
            retry=retry or RetryPolicy(attempts=2),
            transport=transport,
            **client_options,
        )
    except BlockedURL as error:
        report.add("url", "Api Domain Url answers", Status.FAIL, str(error), fix=str(error))
        return report
    with client:
        doctor = Doctor(client, report)
        if not (doctor.reach() and doctor.credentials()):
            return report
        doctor.read(entity("tickets"))
        for item in ENTITIES:
            if item.name != "tickets":
                doctor.read(item)
        doctor.ticket_writes()
        doctor.departments()
        doctor.ticket_visibility()
    return report
