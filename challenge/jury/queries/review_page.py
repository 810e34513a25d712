"""A proposal as a juror sees it: what the juror view lets them read, the grid, their review and,
when the campaign allows, the other jurors' reviews."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from challenge.access.campaigns import campaign_for_juror
from challenge.access.juror_view import Sight, juror_sight
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign, Criterion, ProposalQuestion
from challenge.errors import NotFound
from challenge.extensions import db
from challenge.jury import ranking as ranking_algo
from challenge.jury.models import Review, ReviewPhase, ReviewStatus
from challenge.jury.queries.grid import review_grid, scores_of, weighted_score
from challenge.jury.queries.phases import review_state
from challenge.proposals.models import Attachment, Proposal, ProposalAuthor
from challenge.proposals.queries.irritants import support_counts

AFFILIATION = ("administration", "service", "region")


@dataclass(frozen=True)
class AttachmentRef:
    id: int
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class OtherReview:
    juror_name: str
    score: float | None  # weighted mean on the grid's scale
    scores: dict[int, float]
    comment_for_jury: str
    submitted_at: datetime | None


@dataclass(frozen=True)
class ReviewPage:
    campaign: Campaign
    proposal: Proposal
    sight: Sight  # what the juror may see: the page renders from it
    authors: list[str]  # empty when the sight hides them
    affiliation: dict[str, str | None]  # administration, service, region; None when hidden
    answers: list[tuple[str, str]]  # (question, answer) of the campaign's extra questions
    supports: int  # a count only: the supporters' names are never shown to a juror
    attachments: list[AttachmentRef]
    criteria: list[Criterion]
    review: Review | None
    own_scores: dict[int, float]
    can_edit: bool
    closed_reason: str | None
    others_visible: bool
    others: list[OtherReview]

    @property
    def blind(self) -> bool:
        return self.sight.blind

    @property
    def submitted(self) -> bool:
        return self.review is not None and self.review.status == ReviewStatus.SUBMITTED.value


def review_page(user: User, campaign_id: int, proposal_id: int) -> ReviewPage:
    """The proposal, the grid and the juror's own review; others' reviews when allowed."""
    campaign = campaign_for_juror(user, campaign_id)
    sight = juror_sight(campaign, user.id)
    proposal = visible_proposal(sight, campaign, proposal_id)
    criteria = review_grid(campaign.id)
    review = own_review(proposal.id, user.id)
    others_visible = sight.sees_others_on(proposal.id)
    can_edit, reason = review_state(campaign)
    return ReviewPage(
        campaign=campaign,
        proposal=proposal,
        sight=sight,
        authors=author_names(proposal.id, sight) if sight.shows("authors") else [],
        affiliation=sight.redact({f: getattr(proposal, f) for f in AFFILIATION}),
        answers=_answers(campaign.id, proposal),
        supports=support_counts([proposal.id])[proposal.id],
        attachments=_attachments(proposal.id) if sight.shows("attachments") else [],
        criteria=criteria,
        review=review,
        own_scores=scores_of([review.id])[review.id] if review else {},
        can_edit=can_edit,
        closed_reason=reason,
        others_visible=others_visible,
        others=_other_reviews(sight, proposal, criteria) if others_visible else [],
    )


def visible_proposal(sight: Sight, campaign: Campaign, proposal_id: int) -> Proposal:
    """The proposal, if the reader of ``sight`` sees it; 404 otherwise (existence not revealed)."""
    if not sight.sees(proposal_id):
        raise NotFound
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.campaign_id != campaign.id:
        raise NotFound
    return proposal


def own_review(proposal_id: int, juror_id: int) -> Review | None:
    """The juror's written review of the proposal, draft or submitted."""
    return db.session.scalar(
        select(Review).where(
            Review.proposal_id == proposal_id,
            Review.juror_id == juror_id,
            Review.phase == ReviewPhase.WRITTEN.value,
        )
    )


def author_names(proposal_id: int, sight: Sight) -> list[str]:
    rows = db.session.execute(
        select(ProposalAuthor.email, ProposalAuthor.role, User.first_name, User.last_name)
        .outerjoin(User, User.id == ProposalAuthor.user_id)
        .where(ProposalAuthor.proposal_id == proposal_id)
        .order_by(ProposalAuthor.id)
    ).all()
    unnamed = str(_l("Co-auteur invité"))
    return [sight.name_of(r.first_name, r.last_name, r.email, unnamed) for r in rows]


def _answers(campaign_id: int, proposal: Proposal) -> list[tuple[str, str]]:
    questions = db.session.execute(
        select(ProposalQuestion.id, ProposalQuestion.label)
        .where(ProposalQuestion.campaign_id == campaign_id)
        .order_by(ProposalQuestion.position, ProposalQuestion.id)
    ).all()
    answers = proposal.answers or {}
    result = []
    for q in questions:
        value = answers.get(str(q.id))
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            value = _l("Oui") if value else _l("Non")
        result.append((q.label, str(value)))
    return result


def _attachments(proposal_id: int) -> list[AttachmentRef]:
    return [
        AttachmentRef(a.id, a.filename, a.content_type, a.size)
        for a in db.session.scalars(
            select(Attachment).where(Attachment.proposal_id == proposal_id).order_by(Attachment.id)
        )
    ]


def _other_reviews(
    sight: Sight, proposal: Proposal, criteria: list[Criterion]
) -> list[OtherReview]:
    """Other jurors' submitted reviews that the sight shows (never a conflicted juror's)."""
    rows = db.session.execute(
        select(Review, User.first_name, User.last_name, User.email)
        .join(User, User.id == Review.juror_id)
        .where(
            Review.proposal_id == proposal.id,
            Review.phase == ReviewPhase.WRITTEN.value,
            Review.status == ReviewStatus.SUBMITTED.value,
            Review.juror_id != sight.juror_id,
        )
        .order_by(Review.submitted_at, Review.id)
    ).all()
    rows = [r for r in rows if sight.sees_review(r.Review.juror_id, proposal.id)]
    scores = scores_of([r.Review.id for r in rows])
    grid = ranking_algo.grid_of(criteria)
    return [
        OtherReview(
            juror_name=sight.name_of(r.first_name, r.last_name, r.email, str(_l("Juré"))),
            score=weighted_score(grid, r.Review, scores[r.Review.id]),
            scores=scores[r.Review.id],
            comment_for_jury=r.Review.comment_for_jury,
            submitted_at=r.Review.submitted_at,
        )
        for r in rows
    ]
