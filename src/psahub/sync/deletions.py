"""Finding deletions at the end of a full pass, carefully.

Halo has no "deleted since" feed: a record is gone when a full read no longer returns it.
Offset paging makes that unreliable on its own (a deletion earlier in the list shifts later
rows back across a page boundary, so a survivor can be skipped), so every record missing
from a paged pass is checked with a single GET before it is tombstoned. And a pass that
would tombstone most of an entity is refused: that is far likelier to be a permission change
or a Halo incident than a real mass deletion.
"""

from __future__ import annotations

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session, sessionmaker

from psahub.halo.client import HaloClient
from psahub.halo.errors import HaloError, Problem
from psahub.store.models import MirrorRecord, SyncSeen, utcnow
from psahub.sync.upsert import Scope, tombstone, upsert_records

#: A pass may not tombstone more than this share of an entity (with at least GUARD_MIN rows).
GUARD_RATIO = 0.5
GUARD_MIN = 10
#: At most this many missing records are checked one by one per pass.
VERIFY_CAP = 200


def _missing(
    session: Session, scope: Scope, pass_id: str, floor: int | None
) -> tuple[list[str], int]:
    active = (
        MirrorRecord.integration_id == scope.integration_id,
        MirrorRecord.entity == scope.entity.name,
        MirrorRecord.deleted_at.is_(None),
    )
    seen = exists().where(SyncSeen.pass_id == pass_id, SyncSeen.halo_id == MirrorRecord.halo_id)
    # Rows above the floor were inserted by this pass, so it saw them (they carry no mark).
    older = () if floor is None else (MirrorRecord.id <= floor,)
    missing = list(session.scalars(select(MirrorRecord.halo_id).where(*active, *older, ~seen)))
    total = session.scalar(select(func.count()).select_from(MirrorRecord).where(*active)) or 0
    return missing, int(total)


def finish_full_pass(
    sessions: sessionmaker[Session],
    scope: Scope,
    client: HaloClient,
    pass_id: str,
    floor: int | None = None,
) -> tuple[str, str | None, int]:
    """Tombstone what the pass did not see and Halo confirms gone; return (status, note, n).

    ``floor`` is the highest mirror row id when the pass began (``None``: every row the pass
    saw carries a mark).
    """
    with sessions() as session:
        missing, total = _missing(session, scope, pass_id, floor)
    status, note, gone = "succeeded", None, 0
    if missing and total >= GUARD_MIN and len(missing) > GUARD_RATIO * total:
        status = "warning"
        note = (
            f"mass-delete guard: {len(missing)} of {total} {scope.entity.label} are no longer "
            "listed by HaloPSA; nothing was tombstoned. If they really were deleted, run a "
            "full sync again; if not, check the API agent's permissions (psahub doctor)."
        )
    elif missing and not scope.entity.paged:
        with sessions.begin() as session:
            gone = tombstone(session, scope, missing, utcnow())
    elif missing:
        gone, unverified = _verify(sessions, scope, client, missing[:VERIFY_CAP])
        left = len(missing) - VERIFY_CAP
        if left > 0 or unverified:
            status = "warning"
            note = (
                f"{max(left, 0) + unverified} records missing from the list could not be "
                "checked yet; they are checked again at the next full sync"
            )
    with sessions.begin() as session:
        session.execute(delete(SyncSeen).where(SyncSeen.pass_id == pass_id))
    return status, note, gone


def _verify(
    sessions: sessionmaker[Session], scope: Scope, client: HaloClient, keys: list[str]
) -> tuple[int, int]:
    """Ask Halo about each missing record: tombstone the gone, restore the skipped."""
    gone: list[str] = []
    unverified = 0
    for key in keys:
        try:
            record = client.get(f"{scope.entity.path}/{key}")
        except HaloError as error:
            if error.problem is Problem.NOT_FOUND:
                gone.append(key)
            else:
                unverified += 1
            continue
        if isinstance(record, dict):
            with sessions.begin() as session:
                upsert_records(session, scope, [record], utcnow())
    with sessions.begin() as session:
        count = tombstone(session, scope, gone, utcnow())
    return count, unverified
