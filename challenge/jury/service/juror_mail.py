"""What every e-mail to jurors shares: its recipients, each with what they may see."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from challenge.access.juror_view import Sight, juror_sight
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.extensions import db
from challenge.notifications.rendering import external_url


def juror_recipients(campaign: Campaign, juror_ids: Collection[int]) -> list[tuple[User, Sight]]:
    """The jurors, by id, each with their sight: a mail to a juror renders only what it shows."""
    if not juror_ids:
        return []
    users = db.session.scalars(
        select(User).where(User.id.in_(sorted(juror_ids))).order_by(User.id)
    ).all()
    return [(user, juror_sight(campaign, user.id)) for user in users]


def workspace_link() -> str:
    return external_url("jury.workspace")
