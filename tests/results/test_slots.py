"""Unit tests of pitch slots on plain data: generation, filling in ranking order, moves."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from challenge.results.slots import (
    Plan,
    Slot,
    fill,
    generate_starts,
    move,
    overlapping,
    overlaps,
)

NINE = datetime(2026, 6, 4, 9, 0)


def at(hour: int, minute: int = 0) -> datetime:
    return NINE.replace(hour=hour, minute=minute)


def test_generate_with_gap_and_breaks() -> None:
    starts = generate_starts(
        NINE, Plan(count=6, duration=15, gap=5, break_every=2, break_minutes=10)
    )
    assert starts == [
        at(9, 0),
        at(9, 20),
        # pause of 10 minutes after the 2nd slot
        at(9, 50),
        at(10, 10),
        at(10, 40),
        at(11, 0),
    ]


def test_generate_no_break_after_the_last_slot() -> None:
    assert generate_starts(NINE, Plan(count=2, duration=30, break_every=2, break_minutes=60)) == [
        at(9),
        at(9, 30),
    ]


def test_generated_slots_never_overlap() -> None:
    plan = Plan(count=20, duration=12, gap=0, break_every=3, break_minutes=7)
    slots = [Slot(i, s, plan.duration) for i, s in enumerate(generate_starts(NINE, plan))]
    assert overlaps(slots) == []


def test_overlaps_are_found_once_and_touching_slots_do_not_overlap() -> None:
    slots = [
        Slot(1, at(9), 15),
        Slot(2, at(9, 15), 15),  # touches 1
        Slot(3, at(9, 20), 15),  # overlaps 2
        Slot(4, at(8, 50), 60),  # overlaps 1, 2, 3
    ]
    assert sorted(overlaps(slots)) == sorted([(4, 1), (4, 2), (4, 3), (2, 3)])
    assert [s.id for s in overlapping(Slot(9, at(9, 10), 5), slots)] == [4, 1]
    assert overlapping(Slot(1, at(9), 15), [Slot(1, at(9), 15)]) == []  # itself


def test_fill_in_ranking_order_earliest_slot_first() -> None:
    slots = [Slot(10, at(10), 15), Slot(11, at(9), 15), Slot(12, at(9, 30), 15)]
    filling = fill(slots, [7, 5, 9])
    assert dict(filling.assignment) == {11: 7, 12: 5, 10: 9}
    assert filling.unplaced == ()


def test_fill_keeps_hand_placed_proposals_and_frees_those_off_the_list() -> None:
    slots = [
        Slot(1, at(9), 15, proposal_id=5),  # placed by hand: stays
        Slot(2, at(9, 30), 15, proposal_id=42),  # no longer shortlisted: freed
        Slot(3, at(10), 15),
    ]
    filling = fill(slots, [7, 5, 9])
    assert dict(filling.assignment) == {1: 5, 2: 7, 3: 9}
    assert filling.changed(slots) == {2: 7, 3: 9}


def test_fill_reset_ignores_previous_places() -> None:
    slots = [Slot(1, at(9), 15, proposal_id=5), Slot(2, at(9, 30), 15, proposal_id=7)]
    assert dict(fill(slots, [7, 5], keep=False).assignment) == {1: 7, 2: 5}


def test_fill_reports_the_lowest_ranked_when_slots_run_out() -> None:
    slots = [Slot(1, at(9), 15), Slot(2, at(9, 30), 15)]
    filling = fill(slots, [3, 1, 4, 1, 5])
    assert dict(filling.assignment) == {1: 3, 2: 1}
    assert filling.unplaced == (4, 5)


def test_move_to_a_free_slot_and_swap_with_an_occupied_one() -> None:
    slots = [Slot(1, at(9), 15, 5), Slot(2, at(9, 30), 15, 7), Slot(3, at(10), 15)]
    assert move(slots, 5, 3) == {3: 5, 1: None}
    assert move(slots, 5, 2) == {2: 5, 1: 7}
    assert move(slots, 5, 1) == {}
    assert move(slots, 99, 2) == {2: 99}  # an unplaced proposal takes the slot
    with pytest.raises(KeyError):
        move(slots, 5, 404)


@given(
    st.lists(st.integers(0, 500), min_size=0, max_size=30, unique=True),
    st.lists(st.integers(1, 60), min_size=0, max_size=30, unique=True),
    st.booleans(),
)
def test_fill_properties(starts: list[int], ranked: list[int], keep: bool) -> None:
    slots = [Slot(i, NINE + timedelta(minutes=m), 10) for i, m in enumerate(starts)]
    filling = fill(slots, ranked, keep=keep)
    placed = [p for p in filling.assignment.values() if p is not None]
    assert len(placed) == len(set(placed)), "a proposal holds one slot at most"
    assert set(placed) | set(filling.unplaced) == set(ranked)
    assert len(placed) == min(len(slots), len(ranked))
    # Ranking order follows time order.
    by_time = sorted(slots, key=lambda s: (s.starts_at, s.id))
    in_order = [filling.assignment[s.id] for s in by_time if filling.assignment[s.id] is not None]
    assert in_order == [p for p in ranked if p in placed]
