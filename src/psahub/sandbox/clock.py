"""Halo's date formats: UTC stamps with ``Z``, zone-less dates, and 1900-01-01 for "empty"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

#: What Halo sends for a date that was never set.
EMPTY_DATE = "1900-01-01T00:00:00"


def utcnow() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    """Format a moment the way Halo stamps record changes, e.g. ``2026-04-23T19:42:21.123Z``.

    All stamps share one width, so they compare correctly as strings.
    """
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def day(moment: datetime) -> str:
    """Format a business date the zone-less way Halo sends them, e.g. ``2026-02-10T00:00:00``."""
    return moment.strftime("%Y-%m-%dT00:00:00")


def now_stamp() -> str:
    """The current time as a Halo change stamp."""
    return stamp(utcnow())


def parse_query_date(value: str) -> str:
    """Read a date filter parameter (ISO 8601, zone-less means UTC) into stamp form.

    Raises:
        ValueError: when ``value`` is not an ISO 8601 date or date-time.
    """
    text = value.strip()
    if not text:
        raise ValueError("empty date")
    moment = datetime.fromisoformat(text.replace(" ", "+") if text.count(" ") == 1 else text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return stamp(moment)


def days_ago(now: datetime, days: float) -> datetime:
    """``now`` minus a number of days."""
    return now - timedelta(days=days)
