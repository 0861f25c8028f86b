"""Shared state and helpers of the data generator."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from psahub.sandbox.instance import Instance
from psahub.sandbox.store import Record


class GeneratorBase:
    """The seeded random source, the reference time and the instance being filled."""

    def __init__(
        self, instance: Instance, rng: random.Random | None = None, now: datetime | None = None
    ) -> None:
        self.instance = instance
        self.rng = rng or random.Random(instance.seed)
        self.now = now or instance.generated_at

    # -- helpers -------------------------------------------------------------------------
    def _ago(self, max_days: float, min_days: float = 0.0) -> datetime:
        return self.now - timedelta(days=self.rng.uniform(min_days, max_days))

    def _guid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _rows(self, table: str) -> list[Record]:
        return list(self.instance.table(table).records.values())
