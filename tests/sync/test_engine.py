"""Full and incremental sync against the sandbox: equal to the source, entity by entity."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import func, select

from psahub.halo.client import HaloClient
from psahub.halo.errors import HaloError, Problem
from psahub.runtime import Runtime
from psahub.store.models import Integration, MirrorRecord, SyncCheckpoint, SyncRun
from psahub.sync.engine import EntityResult, EntitySync
from psahub.sync.upsert import Scope
from tests.helpers import HaloInstance
from tests.mirroring import SOURCES, MirrorOf
from tests.sync.conftest import ScriptedHalo, server_error


def test_full_sync_equals_the_source(
    make_instance: Callable[..., HaloInstance], mirror_of: MirrorOf
) -> None:
    halo = make_instance(size=350)
    mirror = mirror_of(halo)
    report = mirror.sync()
    assert report.ok and report.health.value == "healthy"
    mirror.assert_matches_source()
    for ticket_id in (t["id"] for t in halo.truth("tickets")[:25]):
        expected = halo.get("Actions", ticket_id=ticket_id).json()["actions"]
        assert mirror.actions_of(ticket_id) == expected
    counts = {r.entity: r.counts for r in report.results}
    assert counts["tickets"]["added"] == 350 and counts["tickets"]["pages"] == 4


def test_typed_columns_are_filled(halo: HaloInstance, mirror_of: MirrorOf) -> None:
    mirror = mirror_of(halo)
    mirror.sync()
    ticket = halo.truth("tickets")[0]
    with mirror.runtime.sessions() as session:
        row = session.scalar(
            select(MirrorRecord).where(
                MirrorRecord.entity == "tickets", MirrorRecord.halo_id == str(ticket["id"])
            )
        )
        assert row is not None
        assert row.name == ticket["summary"] and row.client_id == ticket["client_id"]
        assert row.closed == ticket["hasbeenclosed"] and row.agent_id == ticket["agent_id"]
        assert row.changed_at is not None and row.occurred_at is not None
        site = session.scalar(select(MirrorRecord).where(MirrorRecord.entity == "sites"))
        assert site is not None and isinstance(site.client_id, int)
        contract = session.scalar(select(MirrorRecord).where(MirrorRecord.entity == "contracts"))
        assert contract is not None and contract.amount and contract.amount > 0


def test_second_sync_is_incremental_and_rewrites_nothing(
    halo: HaloInstance, mirror_of: MirrorOf
) -> None:
    mirror = mirror_of(halo)
    mirror.sync()
    second = mirror.sync()
    kinds = {r.entity: r.kind for r in second.results}
    assert kinds["tickets"] == "incremental" and kinds["clients"] == "incremental"
    assert kinds["items"] == "full"  # Halo has no modified-since filter for items
    assert sum(r.counts.get("added", 0) + r.counts.get("updated", 0) for r in second.results) == 0
    assert {r.entity: r.counts["requests"] for r in second.results}["tickets"] == 1


def test_incremental_picks_up_creates_and_updates(halo: HaloInstance, mirror_of: MirrorOf) -> None:
    mirror = mirror_of(halo)
    mirror.sync()
    tickets = halo.mutate("tickets", create=5, update=7)
    clients = halo.mutate("clients", create=2, update=1)
    items = halo.mutate("items", create=1, update=2)
    report = mirror.sync()
    counts = {r.entity: r.counts for r in report.results}
    assert counts["tickets"]["added"] == 5 and counts["tickets"]["updated"] == 7
    assert counts["clients"]["added"] == 2 and counts["clients"]["updated"] >= 1
    assert counts["items"]["added"] == 1 and counts["items"]["updated"] == 2
    assert tickets["created"] and clients["created"] and items["created"]
    mirror.assert_matches_source("tickets", "clients", "sites", "users", "items")
    new_ticket = tickets["created"][0]
    assert mirror.actions_of(new_ticket) == []  # a new ticket has no history yet


def test_deletions_are_tombstoned_by_the_full_reconcile(
    make_instance: Callable[..., HaloInstance], mirror_of: MirrorOf
) -> None:
    halo = make_instance(size=300)
    mirror = mirror_of(halo)
    mirror.sync()
    gone = halo.mutate("tickets", delete=4)["deleted"]
    gone_items = halo.mutate("items", delete=1)["deleted"]
    mirror.sync()  # incremental: tickets cannot show deletions; items are re-read in full
    assert set(mirror.rows("items", deleted=True)) == {str(i) for i in gone_items}
    assert not mirror.rows("tickets", deleted=True)
    report = mirror.sync(full=True)
    assert {r.entity: r.counts["tombstoned"] for r in report.results}["tickets"] == 4
    assert set(mirror.rows("tickets", deleted=True)) == {str(i) for i in gone}
    mirror.assert_matches_source()
    for ticket_id in gone:
        assert mirror.actions_of(ticket_id) == []  # their actions are tombstoned too


def test_mass_delete_guard_refuses_and_reports(halo: HaloInstance, mirror_of: MirrorOf) -> None:
    mirror = mirror_of(halo)
    mirror.sync()
    agent = halo.guide_agent()
    halo.admin.patch(
        halo.admin_path(f"/agents/{agent['id']}"), json={"departments": {"4": "view_all"}}
    )
    report = mirror.sync(full=True, entities=["tickets"])
    [result] = report.results
    assert result.status == "warning" and result.counts["tombstoned"] == 0
    assert len(mirror.rows("tickets")) == len(halo.truth("tickets"))
    assert report.health.value == "degraded"
    with mirror.runtime.sessions() as session:
        run = session.get(SyncRun, result.run_id)
        assert run is not None and run.note and "mass-delete guard" in run.note


def test_inactive_and_closed_records_are_mirrored(
    make_instance: Callable[..., HaloInstance], mirror_of: MirrorOf
) -> None:
    halo = make_instance(size=600)
    mirror = mirror_of(halo)
    mirror.sync()
    expected = {
        "tickets": sum(t["hasbeenclosed"] for t in halo.truth("tickets")),
        "clients": sum(c["inactive"] for c in halo.truth("clients")),
        "users": sum(u["inactive"] for u in halo.truth("users")),
        "assets": sum(a["inactive"] for a in halo.truth("assets")),
        "contracts": sum(not c["active"] for c in halo.truth("contracts")),
    }
    assert expected["tickets"] and expected["clients"] + expected["assets"] > 0
    with mirror.runtime.sessions() as session:
        for entity, count in expected.items():
            flag = MirrorRecord.closed if entity == "tickets" else MirrorRecord.inactive
            found = session.scalar(
                select(func.count())
                .select_from(MirrorRecord)
                .where(MirrorRecord.entity == entity, flag.is_(True))
            )
            assert found == count, entity


def test_preview_marks_the_integration(halo: HaloInstance, mirror_of: MirrorOf) -> None:
    mirror = mirror_of(halo)
    report = mirror.sync()
    assert [r.entity for r in report.results][:6] == [
        "clients",
        "agents",
        "teams",
        "ticket_types",
        "statuses",
        "priorities",
    ]
    with mirror.runtime.sessions() as session:
        integration = session.get(Integration, mirror.integration_id)
        assert integration is not None and integration.preview_ready_at is not None
        assert integration.next_sync_at is not None and integration.next_reconcile_at is not None


def test_records_changed_while_paging_are_not_lost(
    make_instance: Callable[..., HaloInstance], mirror_of: MirrorOf
) -> None:
    halo = make_instance(size=800)
    mirror = mirror_of(halo)
    halo.set_faults(churn={"tickets": {"create": 2, "update": 3, "delete": 1}})
    first = mirror.sync(entities=["tickets"])
    halo.set_faults()
    assert first.ok
    mirror.sync(entities=["tickets"])  # the incremental pass after it
    mirror.sync(full=True, entities=["tickets"])  # and the reconcile
    mirror.assert_matches_source("tickets")


def test_checkpoints_are_cleared_after_a_pass(halo: HaloInstance, mirror_of: MirrorOf) -> None:
    mirror = mirror_of(halo)
    mirror.sync()
    with mirror.runtime.sessions() as session:
        open_passes = session.scalar(
            select(func.count())
            .select_from(SyncCheckpoint)
            .where(SyncCheckpoint.pass_id.is_not(None))
        )
        assert open_passes == 0
        cursors = dict(session.execute(select(SyncCheckpoint.entity, SyncCheckpoint.cursor)).all())
    assert cursors["tickets"] is not None and cursors["items"] is None


def test_every_entity_is_covered() -> None:
    from psahub.halo.entities import BY_NAME

    assert set(SOURCES) | {"actions"} == set(BY_NAME)


def _ticket(number: int) -> dict[str, Any]:
    return {
        "id": number,
        "summary": f"Ticket {number}",
        "client_id": 3,
        "last_update": "2026-11-30T09:00:00",
    }


def _scripted_tickets(count: int, fail_page: int | None = None) -> ScriptedHalo:
    """A Halo with ``count`` tickets that answers 500 once for ``fail_page``."""
    tickets = [_ticket(n) for n in range(1, count + 1)]
    failed: list[int] = []

    def answer(path: str, query: dict[str, Any]) -> Any:
        assert path == "Tickets"
        page = int(query["page_no"])
        if page == fail_page and not failed:
            failed.append(page)
            raise server_error(f"tickets page {page}")
        rows = tickets[(page - 1) * 100 : page * 100]
        return {"record_count": len(tickets), "tickets": rows}

    return ScriptedHalo(answer)


def _pass(runtime: Runtime, scope: Scope, halo: ScriptedHalo, *, full: bool = True) -> EntityResult:
    return EntitySync(runtime.sessions, scope, cast(HaloClient, halo), full=full).run()


def test_a_failure_mid_pass_keeps_the_pages_before_it_and_resumes_after_them(
    runtime: Runtime, scope_for: Callable[[str], Scope]
) -> None:
    scope = scope_for("tickets")
    halo = _scripted_tickets(950, fail_page=4)
    first = _pass(runtime, scope, halo)
    assert first.status == "failed" and first.problem == "server"
    with runtime.sessions() as session:
        checkpoint = session.scalar(select(SyncCheckpoint))
        assert checkpoint is not None and checkpoint.next_page == 4
        assert session.scalar(select(func.count()).select_from(MirrorRecord)) == 300
    halo.calls.clear()
    second = _pass(runtime, scope, halo)
    assert second.status == "succeeded"  # a new run (the failed one stays failed) ...
    assert [int(q["page_no"]) for _p, q in halo.calls] == list(range(4, 11))  # ... from page 4
    assert second.counts["added"] == 650 and second.counts["tombstoned"] == 0
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(MirrorRecord)) == 950
    with runtime.sessions() as session:
        run = session.get(SyncRun, second.run_id)
        assert run is not None and run.note and "resumed at page 4" in run.note


def test_a_reconcile_tombstones_the_gone_and_keeps_the_new(
    runtime: Runtime, scope_for: Callable[[str], Scope]
) -> None:
    """Rows a pass inserts carry no seen mark; the pass's floor keeps them from looking gone."""
    scope = scope_for("tickets")
    assert _pass(runtime, scope, _scripted_tickets(250)).counts["added"] == 250
    # 241-250 deleted, 251-255 new
    tickets = [_ticket(n) for n in [*range(1, 241), *range(251, 256)]]

    def answer(path: str, query: dict[str, Any]) -> Any:
        if path.startswith("Tickets/"):  # the single GET that confirms a deletion
            raise HaloError("no such ticket", Problem.NOT_FOUND, status=404)
        page = int(query["page_no"])
        return {"record_count": len(tickets), "tickets": tickets[(page - 1) * 100 : page * 100]}

    result = _pass(runtime, scope, ScriptedHalo(answer))
    assert result.status == "succeeded"
    assert (result.counts["added"], result.counts["tombstoned"]) == (5, 10)
    with runtime.sessions() as session:
        deleted = set(
            session.scalars(
                select(MirrorRecord.halo_id).where(MirrorRecord.deleted_at.is_not(None))
            )
        )
    assert deleted == {str(n) for n in range(241, 251)}
