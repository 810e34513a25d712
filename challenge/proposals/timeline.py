"""What an author sees of their proposal's progress: pure functions of the statuses, no Flask.

The outcome (shortlisted or not, laureate or not) is only revealed when the campaign reaches the
stage where the organisers announce it: the shortlist from the pitch stage, the final result from
the results stage. Until then the author reads "under review", whatever the jury has decided.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from challenge.proposals.lifecycle import IN_COMPETITION, ON_PITCH_LIST

CAMPAIGN_ORDER = ("draft", "open", "review", "shortlist", "pitch", "results", "archived")
SHORTLISTED = ON_PITCH_LIST  # chosen for the pitch, whatever the outcome since


class StepState(enum.StrEnum):
    DONE = "done"
    CURRENT = "current"
    UPCOMING = "upcoming"
    FAILED = "failed"  # the path stopped here (not retained)


class Step(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    REVIEW = "review"
    SHORTLISTED = "shortlisted"
    PITCH = "pitch"
    RESULT = "result"


class Badge(enum.StrEnum):
    """The one status shown to authors (never the jury's internal state before it is public)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    UNDER_REVIEW = "under_review"
    SHORTLISTED = "shortlisted"
    LAUREATE = "laureate"
    MENTION = "mention"
    NOT_RETAINED = "not_retained"
    CLOSED = "closed"  # a draft never sent before the deadline


@dataclass(frozen=True)
class TimelineStep:
    step: Step
    state: StepState


@dataclass(frozen=True)
class Progress:
    badge: Badge
    steps: tuple[TimelineStep, ...]


def _stage(campaign_status: str) -> int:
    try:
        return CAMPAIGN_ORDER.index(campaign_status)
    except ValueError:
        return 0


def progress(
    proposal_status: str,
    campaign_status: str,
    *,
    accepts_submissions: bool,
    was_shortlisted: bool = False,
) -> Progress:
    """The badge and timeline of one proposal for its authors."""
    stage = _stage(campaign_status)
    if proposal_status == "withdrawn":
        return Progress(Badge.WITHDRAWN, ())
    if proposal_status not in IN_COMPETITION:
        return _unsent(accepts_submissions)
    steps = [
        TimelineStep(Step.SUBMITTED, StepState.DONE),
        TimelineStep(Step.REVIEW, _review_state(stage)),
    ]
    if stage < _stage("pitch"):  # the shortlist is not public yet
        steps += [
            TimelineStep(Step.SHORTLISTED, StepState.UPCOMING),
            TimelineStep(Step.PITCH, StepState.UPCOMING),
            TimelineStep(Step.RESULT, StepState.UPCOMING),
        ]
        badge = Badge.SUBMITTED if stage <= _stage("open") else Badge.UNDER_REVIEW
        return Progress(badge, tuple(steps))
    result_public = stage >= _stage("results")
    if proposal_status in SHORTLISTED or was_shortlisted:
        return _shortlisted(proposal_status, steps, result_public)
    if result_public:
        steps.append(TimelineStep(Step.SHORTLISTED, StepState.FAILED))
        return Progress(Badge.NOT_RETAINED, tuple(steps))
    # The shortlist is known, the result letters are not sent yet: say nothing more.
    steps.append(TimelineStep(Step.RESULT, StepState.UPCOMING))
    return Progress(Badge.UNDER_REVIEW, tuple(steps))


def _unsent(accepts_submissions: bool) -> Progress:
    """A draft: still to send, or closed (never sent before the deadline)."""
    badge = Badge.DRAFT if accepts_submissions else Badge.CLOSED
    steps = (TimelineStep(Step.DRAFT, StepState.CURRENT),) + tuple(
        TimelineStep(s, StepState.UPCOMING)
        for s in (Step.SUBMITTED, Step.REVIEW, Step.SHORTLISTED, Step.PITCH, Step.RESULT)
    )
    return Progress(badge, steps)


def _review_state(stage: int) -> StepState:
    if stage <= _stage("open"):
        return StepState.UPCOMING
    return StepState.DONE if stage >= _stage("pitch") else StepState.CURRENT


# The final badge and last step once the results are public, by proposal status.
_RESULTS = {
    "laureate": (Badge.LAUREATE, StepState.DONE),
    "mention": (Badge.MENTION, StepState.DONE),
    "not_retained": (Badge.NOT_RETAINED, StepState.FAILED),
}


def _shortlisted(proposal_status: str, steps: list[TimelineStep], result_public: bool) -> Progress:
    """On the public shortlist: the pitch to come, or the result once announced."""
    steps.append(TimelineStep(Step.SHORTLISTED, StepState.DONE))
    if not result_public:
        steps += [
            TimelineStep(Step.PITCH, StepState.CURRENT),
            TimelineStep(Step.RESULT, StepState.UPCOMING),
        ]
        return Progress(Badge.SHORTLISTED, tuple(steps))
    steps.append(TimelineStep(Step.PITCH, StepState.DONE))
    if proposal_status in _RESULTS:
        badge, state = _RESULTS[proposal_status]
        steps.append(TimelineStep(Step.RESULT, state))
        return Progress(badge, tuple(steps))
    # Shortlisted and the results stage reached, but no decision recorded yet.
    steps.append(TimelineStep(Step.RESULT, StepState.CURRENT))
    return Progress(Badge.SHORTLISTED, tuple(steps))
