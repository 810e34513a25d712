"""The organisers' index: who may see it, who may create campaigns, the campaigns listed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from challenge.access.roles import campaign_ids_with_role, may_create_campaigns
from challenge.accounts.models import Role, User
from challenge.campaigns.models import Campaign
from challenge.extensions import db
from challenge.proposals.models import IN_COMPETITION, Proposal


@dataclass(frozen=True)
class CampaignSummary:
    campaign: Campaign
    proposals: int


def organiser_campaigns(user: User) -> list[CampaignSummary]:
    """The campaigns ``user`` organises (admins: all), with their number of proposals."""
    query = select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())
    if not may_create_campaigns(user):
        ids = campaign_ids_with_role(user, Role.ORGANISER)
        if not ids:
            return []
        query = query.where(Campaign.id.in_(ids))
    campaigns = db.session.scalars(query).all()
    counts = dict(
        db.session.execute(
            select(Proposal.campaign_id, func.count())
            .where(
                Proposal.campaign_id.in_([c.id for c in campaigns]),
                Proposal.status.in_(IN_COMPETITION),
            )
            .group_by(Proposal.campaign_id)
        ).all()
    )
    return [CampaignSummary(c, counts.get(c.id, 0)) for c in campaigns]
