"""What an author may read of the decision on their proposal, and from when.

The outcome stays "under review" for its authors until the campaign announces its results
(status ``results`` or ``archived``); then they read the outcome and the jury's messages to
them, never the jurors' names. "Mes propositions", the results e-mails and the personal-data
export all read it here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from challenge.campaigns.models import Campaign, CampaignStatus
from challenge.extensions import db
from challenge.jury.models import Review, ReviewPhase, ReviewStatus
from challenge.proposals.models import ProposalStatus
from challenge.results.models import Outcome, ResultDecision

# The campaign's statuses in which its results are announced (to authors and on the public page).
RESULTS_ANNOUNCED = (CampaignStatus.RESULTS.value, CampaignStatus.ARCHIVED.value)
FINAL_OUTCOMES = (Outcome.LAUREATE.value, Outcome.MENTION.value)
STATUS_OF_OUTCOME = {
    Outcome.LAUREATE.value: ProposalStatus.LAUREATE.value,
    Outcome.MENTION.value: ProposalStatus.MENTION.value,
    Outcome.SHORTLISTED_NOT_RETAINED.value: ProposalStatus.NOT_RETAINED.value,
    Outcome.NOT_RETAINED.value: ProposalStatus.NOT_RETAINED.value,
}
OUTCOME_LABELS = {
    Outcome.LAUREATE.value: _l("Lauréat"),
    Outcome.MENTION.value: _l("Mention du jury"),
    Outcome.SHORTLISTED_NOT_RETAINED.value: _l("Pitch, non retenu"),
    Outcome.NOT_RETAINED.value: _l("Non retenu"),
}


def jury_messages(proposal_ids: Iterable[int]) -> dict[int, list[str]]:
    """The jurors' messages to the authors (written, then pitch), without their names: 1 query."""
    ids = list(proposal_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Review.proposal_id, Review.phase, Review.message_for_agent)
        .where(
            Review.proposal_id.in_(ids),
            Review.status == ReviewStatus.SUBMITTED.value,
            Review.message_for_agent != "",
        )
        .order_by(Review.proposal_id, Review.submitted_at, Review.id)
    ).all()
    phase_order = {ReviewPhase.WRITTEN.value: 0, ReviewPhase.PITCH.value: 1}
    result: dict[int, list[str]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: (r.proposal_id, phase_order.get(r.phase, 2))):
        text = (r.message_for_agent or "").strip()
        if text:
            result[r.proposal_id].append(text)
    return dict(result)


@dataclass(frozen=True)
class AgentOutcome:
    """What an author may read of the final decision, once the results are announced."""

    proposal_id: int
    outcome: str  # laureate | mention | shortlisted_not_retained | not_retained
    status: str  # the proposal's final status
    decided_at: datetime
    jury_messages: tuple[str, ...]  # the jurors' messages to the authors, without their names
    consent_endpoint: str | None  # where a laureate gives or withdraws consent to publish names

    @property
    def label(self) -> str:
        """The outcome in words, in the reader's language (computed when shown)."""
        return str(OUTCOME_LABELS.get(self.outcome, self.outcome))


def outcome_for_agent(proposal_ids: Iterable[int]) -> dict[int, AgentOutcome]:
    """The final outcome and the jury's words for each proposal whose result is announced
    (campaign in "results" or "archived"). No permission check: the caller passes the ids of the
    person's own proposals. Two queries whatever the number of proposals."""
    ids = list(dict.fromkeys(proposal_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(ResultDecision.proposal_id, ResultDecision.outcome, ResultDecision.decided_at)
        .join(Campaign, Campaign.id == ResultDecision.campaign_id)
        .where(ResultDecision.proposal_id.in_(ids), Campaign.status.in_(RESULTS_ANNOUNCED))
    ).all()
    if not rows:
        return {}
    messages = jury_messages(r.proposal_id for r in rows)
    return {
        r.proposal_id: AgentOutcome(
            proposal_id=r.proposal_id,
            outcome=r.outcome,
            status=STATUS_OF_OUTCOME.get(r.outcome, ProposalStatus.NOT_RETAINED.value),
            decided_at=r.decided_at,
            jury_messages=tuple(messages.get(r.proposal_id, [])),
            consent_endpoint="results.name_consent" if r.outcome in FINAL_OUTCOMES else None,
        )
        for r in rows
    }
