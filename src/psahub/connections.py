"""Connecting HaloPSA: check the form, run the doctor, store the integration with its secret.

The CLI and the web pages both call these; neither holds any of the rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from psahub.halo.doctor import run_doctor
from psahub.halo.form import ConnectionSettings, FormError, ServerType, validate_form
from psahub.halo.report import Report
from psahub.runtime import Runtime
from psahub.store.models import Account, Integration, utcnow

DEFAULT_ACCOUNT = "default"


@dataclass
class ConnectResult:
    """What happened to a connect attempt."""

    report: Report | None = None
    form_errors: dict[str, str] = field(default_factory=dict)
    integration_id: int | None = None
    settings: ConnectionSettings | None = None

    @property
    def ok(self) -> bool:
        """Connected and stored."""
        return self.integration_id is not None


def ensure_account(session: Session, slug: str, name: str | None = None) -> Account:
    """The account with this slug, created when it does not exist yet."""
    account = session.scalar(select(Account).where(Account.slug == slug))
    if account is None:
        account = Account(slug=slug, name=name or slug)
        session.add(account)
        session.flush()
    return account


def stored_settings(runtime: Runtime, integration: Integration) -> ConnectionSettings:
    """The integration's connection settings with its secret decrypted."""
    secret = runtime.keys.open(integration.secret_ciphertext, integration.secret_context())
    return ConnectionSettings(
        ServerType(integration.server_type),
        integration.client_id,
        secret,
        integration.base_url,
        integration.tenant,
    )


def _existing_secret(runtime: Runtime, account_id: int, integration_id: int | None) -> str:
    if integration_id is None:
        return ""
    with runtime.sessions() as session:
        integration = session.get(Integration, integration_id)
        if integration is None or integration.account_id != account_id:
            return ""
        return stored_settings(runtime, integration).client_secret


def connect(
    runtime: Runtime,
    account_slug: str,
    fields: dict[str, str],
    *,
    keep_secret_of: int | None = None,
    doctor: Callable[..., Report] = run_doctor,
    **doctor_options: Any,
) -> ConnectResult:
    """Check the five fields, prove the connection, and store it when nothing failed.

    An empty Client Secret with ``keep_secret_of`` reuses that integration's stored secret
    (editing other fields). Connecting the same instance again updates its row, so mirrored
    data and mappings stay.
    """
    with runtime.sessions.begin() as session:
        account_id = ensure_account(session, account_slug).id
    secret = fields.get("client_secret", "")
    if not secret.strip() and keep_secret_of is not None:
        secret = _existing_secret(runtime, account_id, keep_secret_of)
    try:
        settings = validate_form(
            fields.get("server_type", ""),
            fields.get("client_id", ""),
            secret,
            fields.get("api_url", ""),
            fields.get("tenant", ""),
        )
    except FormError as error:
        return ConnectResult(form_errors=error.errors)
    report = doctor(settings, runtime.policy, **doctor_options)
    result = ConnectResult(report=report, settings=settings)
    if report.ok:
        result.integration_id = save_integration(runtime, account_id, settings, report)
    return result


def save_integration(
    runtime: Runtime, account_id: int, settings: ConnectionSettings, report: Report
) -> int:
    """Create or update the account's integration for this instance; returns its id."""
    server_type = ServerType.CLOUD if report.server_type == "Cloud" else ServerType.HOSTED
    tenant = report.tenant if server_type is ServerType.CLOUD else ""
    with runtime.sessions.begin() as session:
        integration = session.scalar(
            select(Integration).where(
                Integration.account_id == account_id,
                Integration.base_url == settings.base_url,
                Integration.tenant == tenant,
            )
        )
        if integration is None:
            integration = Integration(
                account_id=account_id, base_url=settings.base_url, tenant=tenant
            )
            session.add(integration)
        integration.server_type = server_type.value
        integration.client_id = settings.client_id
        integration.secret_ciphertext = integration.secret_key_id = ""
        session.flush()  # the secret is bound to the row's id
        integration.secret_ciphertext = runtime.keys.seal(
            settings.client_secret, integration.secret_context()
        )
        integration.secret_key_id = runtime.keys.current_id
        integration.last_report = report.to_json()
        integration.connected_at = utcnow()
        return integration.id


def integrations_of(runtime: Runtime, account_slug: str) -> list[Integration]:
    """The account's integrations, oldest first."""
    with runtime.sessions() as session:
        return list(
            session.scalars(
                select(Integration)
                .join(Account)
                .where(Account.slug == account_slug)
                .order_by(Integration.id)
            )
        )


def recheck(
    runtime: Runtime,
    integration_id: int,
    doctor: Callable[..., Report] = run_doctor,
    **doctor_options: Any,
) -> Report:
    """Run the doctor again for a stored integration and keep its report."""
    with runtime.sessions() as session:
        integration = session.get(Integration, integration_id)
        if integration is None:
            raise LookupError(f"there is no integration {integration_id}")
        settings = stored_settings(runtime, integration)
    report = doctor(settings, runtime.policy, **doctor_options)
    with runtime.sessions.begin() as session:
        stored = session.get(Integration, integration_id)
        if stored is not None:
            stored.last_report = report.to_json()
    return report


def rotate_secrets(runtime: Runtime, progress: Callable[[int, int], None] | None = None) -> int:
    """Re-encrypt every stored secret with the newest key; returns how many were re-sealed."""
    with runtime.sessions.begin() as session:
        rows = list(session.scalars(select(Integration).order_by(Integration.id)))
        for done, integration in enumerate(rows, start=1):
            runtime.keys.open(integration.secret_ciphertext, integration.secret_context())
            integration.secret_ciphertext = runtime.keys.rotate(integration.secret_ciphertext)
            integration.secret_key_id = runtime.keys.current_id
            if progress:
                progress(done, len(rows))
        return len(rows)
