"""How a value reads in a cell: Paris time, yes/no, rounded scores, a person's name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from flask_babel import gettext as _

from challenge.proposals.labels import STATUS_LABELS
from challenge.timeutils import PARIS

SCORE_DECIMALS: Final = 3


def paris(value: datetime | None) -> datetime | None:
    """Naive UTC (the database) → naive Europe/Paris wall-clock time (what people read)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(PARIS).replace(tzinfo=None)


def iso_paris(value: datetime | None) -> str | None:
    """Naive UTC → ISO 8601 in Paris time, to the second (the JSON's dates)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(PARIS).replace(microsecond=0).isoformat()


class ParisClock:
    """``clock(utc)``: naive UTC → naive Paris time, as :func:`paris` but ~5x faster.

    The year's two offset changes are found once (by bisection on the time zone database), so
    converting a row's dates is a dictionary lookup, two comparisons and an addition.
    """

    def __init__(self) -> None:
        self._years: dict[int, tuple[datetime, datetime, timedelta, timedelta, timedelta]] = {}

    def __call__(self, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        bounds = self._years.get(value.year)
        if bounds is None:
            bounds = self._years[value.year] = _year_offsets(value.year)
        first_change, second_change, before, between, after = bounds
        if value < first_change:
            return value + before
        return value + (between if value < second_change else after)


def _utc_offset(utc: datetime) -> timedelta:
    return utc.replace(tzinfo=UTC).astimezone(PARIS).utcoffset() or timedelta(0)


def _first_change(low: datetime, high: datetime) -> datetime:
    """The first instant (to the second) in (low, high] whose Paris offset is high's."""
    target = _utc_offset(high)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if _utc_offset(middle) == target:
            high = middle
        else:
            low = middle
    return high


def _year_offsets(year: int) -> tuple[datetime, datetime, timedelta, timedelta, timedelta]:
    """The offsets of one UTC year and the two instants where they change (DST, if any)."""
    start, middle, end = datetime(year, 1, 1), datetime(year, 7, 1), datetime(year + 1, 1, 1)
    before, between, after = _utc_offset(start), _utc_offset(middle), _utc_offset(end)
    first = _first_change(start, middle) if between != before else middle
    second = _first_change(middle, end) if after != between else end
    return first, second, before, between, after


def yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return str(_("Oui")) if value else str(_("Non"))


def rounded(value: float | None) -> float | int | None:
    """A score rounded to SCORE_DECIMALS, as an integer when it is one (``4``, not ``4.0``)."""
    if value is None:
        return None
    result = round(value, SCORE_DECIMALS)
    return int(result) if result.is_integer() else result


def full_name(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip()


def status_labels() -> dict[str, str]:
    """The proposal statuses in the current locale, resolved once per sheet."""
    return {key: str(label) for key, label in STATUS_LABELS.items()}
