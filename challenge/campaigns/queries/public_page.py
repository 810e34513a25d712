"""The campaign's public page: the call, its dates, whether agents may propose now."""

from __future__ import annotations

from sqlalchemy import select

from challenge.access.roles import is_organiser
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign, CampaignStatus
from challenge.errors import NotFound
from challenge.extensions import db


def public_campaign(slug: str, viewer: User | None = None) -> Campaign:
    """A published campaign by its slug; a draft only for its organisers (``viewer``)."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise NotFound
    if campaign.status == CampaignStatus.DRAFT.value and not (
        viewer is not None and is_organiser(viewer, campaign.id)
    ):
        raise NotFound
    return campaign
