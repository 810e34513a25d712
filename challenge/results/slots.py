"""Pitch slots on plain data: generating a day's slots, filling them in ranking order, moving.

Pure: no Flask, no database. Times are naive datetimes; the service gives Paris wall-clock times
to :func:`generate_starts` (so a day's schedule reads as typed, whatever the daylight saving) and
UTC to the others (comparisons only need one clock).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_SLOTS_PER_RUN = 100
MAX_DURATION_MINUTES = 240


@dataclass(frozen=True)
class Plan:
    """``count`` slots of ``duration`` minutes, ``gap`` minutes apart, with a longer break of
    ``break_minutes`` after every ``break_every`` slots (0: no break)."""

    count: int
    duration: int
    gap: int = 0
    break_every: int = 0
    break_minutes: int = 0


def generate_starts(first: datetime, plan: Plan) -> list[datetime]:
    """The start of each slot of ``plan``, the first one at ``first``."""
    starts = []
    current = first
    for index in range(plan.count):
        starts.append(current)
        current = current + timedelta(minutes=plan.duration + plan.gap)
        done = index + 1
        if plan.break_every and done % plan.break_every == 0 and done < plan.count:
            current += timedelta(minutes=plan.break_minutes)
    return starts


@dataclass(frozen=True)
class Slot:
    id: int
    starts_at: datetime
    duration_minutes: int
    proposal_id: int | None = None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


def chronological(slots: Iterable[Slot]) -> list[Slot]:
    return sorted(slots, key=lambda s: (s.starts_at, s.id))


def overlapping(candidate: Slot, others: Iterable[Slot]) -> list[Slot]:
    """The other slots whose time overlaps ``candidate``'s (one jury hears every pitch).

    Touching slots (one ends when the next starts) do not overlap.
    """
    return [
        other
        for other in chronological(others)
        if other.id != candidate.id
        and other.starts_at < candidate.ends_at
        and candidate.starts_at < other.ends_at
    ]


def overlaps(slots: Sequence[Slot]) -> list[tuple[int, int]]:
    """Every pair of slot ids whose times overlap, each pair once, earlier slot first."""
    ordered = chronological(slots)
    pairs = []
    for i, slot in enumerate(ordered):
        for later in ordered[i + 1 :]:
            if later.starts_at >= slot.ends_at:
                break
            pairs.append((slot.id, later.id))
    return pairs


@dataclass(frozen=True)
class Filling:
    """Which proposal each slot holds (None: empty) and the proposals left without a slot."""

    assignment: Mapping[int, int | None]
    unplaced: tuple[int, ...]

    def changed(self, slots: Iterable[Slot]) -> dict[int, int | None]:
        """Only the slots whose proposal differs from ``slots``."""
        return {
            s.id: self.assignment[s.id]
            for s in slots
            if s.id in self.assignment and self.assignment[s.id] != s.proposal_id
        }


def fill(slots: Sequence[Slot], ranked: Sequence[int], *, keep: bool = True) -> Filling:
    """Place the ``ranked`` proposals (best first) into ``slots``, earliest slot first.

    ``keep``: proposals already in a slot stay there (the organisers may have moved them by
    hand) and only the others fill the free slots, in ranking order. A slot holding a proposal
    that is no longer in ``ranked`` (taken off the shortlist) is freed. Without ``keep``, every
    slot is refilled from scratch. When slots run out, the lowest-ranked proposals are unplaced.
    """
    wanted = list(dict.fromkeys(ranked))
    wanted_set = set(wanted)
    ordered = chronological(slots)
    assignment: dict[int, int | None] = {}
    placed: set[int] = set()
    for slot in ordered:
        kept = keep and slot.proposal_id in wanted_set and slot.proposal_id not in placed
        assignment[slot.id] = slot.proposal_id if kept else None
        if kept:
            placed.add(slot.proposal_id)  # type: ignore[arg-type]
    waiting = [p for p in wanted if p not in placed]
    for slot in ordered:
        if not waiting:
            break
        if assignment[slot.id] is None:
            assignment[slot.id] = waiting.pop(0)
    return Filling(assignment, tuple(waiting))


def move(slots: Sequence[Slot], proposal_id: int, target_slot_id: int) -> dict[int, int | None]:
    """Put ``proposal_id`` in the target slot; its occupant takes the proposal's former slot.

    A proposal that had no slot simply takes the target, whose occupant becomes unplaced.
    Returns the new proposal of every slot that changes (empty if nothing changes).
    Raises ``KeyError`` for an unknown target slot.
    """
    by_id = {s.id: s for s in slots}
    target = by_id[target_slot_id]
    source = next((s for s in slots if s.proposal_id == proposal_id), None)
    if source is not None and source.id == target.id:
        return {}
    changes: dict[int, int | None] = {target.id: proposal_id}
    if source is not None:
        changes[source.id] = target.proposal_id
    return changes
