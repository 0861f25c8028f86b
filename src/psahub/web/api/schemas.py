"""The JSON shapes of ``/api/v1``: what the OpenAPI page documents and the endpoints return.

No model here has a field for an integration's client secret or its ciphertext: the API cannot
leak what it has no way to express.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from psahub.halo.entities import BY_NAME


class Problem(BaseModel):
    """An error: what went wrong and, where it helps, what to do."""

    detail: str = Field(description="What went wrong.")


class RateLimit(BaseModel):
    """How many requests psahub may send the HaloPSA instance in a rolling window."""

    requests: int = Field(description="Requests allowed per window.")
    window_seconds: float = Field(description="The window's length in seconds.")


class EntityCount(BaseModel):
    """How many records of an entity the mirror holds."""

    present: int = Field(description="Records currently in HaloPSA.")
    deleted: int = Field(description="Records tombstoned because HaloPSA no longer has them.")


class Integration(BaseModel):
    """An account's connection to one HaloPSA instance (never its client secret)."""

    id: int
    kind: str = Field(description="The PSA, e.g. `halopsa`.")
    api_url: str = Field(description="The instance's Resource Server URL.")
    server_type: str = Field(description="`cloud` (Halo hosts it) or `hosted`.")
    tenant: str = Field(description="The Halo tenant (cloud instances; empty for hosted).")
    health: str = Field(
        description="never_synced, syncing, healthy, degraded, credentials_invalid, "
        "permission_missing, rate_limited or failing."
    )
    connected_at: datetime
    next_sync_at: datetime | None = Field(description="When the next scheduled sync is due.")
    next_reconcile_at: datetime | None = Field(
        description="When the next full read (which finds deletions) is due."
    )
    preview_ready_at: datetime | None = Field(
        description="When clients and lookups were first mirrored (client mapping can start)."
    )
    sync_every: int = Field(description="Seconds between scheduled syncs.")
    reconcile_every: int = Field(description="Seconds between full reads.")
    rate_limit: RateLimit
    counts: dict[str, EntityCount] = Field(
        description="Mirrored records per entity (entities never synced are absent)."
    )


class ReportSummary(BaseModel):
    """The outcome of the last connection check (the doctor) stored for an integration."""

    ok: bool = Field(description="No check failed (warnings allowed).")
    failed_checks: list[str] = Field(description="The keys of the checks that failed.")


class IntegrationDetail(Integration):
    """An integration with the summary of its last connection check."""

    last_report: ReportSummary | None = Field(
        description="The last check's summary; null when none is stored."
    )


class SyncRun(BaseModel):
    """What one sync of one entity did."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    entity: str
    kind: str = Field(description="`full` or `incremental`.")
    status: str = Field(description="running, succeeded, warning or failed.")
    started_at: datetime
    finished_at: datetime | None
    pages: int
    requests: int = Field(description="Requests sent to HaloPSA.")
    added: int
    updated: int
    unchanged: int
    tombstoned: int = Field(description="Records found deleted in HaloPSA.")
    rate_limited: int = Field(description="429 answers met.")
    retries: int
    record_count: int | None = Field(description="The record count HaloPSA announced, if any.")
    problem: str | None = Field(description="The kind of failure, e.g. `credentials`.")
    error: str | None
    fix: str | None = Field(description="How to fix the failure, in the setup guide's words.")
    note: str | None


class SyncRequest(BaseModel):
    """Which sync to queue."""

    model_config = ConfigDict(extra="forbid")

    full: bool = Field(
        default=False,
        description="Read every record (and find deletions) instead of only what changed.",
    )
    entities: list[str] = Field(
        default_factory=list,
        description="The entities to sync (all when empty); one of: " + ", ".join(BY_NAME) + ".",
    )

    @field_validator("entities")
    @classmethod
    def _known(cls, names: list[str]) -> list[str]:
        unknown = [n for n in names if n not in BY_NAME]
        if unknown:
            raise ValueError(
                f"unknown entity {', '.join(unknown)}; choose from {', '.join(BY_NAME)}"
            )
        return list(dict.fromkeys(names))


class SyncQueued(BaseModel):
    """The job that will run (or is running) the sync."""

    job_id: int
    status: str = Field(description="`queued`, or `running` when a sync was already under way.")
    full: bool = Field(description="Whether the job reads every record.")
    entities: list[str] = Field(description="The entities the job syncs (all when empty).")


class Record(BaseModel):
    """A mirrored Halo record: psahub's typed columns and the record exactly as received."""

    model_config = ConfigDict(from_attributes=True)

    halo_id: str = Field(description='The record\'s key; actions use "<ticket id>:<action id>".')
    deleted_at: datetime | None = Field(description="When psahub found it deleted in HaloPSA.")
    name: str | None
    client_id: int | None
    site_id: int | None
    parent_id: int | None
    agent_id: int | None
    status: str | None
    kind: str | None
    amount: float | None
    occurred_at: datetime | None
    changed_at: datetime | None = Field(description="When HaloPSA last changed the record.")
    inactive: bool
    closed: bool
    first_seen_at: datetime = Field(description="When psahub first mirrored the record.")
    updated_at: datetime = Field(description="When psahub last changed its copy.")
    record: dict[str, Any] = Field(description="The Halo record as HaloPSA sent it.")


class RecordPage(BaseModel):
    """One page of an entity's mirrored records, ordered as psahub stored them."""

    entity: str
    page: int
    page_size: int
    total: int = Field(description="Records matching the filters, on every page.")
    records: list[Record]
