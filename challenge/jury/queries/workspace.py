"""The juror's workspace: the campaigns where they sit, each with the proposals they review."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from challenge.access.campaigns import campaign_for_juror
from challenge.access.juror_view import Sight, juror_sight
from challenge.access.roles import campaign_ids_with_role
from challenge.accounts.models import Role, User
from challenge.campaigns.models import Campaign
from challenge.extensions import db
from challenge.jury.models import Review, ReviewPhase, ReviewStatus
from challenge.jury.queries.phases import review_state
from challenge.proposals.models import Proposal


class WorkState:
    TODO = "todo"
    DRAFT = "draft"
    DONE = "done"


WORK_STATES = (WorkState.TODO, WorkState.DRAFT, WorkState.DONE)


def work_state(review_status: str | None) -> str:
    """Where the juror stands on a proposal, from their review's status (None: no review)."""
    if review_status is None:
        return WorkState.TODO
    if review_status == ReviewStatus.SUBMITTED.value:
        return WorkState.DONE
    return WorkState.DRAFT


def next_after(pending: list[int], after: int | None) -> int | None:
    """The first of ``pending`` (ids, ascending) after ``after``, wrapping; never ``after``."""
    others = [p for p in pending if p != after]
    later = [p for p in others if after is not None and p > after]
    return (later or others or [None])[0]


@dataclass(frozen=True)
class AssignedProposal:
    proposal_id: int
    title: str
    administration: str | None  # None when the juror's sight hides it (blind review)
    state: str  # WorkState
    updated_at: datetime | None


@dataclass(frozen=True)
class CampaignWork:
    campaign: Campaign
    sight: Sight  # what the juror may see: the page's columns follow it
    items: list[AssignedProposal]  # after the filter
    total: int
    todo: int
    drafts: int
    done: int
    can_score: bool
    closed_reason: str | None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def workspace(user: User, state: str | None = None) -> list[CampaignWork]:
    """The campaigns where ``user`` is a juror, each with its assigned proposals."""
    ids = campaign_ids_with_role(user, Role.JUROR)
    if not ids:
        return []
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.id.in_(ids)).order_by(Campaign.created_at.desc())
    ).all()
    return [_campaign_work(campaign, user, state) for campaign in campaigns]


def _campaign_work(campaign: Campaign, user: User, state: str | None) -> CampaignWork:
    sight = juror_sight(campaign, user.id)
    items = assigned_items(campaign, sight)
    counts = Counter(item.state for item in items)
    can_score, reason = review_state(campaign)
    shown = [i for i in items if state in WORK_STATES and i.state == state] if state else items
    return CampaignWork(
        campaign=campaign,
        sight=sight,
        items=shown,
        total=len(items),
        todo=counts[WorkState.TODO],
        drafts=counts[WorkState.DRAFT],
        done=counts[WorkState.DONE],
        can_score=can_score,
        closed_reason=reason,
    )


def assigned_items(campaign: Campaign, sight: Sight) -> list[AssignedProposal]:
    """The proposals the juror of ``sight`` reviews in the written phase, by id."""
    visible = sorted(sight.proposal_ids or ())
    if not visible:
        return []
    proposals = db.session.execute(
        select(Proposal.id, Proposal.title, Proposal.administration)
        .where(Proposal.id.in_(visible))
        .order_by(Proposal.id)
    ).all()
    reviews = {
        r.proposal_id: r
        for r in db.session.execute(
            select(Review.proposal_id, Review.status, Review.updated_at).where(
                Review.campaign_id == campaign.id,
                Review.juror_id == sight.juror_id,
                Review.phase == ReviewPhase.WRITTEN.value,
            )
        )
    }
    shows_administration = sight.shows("administration")
    items = []
    for p in proposals:
        review = reviews.get(p.id)
        items.append(
            AssignedProposal(
                proposal_id=p.id,
                title=p.title,
                administration=p.administration if shows_administration else None,
                state=work_state(review.status if review else None),
                updated_at=review.updated_at if review else None,
            )
        )
    return items


def next_to_do(user: User, campaign_id: int, after: int | None = None) -> int | None:
    """The next assigned proposal this juror has not submitted (after ``after``, then wrapping)."""
    campaign = campaign_for_juror(user, campaign_id)
    items = assigned_items(campaign, juror_sight(campaign, user.id))
    return next_after([i.proposal_id for i in items if i.state != WorkState.DONE], after)
