"""The actions pass: one request per stale ticket, written in batches, failures deferred."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pytest
from sqlalchemy import select, update

from psahub.halo.budget import RollingWindowBudget
from psahub.halo.client import HaloClient
from psahub.store.models import Integration, MirrorRecord
from psahub.sync import actions as actions_module
from psahub.sync.actions import sync_actions
from psahub.sync.engine import EntityResult
from psahub.sync.service import make_client
from tests.halo.conftest import FAST
from tests.helpers import HaloInstance
from tests.mirroring import Mirror, MirrorOf
from tests.sync.conftest import server_error


class Interfering:
    """The real client, except that some tickets' actions fail or come back edited."""

    def __init__(
        self,
        client: HaloClient,
        *,
        failing: Callable[[int], bool] = lambda _ticket: False,
        edit: Callable[[int, list[dict[str, Any]]], list[dict[str, Any]]] | None = None,
    ) -> None:
        self.client, self.failing, self.edit = client, failing, edit
        self.stats = client.stats

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        ticket = int((params or {}).get("ticket_id", 0))
        if path == "Actions" and self.failing(ticket):
            raise server_error(f"the actions of ticket {ticket}")
        body = self.client.get(path, params)
        if path == "Actions" and self.edit is not None:
            body["actions"] = self.edit(ticket, body["actions"])
        return body


def _run(
    mirror: Mirror,
    progress: Callable[[int, int], None] | None = None,
    **interference: Any,
) -> EntityResult:
    runtime = mirror.runtime
    with runtime.sessions() as session:
        integration = session.get(Integration, mirror.integration_id)
        assert integration is not None
        account_id = integration.account_id
        client = make_client(runtime, integration, budget=RollingWindowBudget(), retry=FAST)
    with client:
        halo = cast(HaloClient, Interfering(client, **interference)) if interference else client
        return sync_actions(
            runtime.sessions, account_id, mirror.integration_id, halo, progress=progress
        )


WithTickets = Callable[[int], tuple[HaloInstance, Mirror]]


@pytest.fixture
def with_tickets(make_instance: Callable[..., HaloInstance], mirror_of: MirrorOf) -> WithTickets:
    """An instance of ``size`` tickets, connected, with its tickets (not actions) mirrored."""

    def make(size: int) -> tuple[HaloInstance, Mirror]:
        halo = make_instance(size=size)
        mirror = mirror_of(halo)
        mirror.sync(entities=["tickets"])
        return halo, mirror

    return make


def _unread(mirror: Mirror) -> set[int]:
    """Tickets whose actions are not read for their current version."""
    with mirror.runtime.sessions() as session:
        return {
            int(key)
            for key, digest, marker in session.execute(
                select(
                    MirrorRecord.halo_id,
                    MirrorRecord.content_hash,
                    MirrorRecord.actions_synced_for,
                ).where(MirrorRecord.entity == "tickets")
            )
            if marker != digest
        }


def test_actions_equal_the_source_and_are_read_once_per_stale_ticket(
    with_tickets: WithTickets,
) -> None:
    halo, mirror = with_tickets(230)  # several batches, and a read-ahead window that wraps
    halo.admin.delete(halo.admin_path("/counters"))
    mirror.sync(entities=["actions"])
    assert halo.counters()["requests"]["GET Actions"] == 230
    for ticket in halo.truth("tickets"):
        expected = halo.get("Actions", ticket_id=ticket["id"]).json()["actions"]
        assert mirror.actions_of(ticket["id"]) == expected
    changed = halo.mutate("tickets", update=3)["updated"]
    mirror.sync(entities=["tickets"])
    halo.admin.delete(halo.admin_path("/counters"))
    mirror.sync(entities=["actions"])
    assert halo.counters()["requests"]["GET Actions"] == len(changed)
    assert not _unread(mirror)


def test_tickets_that_cannot_be_read_now_are_tried_again_next_time(
    with_tickets: WithTickets,
) -> None:
    halo, mirror = with_tickets(120)
    broken = {t["id"] for t in halo.truth("tickets")[::40]}
    result = _run(mirror, failing=lambda ticket: ticket in broken)
    assert result.status == "warning" and result.counts["tickets"] == 120 - len(broken)
    assert _unread(mirror) == broken
    halo.admin.delete(halo.admin_path("/counters"))
    again = _run(mirror)
    assert again.status == "succeeded" and again.counts["tickets"] == len(broken)
    assert halo.counters()["requests"]["GET Actions"] == len(broken)
    assert not _unread(mirror)


def test_tickets_read_before_a_failing_last_one_are_written(with_tickets: WithTickets) -> None:
    _halo, mirror = with_tickets(30)
    with mirror.runtime.sessions() as session:
        oldest = session.scalar(
            select(MirrorRecord.halo_id)
            .where(MirrorRecord.entity == "tickets")
            .order_by(MirrorRecord.changed_at.asc(), MirrorRecord.id.asc())
        )
    assert oldest is not None  # the pass reads it last
    result = _run(mirror, failing=lambda ticket: ticket == int(oldest))
    assert result.status == "warning" and result.counts["tickets"] == 29
    assert _unread(mirror) == {int(oldest)}


def test_a_failing_halo_stops_the_pass_and_keeps_what_was_read(with_tickets: WithTickets) -> None:
    _halo, mirror = with_tickets(200)
    with mirror.runtime.sessions() as session:
        newest_first = [
            int(key)
            for key in session.scalars(
                select(MirrorRecord.halo_id)
                .where(MirrorRecord.entity == "tickets")
                .order_by(MirrorRecord.changed_at.desc(), MirrorRecord.id.desc())
            )
        ]
    readable = set(newest_first[:60])  # then Halo starts failing for good
    result = _run(mirror, failing=lambda ticket: ticket not in readable)
    assert result.status == "failed" and result.problem == "server"
    assert result.counts["tickets"] == 60  # stored, though the last batch was not full
    assert _unread(mirror) == set(newest_first[60:])


def test_a_pass_where_nothing_can_be_read_fails(with_tickets: WithTickets) -> None:
    halo, mirror = with_tickets(12)  # fewer tickets than it takes to stop in the middle
    assert len(halo.truth("tickets")) < actions_module.STOP_AFTER
    result = _run(mirror, failing=lambda _ticket: True)
    assert result.status == "failed" and result.counts["tickets"] == 0
    assert result.error and "HaloPSA failed" in result.error


def test_actions_a_ticket_no_longer_lists_are_tombstoned(
    make_instance: Callable[..., HaloInstance], mirror_of: MirrorOf
) -> None:
    halo = make_instance(size=60)
    mirror = mirror_of(halo)
    mirror.sync(entities=["tickets", "actions"])
    ticket = next(t["id"] for t in halo.truth("tickets") if len(mirror.actions_of(t["id"])) >= 2)
    dropped = mirror.actions_of(ticket)[0]["id"]
    with mirror.runtime.sessions.begin() as session:
        session.execute(
            update(MirrorRecord)
            .where(MirrorRecord.entity == "tickets", MirrorRecord.halo_id == str(ticket))
            .values(actions_synced_for=None)
        )

    def without_first(of: int, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [r for r in rows if not (of == ticket and r["id"] == dropped)]

    result = _run(mirror, edit=without_first)
    assert result.status == "succeeded" and result.counts["tombstoned"] == 1
    assert dropped not in {r["id"] for r in mirror.actions_of(ticket)}
    assert f"{ticket}:{dropped}" in mirror.rows("actions", deleted=True)


def test_a_slow_halo_gets_its_tickets_written_as_they_come(with_tickets: WithTickets) -> None:
    """Under a rate limit a batch would take minutes to fill; a stop must not lose it."""
    halo, mirror = with_tickets(80)
    halo.set_faults(latency_ms=100)  # 4 workers: at most 40 tickets a second
    written: list[int] = []
    result = _run(mirror, progress=lambda tickets, _records: written.append(tickets))
    assert result.status == "succeeded" and written[-1] == 80
    assert written[0] < actions_module.BATCH  # written after about a second, not a full batch
