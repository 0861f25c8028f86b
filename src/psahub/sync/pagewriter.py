"""Writing a pass's pages: rows, "seen" marks, checkpoint and run counters, in one transaction.

A commit covers one or more whole pages and moves the checkpoint to the page after the last
of them, so a process killed at any moment resumes exactly where the committed work ends.
Grouping pages that are already read into one commit saves most of SQLite's per-commit cost
(each commit rewrites the index pages it touched).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from psahub.halo.paging import Listing, Page
from psahub.store.models import SyncCheckpoint, SyncRun, table_of, utcnow
from psahub.sync.upsert import Scope, mark_seen, upsert_records


@dataclass
class _Totals:
    pages: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0


class PageWriter:
    """Writes the pages of one pass of one entity; ``commit()`` makes them durable."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        scope: Scope,
        checkpoint: SyncCheckpoint,
        run_id: int,
    ) -> None:
        self.scope = scope
        self.run_id = run_id
        self.checkpoint_id = checkpoint.id
        self.full = checkpoint.pass_kind == "full"
        self.pass_id = str(checkpoint.pass_id)
        self.floor = checkpoint.pass_floor_id
        self.first_page = checkpoint.next_page
        self.max_changed: datetime | None = checkpoint.pass_max_changed
        self._session = sessions()
        self._totals = _Totals()
        self._next_page = checkpoint.next_page
        self._record_count: int | None = None
        self._note: str | None = None

    @property
    def pending(self) -> int:
        """Pages written since the last commit."""
        return self._totals.pages

    def write(self, page: Page, listing: Listing) -> None:
        """Write one page's records (not yet committed)."""
        counts = upsert_records(self._session, self.scope, page.records, utcnow())
        if self.full:
            # A row this pass inserted needs no mark: it is above the pass's floor.
            marked = counts.keys if self.floor is None else counts.known
            mark_seen(self._session, self.pass_id, marked)
        changed = counts.max_changed
        if changed and (self.max_changed is None or changed > self.max_changed):
            self.max_changed = changed
        totals = self._totals
        totals.pages += 1
        totals.added += counts.added
        totals.updated += counts.updated
        totals.unchanged += counts.unchanged
        self._next_page = page.page_no + 1
        if self.first_page == 1:  # a resumed pass has not seen the whole list
            if page.record_count is not None:
                self._record_count = page.record_count
            if page.last and listing.drift:
                self._note = (
                    f"HaloPSA announced {listing.record_count} records "
                    f"and returned {len(listing.seen)}"
                )

    def commit(self) -> None:
        """Commit the pages written so far with the checkpoint and the run's counters."""
        totals = self._totals
        if not totals.pages:
            return
        session = self._session
        checkpoints = table_of(SyncCheckpoint)
        session.execute(
            update(checkpoints)
            .where(checkpoints.c.id == self.checkpoint_id)
            .values(next_page=self._next_page, pass_max_changed=self.max_changed)
        )
        runs = table_of(SyncRun)
        run = runs.c
        values: dict[str, object] = {
            "pages": run.pages + totals.pages,
            "added": run.added + totals.added,
            "updated": run.updated + totals.updated,
            "unchanged": run.unchanged + totals.unchanged,
        }
        if self._record_count is not None:
            values["record_count"] = self._record_count
        session.execute(update(runs).where(run.id == self.run_id).values(values))
        if self._note:  # once per pass at most
            stored = session.get(SyncRun, self.run_id)
            assert stored is not None
            stored.note = f"{stored.note}; {self._note}" if stored.note else self._note
            self._note = None
        session.commit()
        self._totals = _Totals()

    def close(self) -> None:
        """Drop anything not committed and release the connection."""
        self._session.rollback()
        self._session.close()

    def __enter__(self) -> PageWriter:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
