"""Writing records into the mirror: new, changed, unchanged, deleted and back again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from psahub.runtime import Runtime
from psahub.store.models import MirrorRecord, utcnow
from psahub.sync.upsert import Scope, tombstone, upsert_records


def _asset(number: int, tag: str = "LAPTOP") -> dict[str, Any]:
    return {"id": number, "inventory_number": f"{tag}-{number}", "client_id": 4, "site_id": 9}


def _rows(runtime: Runtime) -> dict[str, MirrorRecord]:
    with runtime.sessions() as session:
        return {row.halo_id: row for row in session.scalars(select(MirrorRecord))}


def test_new_changed_and_unchanged_records(
    runtime: Runtime, scope_for: Callable[[str], Scope]
) -> None:
    scope = scope_for("assets")
    with runtime.sessions.begin() as session:
        first = upsert_records(session, scope, [_asset(1), _asset(2), _asset(3)], utcnow())
    assert (first.added, first.updated, first.unchanged) == (3, 0, 0)
    assert first.keys == ["1", "2", "3"] and first.known == []
    before = _rows(runtime)
    with runtime.sessions.begin() as session:
        second = upsert_records(
            session, scope, [_asset(1), _asset(2, "DESKTOP"), _asset(4)], utcnow()
        )
    assert (second.added, second.updated, second.unchanged) == (1, 1, 1)
    assert second.known == ["1", "2"]
    after = _rows(runtime)
    assert after["1"].updated_at == before["1"].updated_at  # unchanged: not rewritten
    assert after["2"].name == "DESKTOP-2" and after["2"].updated_at > before["2"].updated_at
    assert after["2"].first_seen_at == before["2"].first_seen_at
    assert (after["4"].client_id, after["4"].site_id) == (4, 9)


def test_a_tombstoned_record_that_is_listed_again_comes_back(
    runtime: Runtime, scope_for: Callable[[str], Scope]
) -> None:
    scope = scope_for("assets")
    with runtime.sessions.begin() as session:
        upsert_records(session, scope, [_asset(1)], utcnow())
        assert tombstone(session, scope, ["1", "99"], utcnow()) == 1
    assert _rows(runtime)["1"].deleted_at is not None
    with runtime.sessions.begin() as session:
        again = upsert_records(session, scope, [_asset(1)], utcnow())
    assert again.updated == 1 and _rows(runtime)["1"].deleted_at is None


def test_parent_ids_are_set_per_record(runtime: Runtime, scope_for: Callable[[str], Scope]) -> None:
    scope = scope_for("actions")
    actions = [
        {"id": 1, "ticket_id": 10, "note": "Called the user"},
        {"id": 1, "ticket_id": 11, "note": "Replaced the toner"},
        {"id": 2, "ticket_id": 12, "note": "Closed"},
    ]
    with runtime.sessions.begin() as session:
        page = upsert_records(session, scope, actions, utcnow(), parent_ids=[10, 11, None])
    assert page.keys == ["10:1", "11:1", "12:2"]
    rows = _rows(runtime)
    assert [rows[k].parent_id for k in page.keys] == [10, 11, 12]  # None: the record's own


def test_an_empty_page_writes_nothing(runtime: Runtime, scope_for: Callable[[str], Scope]) -> None:
    with runtime.sessions.begin() as session:
        page = upsert_records(session, scope_for("assets"), [], utcnow())
    assert (page.added, page.keys) == (0, []) and _rows(runtime) == {}
