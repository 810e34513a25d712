"""Unit tests of the min-cost-flow reviewer assignment (pure module, no database)."""

from __future__ import annotations

import dataclasses
import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from challenge.jury.assignment import AssignmentProblem, Shortfall, assign_reviewers

P = tuple(f"p{i}" for i in range(1, 9))
J = ("a", "b", "c", "d")


def problem(n_proposals: int, jurors: tuple[str, ...], reviews: int, **kwargs) -> AssignmentProblem:
    """A small problem on proposals p1..pN."""
    return AssignmentProblem(P[:n_proposals], jurors, reviews, **kwargs)


def test_basic_coverage_distinct_jurors_and_balance():
    # 4 proposals x 2 reviews = 8 reviews over 3 jurors: loads 3, 3, 2 in some order.
    result = assign_reviewers(problem(4, J[:3], 2))
    assert all(len(set(js)) == 2 for js in result.reviewers.values())
    assert sorted(result.loads.values()) == [2, 3, 3]
    assert len(result.pairs) == 8
    assert result.shortfalls == ()
    assert result.added == result.pairs and result.dropped == frozenset()


def test_conflicts_are_never_assigned():
    conflicts = {("a", "p1"), ("a", "p2"), ("b", "p1")}
    result = assign_reviewers(problem(4, J[:3], 2, conflicts=conflicts))
    assert not result.pairs & conflicts
    # p1 can only be reviewed by c: one reviewer missing, reported, not raised.
    assert result.reviewers["p1"] == ("c",)
    assert result.shortfalls == (Shortfall("p1", assigned=1, missing=1),)


def test_removed_pairs_are_never_assigned():
    removed = {("a", "p1"), ("a", "p2"), ("a", "p3")}
    result = assign_reviewers(problem(3, J[:3], 2, removed=removed))
    assert not result.pairs & removed
    assert result.loads == {"a": 0, "b": 3, "c": 3}


def test_pins_are_kept_and_count_toward_reviews_and_load():
    # a holds two pinned reviews, so the two remaining proposals both go to b: loads 2 and 2.
    pinned = {("a", "p1"), ("a", "p2")}
    result = assign_reviewers(problem(4, J[:2], 1, pinned=pinned))
    assert pinned <= result.pairs
    assert result.reviewers == {"p1": ("a",), "p2": ("a",), "p3": ("b",), "p4": ("b",)}
    assert result.loads == {"a": 2, "b": 2}


def test_pins_beyond_the_review_count_are_all_kept():
    pinned = {("a", "p1"), ("b", "p1")}
    result = assign_reviewers(problem(1, J[:3], 1, pinned=pinned))
    assert result.pairs == frozenset(pinned)


def test_pin_on_a_conflict_or_unknown_id_is_ignored_and_reported():
    pinned = {("a", "p1"), ("zed", "p1"), ("b", "p9")}
    result = assign_reviewers(problem(2, J[:2], 1, pinned=pinned, conflicts={("a", "p1")}))
    assert ("a", "p1") not in result.pairs
    assert result.ignored_pins == frozenset(pinned)
    assert result.reviewers == {"p1": ("b",), "p2": ("a",)}


def test_balance_where_conflicts_allow():
    # a may only review p1; the 5 other reviews split 3/2 between b and c.
    conflicts = {("a", p) for p in P[1:6]}
    result = assign_reviewers(problem(6, J[:3], 1, conflicts=conflicts))
    assert result.loads["a"] == 1
    assert sorted([result.loads["b"], result.loads["c"]]) == [2, 3]


def test_shortfall_when_too_few_jurors():
    result = assign_reviewers(problem(3, J[:2], 3))
    assert [s.missing for s in result.shortfalls] == [1, 1, 1]
    assert result.loads == {"a": 3, "b": 3}


def test_no_jurors_and_no_proposals():
    result = assign_reviewers(problem(2, (), 2))
    assert result.pairs == frozenset() and result.loads == {}
    assert result.shortfalls == (Shortfall("p1", 0, 2), Shortfall("p2", 0, 2))
    assert result.solver_seconds == 0.0
    assert assign_reviewers(problem(0, J, 3)).pairs == frozenset()


def test_zero_reviews_wanted():
    assert assign_reviewers(problem(3, J, 0)).pairs == frozenset()


def test_rerun_after_a_juror_leaves_moves_only_that_jurors_pairs():
    first = assign_reviewers(problem(8, J, 2))
    rerun = assign_reviewers(problem(8, J[:3], 2, current=first.pairs))
    leaving = {pair for pair in first.pairs if pair[0] == "d"}
    assert rerun.dropped == leaving
    assert len(rerun.added) == len(leaving)
    assert rerun.shortfalls == () and rerun.load_spread <= 1


def test_rerun_after_a_new_conflict_changes_only_that_pair():
    first = assign_reviewers(problem(8, J, 2))
    juror, proposal = sorted(first.pairs)[0]
    rerun = assign_reviewers(problem(8, J, 2, current=first.pairs, conflicts={(juror, proposal)}))
    assert rerun.dropped == {(juror, proposal)}
    assert len(rerun.added) == 1
    ((new_juror, new_proposal),) = rerun.added
    assert new_proposal == proposal and new_juror != juror


def test_rerun_with_rebalance_after_a_new_conflict_stays_balanced_and_close():
    first = assign_reviewers(problem(8, J, 2))
    pair = sorted(first.pairs)[0]
    rerun = assign_reviewers(
        problem(8, J, 2, current=first.pairs, conflicts={pair}, rebalance=True)
    )
    assert pair in rerun.dropped
    assert rerun.load_spread <= 1
    # One move for the conflict, at most one more to even the loads again.
    assert len(rerun.dropped) <= 2


def test_new_juror_gets_only_gaps_by_default_and_a_share_with_rebalance():
    first = assign_reviewers(problem(8, J[:3], 3))  # 24 reviews, 8 each
    kept = assign_reviewers(problem(8, J, 3, current=first.pairs))
    assert kept.pairs == first.pairs and kept.loads["d"] == 0
    spread = assign_reviewers(problem(8, J, 3, current=first.pairs, rebalance=True))
    assert sorted(spread.loads.values()) == [6, 6, 6, 6]
    # Fewest moves: exactly the 6 reviews handed to d.
    assert len(spread.dropped) == 6 and all(j == "d" for j, _ in spread.added)


def test_lower_review_count_keeps_a_subset_of_current_pairs():
    first = assign_reviewers(problem(4, J, 3))
    rerun = assign_reviewers(problem(4, J, 2, current=first.pairs))
    assert rerun.pairs <= first.pairs
    assert all(len(js) == 2 for js in rerun.reviewers.values())
    assert rerun.load_spread <= 1


def test_deterministic_whatever_the_order_of_the_sets():
    pairs = [(j, p) for j in J for p in P if (ord(j) + int(p[1:])) % 5 == 0]
    results = []
    for seed in range(3):
        random.Random(seed).shuffle(pairs)
        results.append(assign_reviewers(problem(8, J, 2, conflicts=set(pairs))))
    assert all(r.reviewers == results[0].reviewers for r in results)


def test_invalid_input_raises():
    with pytest.raises(ValueError):
        AssignmentProblem(("p1", "p1"), J, 1)
    with pytest.raises(ValueError):
        AssignmentProblem(P, J, -1)


def test_integer_ids_and_lists_are_accepted():
    result = assign_reviewers(AssignmentProblem([10, 11], [1, 2], 1, conflicts=[(1, 10)]))
    assert result.reviewers == {10: (2,), 11: (1,)}


# --- properties on random small instances ---------------------------------------------------


@st.composite
def instances(draw, max_proposals: int = 6, max_jurors: int = 5, max_reviews: int = 3):
    """Random small problems, with conflicts drawn among all pairs."""
    proposals = tuple(f"p{i}" for i in range(draw(st.integers(1, max_proposals))))
    jurors = tuple(f"j{i}" for i in range(draw(st.integers(1, max_jurors))))
    all_pairs = [(j, p) for j in jurors for p in proposals]
    conflicts = draw(st.sets(st.sampled_from(all_pairs))) if draw(st.booleans()) else set()
    reviews = draw(st.integers(1, max_reviews))
    return AssignmentProblem(proposals, jurors, reviews, conflicts=conflicts)


def eligible(prob: AssignmentProblem, proposal: str) -> list[str]:
    """Jurors allowed to review ``proposal``."""
    return [j for j in prob.jurors if (j, proposal) not in prob.conflicts]


@settings(max_examples=150, deadline=None)
@given(instances())
def test_property_coverage_no_conflict_balance(prob):
    result = assign_reviewers(prob)
    assert not result.pairs & prob.conflicts
    for p in prob.proposals:
        js = result.reviewers[p]
        assert len(set(js)) == len(js) == min(prob.reviews_per_proposal, len(eligible(prob, p)))
    if not prob.conflicts:
        assert result.load_spread <= 1


def min_square_sum(prob: AssignmentProblem) -> int:
    """Brute force: smallest sum of squared loads over all maximum-coverage assignments."""
    choices = [
        itertools.combinations(
            eligible(prob, p), min(prob.reviews_per_proposal, len(eligible(prob, p)))
        )
        for p in prob.proposals
    ]
    best = None
    for combo in itertools.product(*(list(c) for c in choices)):
        loads = [sum(j in chosen for chosen in combo) for j in prob.jurors]
        value = sum(load * load for load in loads)
        best = value if best is None else min(best, value)
    return best


@settings(max_examples=100, deadline=None)
@given(instances(max_proposals=4, max_jurors=4, max_reviews=2), st.booleans(), st.data())
def test_property_loads_are_optimally_balanced(prob, rebalance, data):
    # In rebalance mode a random current assignment must not spoil the balance.
    if rebalance:
        all_pairs = [(j, p) for j in prob.jurors for p in prob.proposals]
        current = data.draw(st.frozensets(st.sampled_from(all_pairs)))
        prob = dataclasses.replace(prob, current=current, rebalance=True)
    result = assign_reviewers(prob)
    assert sum(v * v for v in result.loads.values()) == min_square_sum(prob)


@settings(max_examples=100, deadline=None)
@given(instances(), st.data())
def test_property_rerun_after_departure_moves_only_the_departed_jurors_pairs(prob, data):
    first = assign_reviewers(prob)
    leaving = data.draw(st.sampled_from(prob.jurors))
    rest = tuple(j for j in prob.jurors if j != leaving)
    rerun = assign_reviewers(dataclasses.replace(prob, jurors=rest, current=first.pairs))
    assert rerun.dropped == {pair for pair in first.pairs if pair[0] == leaving}
    assert all(j != leaving for j, _ in rerun.pairs)


def test_balance_among_heavily_loaded_jurors():
    # c and d may only review p0, so a and b share the 39 other reviews (20/19 or 19/20); they
    # are far above the mean load, past the first batch of unit load arcs (re-solve path).
    proposals = tuple(f"p{i}" for i in range(40))
    conflicts = {(j, p) for j in ("c", "d") for p in proposals[1:]}
    result = assign_reviewers(AssignmentProblem(proposals, J, 1, conflicts=conflicts))
    assert sorted([result.loads["a"], result.loads["b"]]) == [19, 20]
    assert result.loads["c"] + result.loads["d"] == 1
