"""The public page of a campaign's laureates and mentions, with the names their authors allow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from challenge.access.outcomes import FINAL_OUTCOMES, RESULTS_ANNOUNCED
from challenge.campaigns.models import Campaign
from challenge.errors import NotFound
from challenge.extensions import db
from challenge.proposals.models import AuthorRole, Proposal, ProposalStatus
from challenge.results.models import NameConsent, Outcome, ResultDecision
from challenge.results.queries.proposals import AuthorContact, authors_of


@dataclass(frozen=True)
class PublicLaureate:
    proposal_id: int
    outcome: str
    title: str
    irritant: str
    administration: str
    names: list[str]  # only the authors who agreed


@dataclass(frozen=True)
class PublicPage:
    campaign: Campaign
    laureates: list[PublicLaureate]
    mentions: list[PublicLaureate]


def public_laureates(slug: str) -> PublicPage:
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None or campaign.status not in RESULTS_ANNOUNCED:
        raise NotFound
    items = _published(campaign.id)
    return PublicPage(
        campaign=campaign,
        laureates=[i for i in items if i.outcome == Outcome.LAUREATE.value],
        mentions=[i for i in items if i.outcome == Outcome.MENTION.value],
    )


def _published(campaign_id: int) -> list[PublicLaureate]:
    """The laureates and mentions by title, each with the names of the authors who agreed."""
    rows = db.session.execute(
        select(
            Proposal.id,
            Proposal.title,
            Proposal.irritant,
            Proposal.administration,
            Proposal.publish_name_consent,
            ResultDecision.outcome,
        )
        .join(ResultDecision, ResultDecision.proposal_id == Proposal.id)
        .where(
            ResultDecision.campaign_id == campaign_id,
            ResultDecision.outcome.in_(FINAL_OUTCOMES),
            Proposal.status.in_((ProposalStatus.LAUREATE.value, ProposalStatus.MENTION.value)),
        )
        .order_by(Proposal.title, Proposal.id)
    ).all()
    ids = [r.id for r in rows]
    authors = authors_of(ids)
    consents = consents_of(ids)
    return [
        PublicLaureate(
            r.id,
            r.outcome,
            r.title,
            r.irritant,
            r.administration,
            [
                a.name
                for a in authors.get(r.id, [])
                if a.name and agreed(a, consents, r.publish_name_consent)
            ],
        )
        for r in rows
    ]


def consents_of(proposal_ids: Sequence[int]) -> dict[int, bool]:
    """Author id -> their answer, for the authors who answered."""
    if not proposal_ids:
        return {}
    return dict(
        db.session.execute(
            select(NameConsent.author_id, NameConsent.consent).where(
                NameConsent.proposal_id.in_(list(proposal_ids))
            )
        ).all()
    )


def agreed(author: AuthorContact, consents: Mapping[int, bool], proposal_consent: bool) -> bool:
    """The author's own answer; without one, the submitter's answer given when submitting."""
    if author.author_id in consents:
        return consents[author.author_id]
    return author.role == AuthorRole.SUBMITTER.value and bool(proposal_consent)
