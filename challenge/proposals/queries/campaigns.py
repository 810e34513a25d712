"""The campaign an agent writes for: public, taking submissions, open to the agent's domain."""

from __future__ import annotations

from challenge.access.campaigns import published_campaign
from challenge.access.proposals import accepts_submissions, is_agent_of
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.proposals.refusals import CampaignClosed, DomainNotAllowed


def public_campaign(slug: str, with_questions: bool = True) -> Campaign:
    """The campaign an agent opens by its address (its questions loaded for the form)."""
    return published_campaign(slug, with_questions=with_questions)


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
