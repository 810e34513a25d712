"""The service's checks of what an author typed: lengths, choices, what is needed to submit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from challenge.campaigns.models import ProposalQuestion
from challenge.errors import Invalid
from challenge.proposals.fields import (
    ProposalInput,
    changed_fields,
    clean_text,
    missing_to_submit,
    validate,
)
from challenge.proposals.models import MAX_LENGTHS


@pytest.fixture
def request_context(app: Flask) -> Iterator[None]:
    with app.test_request_context():
        yield


def question(qid: int, kind: str, **extra: object) -> ProposalQuestion:
    return ProposalQuestion(id=qid, label=f"Q{qid}", kind=kind, **extra)


@pytest.mark.parametrize(
    ("raw", "single_line", "expected"),
    [
        ("  texte  ", False, "texte"),
        ("a\r\nb\rc", False, "a\nb\nc"),
        ("a\x00b\x07c\x7f", False, "abc"),
        ("tab\tgarde", False, "tab\tgarde"),
        ("titre\nsur\n deux lignes", True, "titre sur deux lignes"),
        (None, False, ""),
        ("<script>", False, "<script>"),  # stored as typed, escaped when shown
    ],
)
def test_clean_text(raw: str | None, single_line: bool, expected: str) -> None:
    assert clean_text(raw, single_line=single_line) == expected


def test_lengths_are_checked_per_field(request_context: None) -> None:
    data = ProposalInput(
        title="t" * (MAX_LENGTHS["title"] + 1), irritant="i" * MAX_LENGTHS["irritant"]
    )
    with pytest.raises(Invalid) as raised:
        validate(data, [])
    assert set(raised.value.errors) == {"title"}


def test_answers_are_checked_against_the_questions(request_context: None) -> None:
    questions = [
        question(1, "short_text", max_length=5),
        question(2, "single_choice", choices=["A", "B"]),
        question(3, "yes_no"),
        question(4, "long_text"),
    ]
    ok = validate(
        ProposalInput(answers={"1": "court", "2": "B", "3": "no", "4": "", "99": "x"}), questions
    )
    assert ok.answers == {"1": "court", "2": "B", "3": "no"}  # unknown questions and blanks dropped
    with pytest.raises(Invalid) as raised:
        validate(ProposalInput(answers={"1": "trop long", "2": "C", "3": "oui"}), questions)
    assert set(raised.value.errors) == {"question_1", "question_2", "question_3"}


def test_what_is_missing_to_submit(request_context: None) -> None:
    questions = [question(1, "yes_no", required=True), question(2, "short_text")]
    empty = ProposalInput().values()
    missing = missing_to_submit(empty, questions)
    assert set(missing) == {
        "title",
        "irritant",
        "solution",
        "impact",
        "administration",
        "commitment_released",
        "commitment_manager_informed",
        "question_1",
    }
    complete = ProposalInput(
        title="t",
        irritant="i",
        solution="s",
        impact="m",
        administration="a",
        commitment_released=True,
        commitment_manager_informed=True,
        answers={"1": "yes"},
    ).values()
    assert missing_to_submit(complete, questions) == {}


def test_changed_fields_lists_content_and_answers() -> None:
    before = {"title": "a", "irritant": "b", "answers": {"1": "x", "2": "y"}}
    after = {"title": "a", "irritant": "c", "answers": {"1": "x", "3": "z"}}
    assert changed_fields(before, after) == ["irritant", "question_2", "question_3"]
