"""Time helpers: the database stores naive UTC; people read and type Europe/Paris."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def utcnow() -> datetime:
    """Now, as a naive UTC datetime (what every DateTime column holds)."""
    return datetime.now(UTC).replace(tzinfo=None)


def paris_to_utc(local: datetime) -> datetime:
    """A wall-clock time typed in Paris, as naive UTC."""
    aware = local.replace(tzinfo=PARIS) if local.tzinfo is None else local
    return aware.astimezone(UTC).replace(tzinfo=None)


def utc_to_paris(value: datetime) -> datetime:
    """A naive UTC datetime, as an aware Paris one."""
    return value.replace(tzinfo=UTC).astimezone(PARIS)
