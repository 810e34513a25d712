""" "Mes propositions": every proposal a person writes or co-writes, with its progress."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from challenge.access.outcomes import AgentOutcome, outcome_for_agent
from challenge.access.proposals import accepts_submissions, author_clause
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.extensions import db
from challenge.jury.models import ShortlistDecision
from challenge.proposals.models import Proposal, ProposalAuthor, ProposalStatus
from challenge.proposals.timeline import Progress, progress
from challenge.timeutils import utcnow


@dataclass(frozen=True)
class MyProposal:
    proposal: Proposal
    campaign: Campaign
    role: str
    progress: Progress
    editable: bool
    messages: list[str]
    outcome: AgentOutcome | None = None


def my_proposals(user: User) -> list[MyProposal]:
    """Every proposal the person writes or co-writes, newest first, in a constant number of
    queries whatever their number."""
    rows = db.session.execute(
        select(Proposal, ProposalAuthor.role)
        .join(ProposalAuthor, ProposalAuthor.proposal_id == Proposal.id)
        .join(Proposal.campaign)
        .where(author_clause(user))
        .options(contains_eager(Proposal.campaign))
        .order_by(Proposal.updated_at.desc(), Proposal.id.desc())
    ).all()
    ids = [proposal.id for proposal, _role in rows]
    shortlisted = _shortlisted(ids)
    # The final outcome and the jury's words: only once the results are announced.
    outcomes = outcome_for_agent(ids)
    now = utcnow()
    result = []
    for proposal, role in rows:
        campaign = proposal.campaign
        open_now = accepts_submissions(campaign, now)
        outcome = outcomes.get(proposal.id)
        result.append(
            MyProposal(
                proposal=proposal,
                campaign=campaign,
                role=role,
                progress=progress(
                    proposal.status,
                    campaign.status,
                    accepts_submissions=open_now,
                    was_shortlisted=proposal.id in shortlisted,
                ),
                editable=open_now or proposal.status == ProposalStatus.DRAFT.value,
                messages=list(outcome.jury_messages) if outcome is not None else [],
                outcome=outcome,
            )
        )
    return result


def progress_of(proposal: Proposal) -> Progress:
    campaign = proposal.campaign
    return progress(
        proposal.status,
        campaign.status,
        accepts_submissions=accepts_submissions(campaign),
        was_shortlisted=proposal.id in _shortlisted([proposal.id]),
    )


def _shortlisted(proposal_ids: list[int]) -> set[int]:
    if not proposal_ids:
        return set()
    return set(
        db.session.scalars(
            select(ShortlistDecision.proposal_id).where(
                ShortlistDecision.proposal_id.in_(proposal_ids), ShortlistDecision.selected
            )
        )
    )
