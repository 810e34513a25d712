"""The people of one role in a campaign (organisers, jurors), as their set-up pages list them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from challenge.accounts.models import Membership, Role, User
from challenge.campaigns.models import Campaign
from challenge.extensions import db


@dataclass(frozen=True)
class MemberRow:
    id: int
    email: str
    name: str
    active: bool
    invited_at: datetime


def members(campaign: Campaign, role: Role) -> list[MemberRow]:
    rows = db.session.execute(
        select(Membership, User.first_name, User.last_name)
        .outerjoin(User, User.id == Membership.user_id)
        .where(Membership.campaign_id == campaign.id, Membership.role == role.value)
        .order_by(Membership.email)
    ).all()
    return [
        MemberRow(
            id=m.id,
            email=m.email,
            name=f"{first or ''} {last or ''}".strip(),
            active=m.user_id is not None,
            invited_at=m.invited_at,
        )
        for m, first, last in rows
    ]
