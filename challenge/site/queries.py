"""Reads of the public pages: the campaigns the home page lists, whether the database answers."""

from __future__ import annotations

from sqlalchemy import case, select, text

from challenge.campaigns.models import PUBLISHED_STATUSES, Campaign, CampaignStatus
from challenge.extensions import db


def home_campaigns() -> list[Campaign]:
    """The published campaigns not archived: open ones first, then the latest deadlines."""
    open_first = case((Campaign.status == CampaignStatus.OPEN.value, 0), else_=1)
    return list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.status.in_(PUBLISHED_STATUSES))
            .where(Campaign.status != CampaignStatus.ARCHIVED.value)
            .order_by(open_first, Campaign.deadline_at.desc(), Campaign.id.desc())
        ).all()
    )


def database_answers() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy"
        return False
    return True
