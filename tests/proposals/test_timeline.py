"""What authors see of their proposal's progress: the outcome only once it is public."""

from __future__ import annotations

import pytest

from challenge.proposals.timeline import Badge, Step, StepState, progress


def states(result) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {s.step.value: s.state.value for s in result.steps}


def test_a_draft_before_the_deadline() -> None:
    result = progress("draft", "open", accepts_submissions=True)
    assert result.badge is Badge.DRAFT
    assert result.steps[0].step is Step.DRAFT and result.steps[0].state is StepState.CURRENT
    assert all(s.state is StepState.UPCOMING for s in result.steps[1:])


def test_a_draft_never_sent_before_the_deadline_is_shown_as_not_sent() -> None:
    assert progress("draft", "open", accepts_submissions=False).badge is Badge.CLOSED
    assert progress("draft", "review", accepts_submissions=False).badge is Badge.CLOSED


def test_a_withdrawn_proposal_has_no_timeline() -> None:
    result = progress("withdrawn", "open", accepts_submissions=True)
    assert result.badge is Badge.WITHDRAWN and result.steps == ()


def test_submitted_while_open_then_under_review() -> None:
    sent = progress("submitted", "open", accepts_submissions=True)
    assert sent.badge is Badge.SUBMITTED
    assert states(sent) == {
        "submitted": "done",
        "review": "upcoming",
        "shortlisted": "upcoming",
        "pitch": "upcoming",
        "result": "upcoming",
    }
    review = progress("submitted", "review", accepts_submissions=False)
    assert review.badge is Badge.UNDER_REVIEW and states(review)["review"] == "current"


@pytest.mark.parametrize("status", ["shortlisted", "not_retained", "laureate", "mention"])
@pytest.mark.parametrize("campaign", ["review", "shortlist"])
def test_the_jurys_decisions_stay_hidden_during_review_and_shortlist(
    status: str, campaign: str
) -> None:
    result = progress(status, campaign, accepts_submissions=False, was_shortlisted=True)
    assert result.badge is Badge.UNDER_REVIEW
    assert states(result)["review"] == "current"
    assert states(result)["shortlisted"] == "upcoming"


def test_pitch_stage_shows_the_shortlist_only_to_the_shortlisted() -> None:
    chosen = progress("shortlisted", "pitch", accepts_submissions=False)
    assert chosen.badge is Badge.SHORTLISTED
    assert states(chosen) == {
        "submitted": "done",
        "review": "done",
        "shortlisted": "done",
        "pitch": "current",
        "result": "upcoming",
    }
    # Not chosen: the letters are not sent yet, say nothing more than "being examined".
    other = progress("submitted", "pitch", accepts_submissions=False)
    assert other.badge is Badge.UNDER_REVIEW
    assert "shortlisted" not in states(other) and states(other)["result"] == "upcoming"


def test_results() -> None:
    laureate = progress("laureate", "results", accepts_submissions=False)
    assert laureate.badge is Badge.LAUREATE and states(laureate)["result"] == "done"
    mention = progress("mention", "archived", accepts_submissions=False)
    assert mention.badge is Badge.MENTION
    pitched_not_retained = progress(
        "not_retained", "results", accepts_submissions=False, was_shortlisted=True
    )
    assert pitched_not_retained.badge is Badge.NOT_RETAINED
    assert states(pitched_not_retained)["pitch"] == "done"
    assert states(pitched_not_retained)["result"] == "failed"
    not_shortlisted = progress("not_retained", "results", accepts_submissions=False)
    assert not_shortlisted.badge is Badge.NOT_RETAINED
    assert states(not_shortlisted)["shortlisted"] == "failed"
    assert "pitch" not in states(not_shortlisted)
    waiting = progress("shortlisted", "results", accepts_submissions=False)
    assert waiting.badge is Badge.SHORTLISTED and states(waiting)["result"] == "current"


def test_an_unknown_campaign_status_does_not_crash() -> None:
    assert (
        progress("submitted", "something-new", accepts_submissions=False).badge is Badge.SUBMITTED
    )
