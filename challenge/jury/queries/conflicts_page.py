"""A juror's conflicts of interest: the ones they declared, and the automatic rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from challenge.access.campaigns import campaign_for_juror
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.extensions import db
from challenge.jury.models import Conflict, ConflictSource
from challenge.proposals.models import Proposal


@dataclass(frozen=True)
class DeclaredConflict:
    id: int
    proposal_id: int | None
    proposal_title: str | None
    administration: str | None
    reason: str
    created_at: datetime


@dataclass(frozen=True)
class ConflictsPage:
    campaign: Campaign
    declared: list[DeclaredConflict]
    own_administration: str
    same_administration_rule: bool


def conflicts_page(user: User, campaign_id: int) -> ConflictsPage:
    campaign = campaign_for_juror(user, campaign_id)
    rows = db.session.execute(
        select(Conflict, Proposal.title)
        .outerjoin(Proposal, Proposal.id == Conflict.proposal_id)
        .where(
            Conflict.campaign_id == campaign.id,
            Conflict.juror_id == user.id,
            Conflict.source == ConflictSource.DECLARED.value,
        )
        .order_by(Conflict.created_at, Conflict.id)
    ).all()
    declared = [
        DeclaredConflict(c.id, c.proposal_id, title, c.administration, c.reason, c.created_at)
        for c, title in rows
    ]
    return ConflictsPage(
        campaign, declared, user.administration, campaign.same_administration_conflict
    )


def declared_conflicts(campaign_id: int, juror_id: int) -> list[Conflict]:
    """The conflicts the juror declared in the campaign (not the automatic ones)."""
    return list(
        db.session.scalars(
            select(Conflict).where(
                Conflict.campaign_id == campaign_id,
                Conflict.juror_id == juror_id,
                Conflict.source == ConflictSource.DECLARED.value,
            )
        )
    )
