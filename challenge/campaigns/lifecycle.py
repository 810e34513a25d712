"""The campaign lifecycle: which moves exist, what each one needs, which happen by themselves.

Pure: plain data in, plain data out (no Flask, no database); ``service`` gathers the facts,
checks them here, then moves the campaign with a conditional UPDATE.

``draft → open → review → shortlist → pitch → results → archived``, one step forward at a time,
plus one step back, ``review → open``, to reopen submissions after the deadline was extended
(only while no juror has started a review).

Automatic steps, run by beat every minute (``worker.tasks_campaigns.advance_campaigns``):

* ``draft → open`` at the opening date, *if the campaign is ready* (the guards of opening pass).
  A draft that is not ready stays a draft, and the dashboard says what is missing.
* ``open → review`` at the submission deadline.

Every later step waits for people: the end of review is the jurors' target (reminders use it),
the shortlist is chosen by organisers, the pitch day is held, the laureates are named. Moving on
at a date without them would announce empty results, so those dates are targets shown on the
timeline, and organisers move the campaign themselves.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields
from datetime import datetime


class CampaignStatus(enum.StrEnum):
    """The steps of a campaign, in order (``Campaign.status`` stores their values)."""

    DRAFT = "draft"
    OPEN = "open"
    REVIEW = "review"
    SHORTLIST = "shortlist"
    PITCH = "pitch"
    RESULTS = "results"
    ARCHIVED = "archived"


ORDER = tuple(step.value for step in CampaignStatus)
DRAFT, OPEN, REVIEW, SHORTLIST, PITCH, RESULTS, ARCHIVED = ORDER
FORWARD = {ORDER[i]: ORDER[i + 1] for i in range(len(ORDER) - 1)}
BACKWARD = {REVIEW: OPEN}

# The date fields, in the order they must follow each other.
DATE_FIELDS = ("opens_at", "deadline_at", "review_ends_at", "pitch_at", "results_at")
# The status each date leads to (shown on the timeline).
DATE_OF_STATUS = {
    OPEN: "opens_at",
    REVIEW: "deadline_at",
    SHORTLIST: "review_ends_at",
    PITCH: "pitch_at",
    RESULTS: "results_at",
}
AUTOMATIC = {DRAFT: OPEN, OPEN: REVIEW}


@dataclass(frozen=True)
class Dates:
    opens_at: datetime | None = None
    deadline_at: datetime | None = None
    review_ends_at: datetime | None = None
    pitch_at: datetime | None = None
    results_at: datetime | None = None

    def get(self, name: str) -> datetime | None:
        return getattr(self, name)

    def as_dict(self) -> dict[str, datetime | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Facts:
    """What the guards look at, gathered by the service."""

    status: str
    dates: Dates
    domains: tuple[str, ...]
    review_criteria: int
    pitch_criteria: int
    now: datetime
    written_reviews: int = 0  # reviews of the written phase already started


@dataclass(frozen=True)
class Problem:
    """Why something is refused: a code, and the field it concerns (None: the whole form)."""

    code: str
    field: str | None = None
    other: str | None = None  # the other field of an ordering problem


def allowed_targets(status: str) -> tuple[str, ...]:
    targets = []
    if status in FORWARD:
        targets.append(FORWARD[status])
    if status in BACKWARD:
        targets.append(BACKWARD[status])
    return tuple(targets)


def guard(source: str, target: str, facts: Facts) -> list[Problem]:
    """The reasons why ``source → target`` is refused now (empty: allowed)."""
    if target not in allowed_targets(source):
        return [Problem("not_allowed")]
    problems: list[Problem] = []
    if target == OPEN:
        deadline = facts.dates.deadline_at
        if deadline is None:
            problems.append(Problem("deadline_missing", "deadline_at"))
        elif deadline <= facts.now:
            problems.append(Problem("deadline_past", "deadline_at"))
        if not facts.domains:
            problems.append(Problem("domains_missing", "allowed_domains"))
        if facts.review_criteria == 0:
            problems.append(Problem("review_grid_empty"))
        if source == REVIEW and facts.written_reviews > 0:
            problems.append(Problem("reviews_started"))
    elif target == PITCH and facts.pitch_criteria == 0:
        problems.append(Problem("pitch_grid_empty"))
    return problems


def due_automatic_step(facts: Facts) -> str | None:
    """The status the campaign must move to now by itself, if any."""
    if facts.status == DRAFT:
        opens = facts.dates.opens_at
        if opens is not None and opens <= facts.now and not guard(DRAFT, OPEN, facts):
            return OPEN
    elif facts.status == OPEN:
        deadline = facts.dates.deadline_at
        if deadline is not None and deadline <= facts.now:
            return REVIEW
    return None


@dataclass(frozen=True)
class NextStep:
    target: str
    at: datetime | None  # None: will happen as soon as the campaign is ready
    blocked_by: tuple[Problem, ...] = ()  # a draft that will not open by itself, and why


def next_automatic_step(facts: Facts) -> NextStep | None:
    """The next step that beat will take by itself (for the dashboard's timeline)."""
    if facts.status == DRAFT and facts.dates.opens_at is not None:
        problems = guard(DRAFT, OPEN, facts)
        return NextStep(OPEN, facts.dates.opens_at, tuple(problems))
    if facts.status == OPEN and facts.dates.deadline_at is not None:
        return NextStep(REVIEW, facts.dates.deadline_at)
    return None


@dataclass(frozen=True)
class TimelineStep:
    status: str
    at: datetime | None
    state: str  # done | current | upcoming
    automatic: bool


def timeline(status: str, dates: Dates) -> list[TimelineStep]:
    """Every status of the lifecycle with its date, and where the campaign stands."""
    position = ORDER.index(status) if status in ORDER else 0
    steps = []
    for index, name in enumerate(ORDER):
        field = DATE_OF_STATUS.get(name)
        at = dates.get(field) if field else None
        state = "done" if index < position else ("current" if index == position else "upcoming")
        automatic = any(target == name for target in AUTOMATIC.values())
        steps.append(TimelineStep(name, at, state, automatic))
    return steps


def _minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def same_minute(a: datetime | None, b: datetime | None) -> bool:
    """Forms carry minutes: a date re-sent unchanged may have lost its seconds."""
    if a is None or b is None:
        return a is b
    return _minute(a) == _minute(b)


def validate_dates(
    new: Dates, old: Dates | None, now: datetime, status: str = DRAFT
) -> list[Problem]:
    """Dates must follow each other; a date changed to the past is refused.

    An unchanged date may lie in the past (the campaign opened last week).
    """
    problems: list[Problem] = []
    if status != DRAFT and new.deadline_at is None:
        problems.append(Problem("deadline_required", "deadline_at"))
    for name in DATE_FIELDS:
        value = new.get(name)
        if value is None:
            continue
        changed = old is None or not same_minute(old.get(name), value)
        if changed and value < now:
            problems.append(Problem("past", name))
    seen: list[tuple[str, datetime]] = []
    for name in DATE_FIELDS:
        value = new.get(name)
        if value is None:
            continue
        for earlier_name, earlier in reversed(seen):
            if value <= earlier:
                problems.append(Problem("before", name, earlier_name))
                break
        seen.append((name, value))
    return problems
