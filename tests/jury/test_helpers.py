"""Unit tests of the small helpers the jury's pages and writes share (no database)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from challenge.errors import Invalid
from challenge.jury.paging import page_of
from challenge.jury.queries.workspace import WorkState, next_after, work_state
from challenge.jury.ranking import _packed
from challenge.jury.service.reviews import COMMENT_MAX, ReviewInput, validated_scores


@pytest.mark.parametrize(
    ("count", "page", "expected"),
    [
        (0, 1, ([], 1, 1)),  # an empty list has one empty page
        (5, 1, ([0, 1], 1, 3)),
        (5, 3, ([4], 3, 3)),
        (5, 9, ([4], 3, 3)),  # beyond the end: the last page
        (5, -2, ([0, 1], 1, 3)),  # before the start: the first
        (4, 2, ([2, 3], 2, 2)),
    ],
)
def test_page_of(count: int, page: int, expected: tuple[list[int], int, int]) -> None:
    assert page_of(list(range(count)), page, 2) == expected


def test_work_state_follows_the_review() -> None:
    assert work_state(None) == WorkState.TODO
    assert work_state("draft") == WorkState.DRAFT
    assert work_state("submitted") == WorkState.DONE


@pytest.mark.parametrize(
    ("pending", "after", "expected"),
    [
        ([], None, None),
        ([3, 5, 8], None, 3),
        ([3, 5, 8], 5, 8),
        ([3, 5, 8], 8, 3),  # wraps to the first
        ([3, 5, 8], 4, 5),  # ``after`` need not be pending
        ([5], 5, None),  # never the proposal just left
    ],
)
def test_next_after(pending: list[int], after: int | None, expected: int | None) -> None:
    assert next_after(pending, after) == expected


CRITERIA = [
    SimpleNamespace(id=1, scale_min=0, scale_max=4),
    SimpleNamespace(id=2, scale_min=1, scale_max=5),
]


def test_validated_scores_keeps_a_partial_draft() -> None:
    data = ReviewInput(scores={1: 4, 2: None})
    assert validated_scores(CRITERIA, data, submit=False) == {1: 4.0}


def test_validated_scores_names_each_bad_field() -> None:
    data = ReviewInput(scores={1: 7, 2: None}, comment_for_jury="x" * (COMMENT_MAX + 1))
    with pytest.raises(Invalid) as raised:
        validated_scores(CRITERIA, data, submit=True)
    assert set(raised.value.errors) == {1, 2, "comment_for_jury"}


def test_validated_scores_refuses_an_unknown_criterion() -> None:
    with pytest.raises(Invalid) as raised:
        validated_scores(CRITERIA, ReviewInput(scores={9: 1}), submit=False)
    assert raised.value.errors == {}


def test_submitting_without_a_grid_is_invalid() -> None:
    with pytest.raises(Invalid) as raised:
        validated_scores([], ReviewInput(scores={}), submit=True)
    assert set(raised.value.errors) == {"grid"}


def test_packed_puts_the_given_proposals_first_then_the_others_as_they_come() -> None:
    reviews = [("r1", "j1", "B", 2.0), ("r2", "j2", "C", 3.0), ("r3", "j1", "A", 1.0)]
    positions, jurors, proposal_of, juror_of, scores = _packed(reviews, ["A", "B"])
    assert positions == {"A": 0, "B": 1, "C": 2}
    assert jurors == {"j1": 0, "j2": 1}
    assert list(proposal_of) == [1, 2, 0]
    assert list(juror_of) == [0, 1, 0]
    assert list(scores) == [2.0, 3.0, 1.0]
