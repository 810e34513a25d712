"""Figures for the organiser dashboard: submissions per day and a bar chart drawn server-side.

Pure: the service hands over counts per UTC hour (one GROUP BY, whatever the number of
proposals) and gets back counts per Paris day and the geometry of an SVG bar chart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
MAX_DAYS = 366


def paris_day(utc_naive: datetime) -> date:
    return utc_naive.replace(tzinfo=UTC).astimezone(PARIS).date()


def per_paris_day(
    hourly: Iterable[tuple[datetime, int]],
    first: date | None = None,
    last: date | None = None,
) -> list[tuple[date, int]]:
    """Fold counts per UTC hour into Paris days, with the empty days in between.

    The range runs from ``first`` (or the first day with data) to ``last`` (or the last day with
    data), at most ``MAX_DAYS`` days ending at the last one.
    """
    counts: Counter[date] = Counter()
    for hour, count in hourly:
        counts[paris_day(hour)] += int(count)
    if not counts and (first is None or last is None):
        return []
    start = min([*counts, *([first] if first else [])])
    end = max([*counts, *([last] if last else [])])
    start = max(start, end - timedelta(days=MAX_DAYS - 1))
    days = []
    current = start
    while current <= end:
        days.append((current, counts.get(current, 0)))
        current += timedelta(days=1)
    return days


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    plot_left: int
    plot_bottom: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    max_value: int
    label_every: int  # show one x label every n bars, so that labels never overlap


def _nice_max(value: int) -> int:
    if value <= 5:
        return max(value, 1)
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * magnitude)
        if top >= value:
            return top
    return value


def bar_chart(
    points: Sequence[tuple[str, int]],
    width: int = 720,
    height: int = 240,
    left: int = 40,
    bottom: int = 28,
    top: int = 12,
) -> BarChart:
    """Geometry of a vertical bar chart of ``points`` (label, value) in a width × height box."""
    max_value = _nice_max(max((v for _, v in points), default=0))
    plot_width = width - left - 8
    plot_height = height - top - bottom
    slot = plot_width / max(len(points), 1)
    bar_width = max(slot * 0.7, 1.0)
    bars = []
    for index, (label, value) in enumerate(points):
        h = plot_height * value / max_value
        bars.append(
            Bar(
                label=label,
                value=value,
                x=round(left + index * slot + (slot - bar_width) / 2, 2),
                y=round(top + plot_height - h, 2),
                width=round(bar_width, 2),
                height=round(h, 2),
            )
        )
    tick_count = min(max_value, 4)
    values = sorted({round(max_value * i / tick_count) for i in range(tick_count + 1)})
    ticks = tuple(
        Tick(value=v, y=round(top + plot_height - plot_height * v / max_value, 2)) for v in values
    )
    label_every = max(1, -(-len(points) // 12))
    return BarChart(
        width=width,
        height=height,
        plot_left=left,
        plot_bottom=top + plot_height,
        bars=tuple(bars),
        ticks=ticks,
        max_value=max_value,
        label_every=label_every,
    )
