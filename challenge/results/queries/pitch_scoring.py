"""The juror's pitch pages: the pitches they hear and the scoring page of one pitch.

What the juror sees of a proposal (its administration in blind review) comes from the one
juror view (:func:`challenge.access.juror_view.juror_sight`, phase "pitch").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from challenge.access.campaigns import campaign_for_juror
from challenge.access.juror_view import Sight, juror_sight
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign, Criterion, GridKind
from challenge.errors import NotFound
from challenge.extensions import db
from challenge.jury.models import Review, ReviewPhase, ReviewStatus
from challenge.proposals.models import Proposal
from challenge.results.models import PitchSlot
from challenge.results.queries.phases import scoring_refusal


@dataclass(frozen=True)
class PitchItem:
    proposal_id: int
    title: str
    administration: str | None  # None: hidden from this juror
    starts_at: datetime | None
    scored: bool


@dataclass(frozen=True)
class PitchListPage:
    campaign: Campaign
    items: list[PitchItem]
    scored: int
    refusal: str | None
    next_to_score: int | None

    @property
    def percent(self) -> int:
        return round(100 * self.scored / len(self.items)) if self.items else 0


@dataclass(frozen=True)
class PitchedProposal:
    """A proposal as the juror who scores its pitch sees it."""

    id: int
    title: str
    administration: str | None  # None: hidden from this juror
    irritant: str
    solution: str


@dataclass(frozen=True)
class PitchScorePage:
    campaign: Campaign
    proposal: PitchedProposal
    starts_at: datetime | None
    position: int  # 1-based, in slot order
    total: int
    previous_id: int | None
    next_id: int | None
    next_unscored_id: int | None
    criteria: list[Criterion]
    scores: dict[int, float]
    comment_for_jury: str
    message_for_agent: str
    submitted: bool
    refusal: str | None


def pitch_grid(campaign_id: int) -> list[Criterion]:
    return list(
        db.session.scalars(
            select(Criterion)
            .where(Criterion.campaign_id == campaign_id, Criterion.grid == GridKind.PITCH.value)
            .order_by(Criterion.position, Criterion.id)
        )
    )


def own_pitch_review(juror_id: int, proposal_id: int) -> Review | None:
    return db.session.scalar(
        select(Review).where(
            Review.proposal_id == proposal_id,
            Review.juror_id == juror_id,
            Review.phase == ReviewPhase.PITCH.value,
        )
    )


def _juror_pitches(campaign: Campaign, juror_id: int, sight: Sight) -> list[PitchItem]:
    """The pitches this juror may hear (conflicts excluded), in slot order."""
    visible = sorted(sight.proposal_ids or ())
    if not visible:
        return []
    proposals = db.session.execute(
        select(Proposal.id, Proposal.title, Proposal.administration).where(Proposal.id.in_(visible))
    ).all()
    starts = dict(
        db.session.execute(
            select(PitchSlot.proposal_id, PitchSlot.starts_at).where(
                PitchSlot.campaign_id == campaign.id, PitchSlot.proposal_id.in_(visible)
            )
        ).all()
    )
    scored = set(
        db.session.scalars(
            select(Review.proposal_id).where(
                Review.campaign_id == campaign.id,
                Review.juror_id == juror_id,
                Review.phase == ReviewPhase.PITCH.value,
                Review.status == ReviewStatus.SUBMITTED.value,
            )
        )
    )
    shows = sight.shows("administration")
    items = [
        PitchItem(
            p.id, p.title, p.administration if shows else None, starts.get(p.id), p.id in scored
        )
        for p in proposals
    ]
    far = datetime.max
    items.sort(key=lambda i: (i.starts_at or far, i.proposal_id))
    return items


def juror_pitches(user: User, campaign_id: int) -> PitchListPage:
    campaign = campaign_for_juror(user, campaign_id)
    items = _juror_pitches(
        campaign, user.id, juror_sight(campaign, user.id, ReviewPhase.PITCH.value)
    )
    return PitchListPage(
        campaign=campaign,
        items=items,
        scored=sum(1 for i in items if i.scored),
        refusal=scoring_refusal(campaign),
        next_to_score=next((i.proposal_id for i in items if not i.scored), None),
    )


def _pitched(proposal: Proposal, sight: Sight) -> PitchedProposal:
    return PitchedProposal(
        id=proposal.id,
        title=proposal.title,
        administration=proposal.administration if sight.shows("administration") else None,
        irritant=proposal.irritant,
        solution=proposal.solution,
    )


def pitch_score_page(user: User, campaign_id: int, proposal_id: int) -> PitchScorePage:
    campaign = campaign_for_juror(user, campaign_id)
    sight = juror_sight(campaign, user.id, ReviewPhase.PITCH.value)
    items = _juror_pitches(campaign, user.id, sight)
    ids = [i.proposal_id for i in items]
    if proposal_id not in ids:
        raise NotFound
    index = ids.index(proposal_id)
    review = own_pitch_review(user.id, proposal_id)
    after = items[index + 1 :] + items[:index]
    return PitchScorePage(
        campaign=campaign,
        proposal=_pitched(db.session.get(Proposal, proposal_id), sight),
        starts_at=items[index].starts_at,
        position=index + 1,
        total=len(items),
        previous_id=ids[index - 1] if index > 0 else None,
        next_id=ids[index + 1] if index + 1 < len(ids) else None,
        next_unscored_id=next((i.proposal_id for i in after if not i.scored), None),
        criteria=pitch_grid(campaign.id),
        scores={s.criterion_id: s.score for s in review.scores} if review else {},
        comment_for_jury=review.comment_for_jury if review else "",
        message_for_agent=review.message_for_agent if review else "",
        submitted=bool(review and review.status == ReviewStatus.SUBMITTED.value),
        refusal=scoring_refusal(campaign),
    )
