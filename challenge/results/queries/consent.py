"""A laureate's (or mentioned) author's page: may the public page show their name?"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from challenge.access.outcomes import FINAL_OUTCOMES, RESULTS_ANNOUNCED
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.errors import NotFound
from challenge.extensions import db
from challenge.proposals.models import Proposal
from challenge.results.models import ResultDecision
from challenge.results.queries.proposals import AuthorContact, authors_of
from challenge.results.queries.public import agreed, consents_of


@dataclass(frozen=True)
class ConsentPage:
    proposal_id: int
    title: str
    outcome: str
    campaign: Campaign
    consent: bool


def laureate_authorship(user: User, proposal_id: int) -> tuple[Proposal, AuthorContact, str]:
    """The proposal, ``user`` as one of its authors, and its outcome, once announced; 404
    unless ``user`` wrote a laureate or mentioned proposal whose results are out."""
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound
    decision = db.session.scalar(
        select(ResultDecision).where(ResultDecision.proposal_id == proposal.id)
    )
    campaign = db.session.get(Campaign, proposal.campaign_id)
    if (
        decision is None
        or decision.outcome not in FINAL_OUTCOMES
        or campaign is None
        or campaign.status not in RESULTS_ANNOUNCED
    ):
        raise NotFound
    author = next(
        (
            a
            for a in authors_of([proposal.id])[proposal.id]
            if a.user_id == user.id or a.email == (user.email or "").lower()
        ),
        None,
    )
    if author is None:
        raise NotFound
    return proposal, author, decision.outcome


def consent_page(user: User, proposal_id: int) -> ConsentPage:
    proposal, author, outcome = laureate_authorship(user, proposal_id)
    return ConsentPage(
        proposal_id=proposal.id,
        title=proposal.title,
        outcome=outcome,
        campaign=proposal.campaign,
        consent=agreed(author, consents_of([proposal.id]), proposal.publish_name_consent),
    )
