"""The campaign lifecycle's pure rules: moves, guards, automatic steps and date validation."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from challenge.campaigns import lifecycle
from challenge.campaigns.lifecycle import Dates, Facts, Problem

NOW = datetime(2026, 3, 10, 12, 0)


def facts(status: str = "draft", **overrides: object) -> Facts:
    values: dict[str, object] = {
        "status": status,
        "dates": Dates(opens_at=NOW - timedelta(days=1), deadline_at=NOW + timedelta(days=20)),
        "domains": ("francetravail.fr",),
        "review_criteria": 4,
        "pitch_criteria": 5,
        "now": NOW,
        "written_reviews": 0,
    }
    values.update(overrides)
    return Facts(**values)  # type: ignore[arg-type]


def codes(problems: list[Problem]) -> set[str]:
    return {p.code for p in problems}


def test_the_lifecycle_moves_one_step_forward_and_reopens_from_review_only():
    assert lifecycle.allowed_targets("draft") == ("open",)
    assert lifecycle.allowed_targets("open") == ("review",)
    assert lifecycle.allowed_targets("review") == ("shortlist", "open")
    assert lifecycle.allowed_targets("results") == ("archived",)
    assert lifecycle.allowed_targets("archived") == ()
    assert lifecycle.allowed_targets("nonsense") == ()


@pytest.mark.parametrize(
    ("source", "target"),
    [("draft", "review"), ("open", "draft"), ("archived", "results"), ("draft", "archived")],
)
def test_skipping_or_going_back_is_refused(source: str, target: str):
    assert codes(lifecycle.guard(source, target, facts(source))) == {"not_allowed"}


def test_a_ready_campaign_may_open():
    assert lifecycle.guard("draft", "open", facts()) == []


def test_opening_needs_a_deadline_allowed_domains_and_a_review_grid():
    bare = facts(dates=Dates(), domains=(), review_criteria=0)
    problems = lifecycle.guard("draft", "open", bare)
    assert codes(problems) == {"deadline_missing", "domains_missing", "review_grid_empty"}
    assert {p.field for p in problems} == {"deadline_at", "allowed_domains", None}


def test_opening_with_a_deadline_already_passed_is_refused():
    late = facts(dates=Dates(deadline_at=NOW - timedelta(minutes=1)))
    assert codes(lifecycle.guard("draft", "open", late)) == {"deadline_past"}


def test_reopening_is_refused_once_a_juror_started_reviewing():
    assert lifecycle.guard("review", "open", facts("review")) == []
    started = facts("review", written_reviews=1)
    assert codes(lifecycle.guard("review", "open", started)) == {"reviews_started"}


def test_the_pitch_needs_a_pitch_grid():
    assert codes(lifecycle.guard("shortlist", "pitch", facts("shortlist", pitch_criteria=0))) == {
        "pitch_grid_empty"
    }
    assert lifecycle.guard("shortlist", "pitch", facts("shortlist")) == []


def test_the_deadline_moves_an_open_campaign_to_review_by_itself():
    assert lifecycle.due_automatic_step(facts("open")) is None
    at_deadline = facts("open", now=NOW + timedelta(days=20))
    assert lifecycle.due_automatic_step(at_deadline) == "review"


def test_a_ready_draft_opens_by_itself_at_its_opening_date_and_an_unready_one_waits():
    assert lifecycle.due_automatic_step(facts("draft")) == "open"
    not_yet = facts(dates=Dates(opens_at=NOW + timedelta(hours=1), deadline_at=NOW + timedelta(9)))
    assert lifecycle.due_automatic_step(not_yet) is None
    assert lifecycle.due_automatic_step(facts("draft", domains=())) is None
    assert lifecycle.due_automatic_step(facts("draft", dates=Dates(deadline_at=NOW))) is None


@pytest.mark.parametrize("status", ["review", "shortlist", "pitch", "results", "archived"])
def test_later_steps_wait_for_the_organisers(status: str):
    far = facts(
        status,
        now=NOW + timedelta(days=400),
        dates=Dates(
            opens_at=NOW,
            deadline_at=NOW + timedelta(days=1),
            review_ends_at=NOW + timedelta(days=2),
            pitch_at=NOW + timedelta(days=3),
            results_at=NOW + timedelta(days=4),
        ),
    )
    assert lifecycle.due_automatic_step(far) is None
    assert lifecycle.next_automatic_step(far) is None


def test_the_next_automatic_step_says_when_and_what_blocks_it():
    step = lifecycle.next_automatic_step(facts("open"))
    assert step is not None and step.target == "review" and step.at == NOW + timedelta(days=20)
    blocked = lifecycle.next_automatic_step(facts("draft", domains=()))
    assert blocked is not None and codes(list(blocked.blocked_by)) == {"domains_missing"}
    assert lifecycle.next_automatic_step(facts("draft", dates=Dates())) is None


def test_the_timeline_marks_done_current_and_upcoming_steps():
    steps = lifecycle.timeline("review", Dates(deadline_at=NOW))
    assert [s.state for s in steps[:4]] == ["done", "done", "current", "upcoming"]
    assert steps[2].at == NOW and steps[2].automatic
    assert not steps[3].automatic


# ---------------------------------------------------------------- dates ----------------------


def test_dates_in_order_are_accepted():
    dates = Dates(*(NOW + timedelta(days=d) for d in (1, 10, 20, 30, 31)))
    assert lifecycle.validate_dates(dates, None, NOW) == []


def test_overlapping_dates_are_refused_on_the_later_field():
    dates = Dates(
        opens_at=NOW + timedelta(days=10),
        deadline_at=NOW + timedelta(days=5),
        pitch_at=NOW + timedelta(days=20),
        results_at=NOW + timedelta(days=20),
    )
    problems = lifecycle.validate_dates(dates, None, NOW)
    assert [(p.code, p.field, p.other) for p in problems] == [
        ("before", "deadline_at", "opens_at"),
        ("before", "results_at", "pitch_at"),
    ]


def test_a_date_is_compared_with_the_nearest_earlier_date_set():
    dates = Dates(opens_at=NOW + timedelta(days=10), pitch_at=NOW + timedelta(days=2))
    problems = lifecycle.validate_dates(dates, None, NOW)
    assert [(p.field, p.other) for p in problems] == [("pitch_at", "opens_at")]


def test_a_date_changed_to_the_past_is_refused_but_an_unchanged_past_date_is_kept():
    old = Dates(opens_at=NOW - timedelta(days=3), deadline_at=NOW + timedelta(days=3))
    assert lifecycle.validate_dates(old, old, NOW, "open") == []
    moved = Dates(opens_at=NOW - timedelta(days=2), deadline_at=NOW + timedelta(days=3))
    assert [(p.code, p.field) for p in lifecycle.validate_dates(moved, old, NOW, "open")] == [
        ("past", "opens_at")
    ]


def test_a_date_sent_back_without_its_seconds_is_unchanged():
    stored = NOW - timedelta(days=1, seconds=-37)
    old = Dates(opens_at=stored)
    typed = Dates(opens_at=stored.replace(second=0))
    assert lifecycle.validate_dates(typed, old, NOW) == []


def test_a_published_campaign_keeps_its_deadline():
    problems = lifecycle.validate_dates(Dates(), Dates(deadline_at=NOW), NOW, "open")
    assert [(p.code, p.field) for p in problems] == [("deadline_required", "deadline_at")]
    assert lifecycle.validate_dates(Dates(), None, NOW, "draft") == []
