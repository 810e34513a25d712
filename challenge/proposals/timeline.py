"""What an author sees of their proposal's progress: pure functions of the statuses, no Flask.

The outcome (shortlisted or not, laureate or not) is only revealed when the campaign reaches the
stage where the organisers announce it: the shortlist from the pitch stage, the final result from
the results stage. Until then the author reads "under review", whatever the jury has decided.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

CAMPAIGN_ORDER = ("draft", "open", "review", "shortlist", "pitch", "results", "archived")
IN_COMPETITION = ("submitted", "shortlisted", "not_retained", "laureate", "mention")
SHORTLISTED = ("shortlisted", "laureate", "mention")


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
        badge = Badge.DRAFT if accepts_submissions else Badge.CLOSED
        steps = (TimelineStep(Step.DRAFT, StepState.CURRENT),) + tuple(
            TimelineStep(s, StepState.UPCOMING)
            for s in (Step.SUBMITTED, Step.REVIEW, Step.SHORTLISTED, Step.PITCH, Step.RESULT)
        )
        return Progress(badge, steps)

    shortlist_public = stage >= _stage("pitch")
    result_public = stage >= _stage("results")
    shortlisted = proposal_status in SHORTLISTED or was_shortlisted

    def state_of_review() -> StepState:
        if stage <= _stage("open"):
            return StepState.UPCOMING
        return StepState.DONE if shortlist_public else StepState.CURRENT

    steps = [
        TimelineStep(Step.SUBMITTED, StepState.DONE),
        TimelineStep(Step.REVIEW, state_of_review()),
    ]
    if not shortlist_public:
        steps += [
            TimelineStep(Step.SHORTLISTED, StepState.UPCOMING),
            TimelineStep(Step.PITCH, StepState.UPCOMING),
            TimelineStep(Step.RESULT, StepState.UPCOMING),
        ]
        badge = Badge.SUBMITTED if stage <= _stage("open") else Badge.UNDER_REVIEW
        return Progress(badge, tuple(steps))

    if not shortlisted:
        if result_public:
            steps.append(TimelineStep(Step.SHORTLISTED, StepState.FAILED))
            return Progress(Badge.NOT_RETAINED, tuple(steps))
        # The shortlist is known, the result letters are not sent yet: say nothing more.
        steps.append(TimelineStep(Step.RESULT, StepState.UPCOMING))
        return Progress(Badge.UNDER_REVIEW, tuple(steps))

    steps.append(TimelineStep(Step.SHORTLISTED, StepState.DONE))
    if not result_public:
        steps += [
            TimelineStep(Step.PITCH, StepState.CURRENT),
            TimelineStep(Step.RESULT, StepState.UPCOMING),
        ]
        return Progress(Badge.SHORTLISTED, tuple(steps))
    steps.append(TimelineStep(Step.PITCH, StepState.DONE))
    if proposal_status == "laureate":
        steps.append(TimelineStep(Step.RESULT, StepState.DONE))
        return Progress(Badge.LAUREATE, tuple(steps))
    if proposal_status == "mention":
        steps.append(TimelineStep(Step.RESULT, StepState.DONE))
        return Progress(Badge.MENTION, tuple(steps))
    if proposal_status == "not_retained":
        steps.append(TimelineStep(Step.RESULT, StepState.FAILED))
        return Progress(Badge.NOT_RETAINED, tuple(steps))
    # Shortlisted and the results stage reached, but no decision recorded yet.
    steps.append(TimelineStep(Step.RESULT, StepState.CURRENT))
    return Progress(Badge.SHORTLISTED, tuple(steps))
