"""Which columns of a sheet a reader gets: decided once, for the header and every row.

A sheet lists every column it can hold, each with the rule that says who reads it
(:func:`always`, :func:`field` of the proposal as the :class:`~challenge.access.juror_view.Sight`
shows it, :func:`organisers`). :func:`layout` keeps the columns the sight allows and returns,
with them, the function that keeps the same cells of a full row: the header and the rows come
from one decision, so they cannot disagree, and a hidden value never reaches the writer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from challenge.access.juror_view import Sight
from challenge.exports.writers import Column

Rule = Callable[[Sight], bool]
Pick = Callable[[tuple[Any, ...]], tuple[Any, ...]]


def always(sight: Sight) -> bool:
    return True


def organisers(sight: Sight) -> bool:
    return sight.is_organiser


def field(name: str) -> Rule:
    """Shown when the sight shows the proposal's ``name`` (one of its identifying fields)."""

    def shown(sight: Sight) -> bool:
        return sight.shows(name)

    return shown


def field_instead_of(name: str, better: str) -> Rule:
    """Shown when the sight shows ``name`` but not ``better``, which replaces it."""

    def shown(sight: Sight) -> bool:
        return sight.shows(name) and not sight.shows(better)

    return shown


@dataclass(frozen=True)
class Slot:
    """One column a sheet can hold, and who reads it."""

    column: Column
    rule: Rule = always
    key: str = ""  # names the slot for the sheet's own use (e.g. what its statement selects)


def _identity(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return row


def layout(slots: Sequence[Slot], sight: Sight) -> tuple[list[Slot], Pick]:
    """The slots the sight reads, and the function that keeps their cells of a full row."""
    kept = [index for index, slot in enumerate(slots) if slot.rule(sight)]
    if len(kept) == len(slots):
        return list(slots), _identity
    if len(kept) == 1:
        only = kept[0]
        return [slots[only]], lambda row: (row[only],)
    return [slots[i] for i in kept], itemgetter(*kept)  # type: ignore[return-value]
