"""The campaign an agent writes for: public, taking submissions, open to the agent's domain."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from challenge.access.proposals import accepts_submissions, is_agent_of
from challenge.accounts.models import User
from challenge.campaigns.models import PUBLIC_STATUSES, Campaign
from challenge.errors import NotFound
from challenge.extensions import db
from challenge.proposals.refusals import CampaignClosed, DomainNotAllowed


def public_campaign(slug: str, with_questions: bool = True) -> Campaign:
    statement = select(Campaign).where(Campaign.slug == slug, Campaign.status.in_(PUBLIC_STATUSES))
    if with_questions:
        statement = statement.options(selectinload(Campaign.questions))
    campaign = db.session.scalar(statement)
    if campaign is None:
        raise NotFound
    return campaign


def ensure_open(campaign: Campaign) -> None:
    """Authors change their proposals only while the campaign takes submissions."""
    if not accepts_submissions(campaign):
        raise CampaignClosed(campaign)


def ensure_agent_of(campaign: Campaign, user: User) -> None:
    if not is_agent_of(campaign, user.email):
        raise DomainNotAllowed(campaign, user.email)


def campaign_for_new_proposal(slug: str, user: User) -> Campaign:
    """The campaign an agent wants to write for, if they may; raise the reason otherwise."""
    campaign = public_campaign(slug)
    ensure_agent_of(campaign, user)
    ensure_open(campaign)
    return campaign
