"""A campaign as the command line names it, and as a job refers to it."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from challenge.campaigns.models import Campaign
from challenge.errors import NotFound
from challenge.extensions import db


def find_campaign(reference: str) -> Campaign:
    """A campaign by its id or its slug (the command line's CAMPAIGN)."""
    reference = reference.strip()
    campaign = None
    if reference.isdigit():
        campaign = db.session.get(Campaign, int(reference))
    if campaign is None:
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == reference))
    if campaign is None:
        raise NotFound(_("Campagne inconnue : %(ref)s", ref=reference))
    return campaign


def campaign_of(campaign_id: int) -> Campaign:
    """A job's campaign (it may have been deleted since: 404)."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound
    return campaign
