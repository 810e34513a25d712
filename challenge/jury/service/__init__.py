"""Every write of the jury domain, and the reads its pages need, with their permission checks.

Each write checks who asks, changes the rows, records the audit events and queues the e-mails in
one transaction, then commits. Reads return plain dataclasses: templates never query.

Who sees what is decided in :mod:`challenge.access.jury` only; this module asks it.
Functions for the other domains: :func:`campaign_ranking` (results, exports),
:func:`visible_proposal_ids_for_juror` and :func:`may_see_scores` (re-exported from visibility).
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import groupby
from operator import itemgetter

from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, Select, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from challenge.access.jury import (  # noqa: F401  (re-exported for the other domains)
    JurorRef,
    campaign_jurors,
    conflict_pairs,
    juror_sees_others,
    may_see_proposal,
    may_see_scores,
    normalise_administration,
    pitch_candidates,
    visible_proposal_ids_for_juror,
)
from challenge.access.roles import campaign_ids_with_role, is_juror, is_organiser
from challenge.accounts.models import Membership, Role, User
from challenge.audit import service as audit
from challenge.campaigns.models import (
    Campaign,
    CampaignStatus,
    Criterion,
    GridKind,
    ProposalQuestion,
)
from challenge.extensions import db
from challenge.jury import ranking as ranking_algo
from challenge.jury.models import (
    AssignmentState,
    Conflict,
    ConflictSource,
    Review,
    ReviewAssignment,
    ReviewPhase,
    ReviewScore,
    ReviewStatus,
    ShortlistDecision,
)
from challenge.notifications import service as outbox
from challenge.notifications.rendering import external_url
from challenge.proposals.models import (
    IN_COMPETITION,
    Attachment,
    Proposal,
    ProposalAuthor,
    ProposalStatus,
    Support,
)
from challenge.proposals.service import support_counts
from challenge.timeutils import utc_to_paris, utcnow

COMMENT_MAX = 5000
MESSAGE_MAX = 3000
NOTE_MAX = 2000
REASON_MAX = 500
ADMINISTRATION_MAX = 200
REMINDER_DAYS = (3, 1)  # reminders this many Paris calendar days before the end of review
REMINDER_HOUR = 9  # not before 9:00, Paris time
ASSIGNABLE_STATUSES = (CampaignStatus.OPEN.value, CampaignStatus.REVIEW.value)
SHORTLIST_STATUSES = (CampaignStatus.REVIEW.value, CampaignStatus.SHORTLIST.value)
SHORTLISTABLE = (ProposalStatus.SUBMITTED.value, ProposalStatus.SHORTLISTED.value)


# ---------------------------------------------------------------- errors ---------------------


class JuryError(Exception):
    """Base of the errors the pages turn into a status code or a message."""

    def __init__(self, message: object = "") -> None:
        super().__init__(message)
        self.message = str(message) if isinstance(message, str) else message

    def __str__(self) -> str:
        return str(self.message)


class NotFound(JuryError):
    """Unknown, or not visible to the person who asks (404: existence is not revealed)."""


class Forbidden(JuryError):
    """Known, but the person who asks has no right to it (403)."""


class Refused(JuryError):
    """A rule refuses the change; ``message`` says why, in words for the person."""


class InvalidReview(Refused):
    """Scores that cannot be saved; ``errors`` maps criterion ids (or field names) to messages."""

    def __init__(self, message: str, errors: Mapping[int | str, str]) -> None:
        super().__init__(message)
        self.errors = dict(errors)


@contextmanager
def _concurrent_change_refused() -> Iterator[None]:
    """Around a flush and commit: a concurrent change (a unique key taken meanwhile, a proposal
    saved meanwhile) rolls everything back and becomes a clear refusal instead of an error."""
    try:
        yield
    except (IntegrityError, StaleDataError) as error:
        db.session.rollback()
        raise Refused(
            _l(
                "Quelqu’un a modifié ces données en même temps que vous : rien n’est enregistré. "
                "Rechargez la page et recommencez."
            )
        ) from error


# ---------------------------------------------------------------- access ---------------------


def _campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound
    return campaign


def organiser_campaign(user: User | None, campaign_id: int, *, lock: bool = False) -> Campaign:
    """The campaign, if ``user`` organises it (or is an admin): 404 unknown, 403 otherwise."""
    query = select(Campaign).where(Campaign.id == campaign_id)
    campaign = db.session.scalar(query.with_for_update() if lock else query)
    if campaign is None:
        raise NotFound
    if not is_organiser(user, campaign.id):
        raise Forbidden
    return campaign


def juror_campaign(user: User | None, campaign_id: int) -> Campaign:
    """The campaign, if ``user`` sits on its jury; 404 otherwise (existence not revealed)."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not is_juror(user, campaign.id):
        raise NotFound
    return campaign


def review_grid(
    campaign_id: int, phase: ReviewPhase | str = ReviewPhase.WRITTEN
) -> list[Criterion]:
    kind = GridKind.PITCH.value if str(phase) == ReviewPhase.PITCH.value else GridKind.REVIEW.value
    return list(
        db.session.scalars(
            select(Criterion)
            .where(Criterion.campaign_id == campaign_id, Criterion.grid == kind)
            .order_by(Criterion.position, Criterion.id)
        )
    )


def review_state(campaign: Campaign, now: datetime | None = None) -> tuple[bool, str | None]:
    """Whether jurors may save their written reviews now, and if not, why (for the page)."""
    now = now or utcnow()
    status = campaign.status
    if status in (CampaignStatus.DRAFT.value, CampaignStatus.OPEN.value):
        return False, _l("L’évaluation commencera à la clôture des dépôts.")
    if status == CampaignStatus.REVIEW.value:
        if campaign.review_ends_at is not None and now >= campaign.review_ends_at:
            return False, _l(
                "La phase d’évaluation est terminée : les évaluations ne peuvent plus être modifiées."
            )
        return True, None
    return False, _l(
        "La phase d’évaluation est terminée : les évaluations ne peuvent plus être modifiées."
    )


# ---------------------------------------------------------------- juror workspace ------------


class WorkState:
    TODO = "todo"
    DRAFT = "draft"
    DONE = "done"


WORK_STATES = (WorkState.TODO, WorkState.DRAFT, WorkState.DONE)


@dataclass(frozen=True)
class AssignedProposal:
    proposal_id: int
    title: str
    administration: str | None  # None in blind review
    state: str  # WorkState
    updated_at: datetime | None


@dataclass(frozen=True)
class CampaignWork:
    campaign: Campaign
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
    result = []
    for campaign in campaigns:  # a juror sits on a handful of campaigns at most
        items = _assigned_items(campaign, user.id)
        counts = Counter(item.state for item in items)
        can_score, reason = review_state(campaign)
        shown = [i for i in items if state in WORK_STATES and i.state == state] if state else items
        result.append(
            CampaignWork(
                campaign=campaign,
                items=shown,
                total=len(items),
                todo=counts[WorkState.TODO],
                drafts=counts[WorkState.DRAFT],
                done=counts[WorkState.DONE],
                can_score=can_score,
                closed_reason=reason,
            )
        )
    return result


def _assigned_items(campaign: Campaign, juror_id: int) -> list[AssignedProposal]:
    visible = visible_proposal_ids_for_juror(campaign.id, juror_id)
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
                Review.juror_id == juror_id,
                Review.phase == ReviewPhase.WRITTEN.value,
            )
        )
    }
    items = []
    for p in proposals:
        review = reviews.get(p.id)
        if review is None:
            state = WorkState.TODO
        elif review.status == ReviewStatus.SUBMITTED.value:
            state = WorkState.DONE
        else:
            state = WorkState.DRAFT
        items.append(
            AssignedProposal(
                proposal_id=p.id,
                title=p.title,
                administration=None if campaign.blind_review else p.administration,
                state=state,
                updated_at=review.updated_at if review else None,
            )
        )
    return items


def next_to_do(user: User, campaign_id: int, after: int | None = None) -> int | None:
    """The next assigned proposal this juror has not submitted (after ``after``, then wrapping)."""
    campaign = juror_campaign(user, campaign_id)
    pending = [
        i.proposal_id for i in _assigned_items(campaign, user.id) if i.state != WorkState.DONE
    ]
    pending = [p for p in pending if p != after]
    if not pending:
        return None
    later = [p for p in pending if after is not None and p > after]
    return (later or pending)[0]


# ---------------------------------------------------------------- a proposal, as a juror sees it


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
    blind: bool
    authors: list[str]  # empty in blind review
    answers: list[tuple[str, str]]  # (question, answer) of the campaign's extra questions
    supports: int
    attachments: list[AttachmentRef]
    criteria: list[Criterion]
    review: Review | None
    own_scores: dict[int, float]
    can_edit: bool
    closed_reason: str | None
    others_visible: bool
    others: list[OtherReview]
    visibility: str


def review_page(user: User, campaign_id: int, proposal_id: int) -> ReviewPage:
    """The proposal, the grid and the juror's own review; others' reviews when allowed."""
    campaign = juror_campaign(user, campaign_id)
    proposal = _visible_proposal(user, campaign, proposal_id)
    criteria = review_grid(campaign.id)
    review = db.session.scalar(
        select(Review).where(
            Review.proposal_id == proposal.id,
            Review.juror_id == user.id,
            Review.phase == ReviewPhase.WRITTEN.value,
        )
    )
    own_scores = _scores_of([review.id])[review.id] if review else {}
    submitted = review is not None and review.status == ReviewStatus.SUBMITTED.value
    others_visible = juror_sees_others(campaign.scores_visibility, submitted)
    others = _other_reviews(campaign, proposal, user.id, criteria) if others_visible else []
    can_edit, reason = review_state(campaign)
    return ReviewPage(
        campaign=campaign,
        proposal=proposal,
        blind=campaign.blind_review,
        authors=[] if campaign.blind_review else _author_names(proposal.id),
        answers=_answers(campaign.id, proposal),
        supports=support_counts([proposal.id])[proposal.id],
        attachments=[
            AttachmentRef(a.id, a.filename, a.content_type, a.size)
            for a in db.session.scalars(
                select(Attachment)
                .where(Attachment.proposal_id == proposal.id)
                .order_by(Attachment.id)
            )
        ],
        criteria=criteria,
        review=review,
        own_scores=own_scores,
        can_edit=can_edit,
        closed_reason=reason,
        others_visible=others_visible,
        others=others,
        visibility=campaign.scores_visibility,
    )


def _visible_proposal(user: User, campaign: Campaign, proposal_id: int) -> Proposal:
    if proposal_id not in visible_proposal_ids_for_juror(campaign.id, user.id):
        raise NotFound
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.campaign_id != campaign.id:
        raise NotFound
    return proposal


def _author_names(proposal_id: int) -> list[str]:
    rows = db.session.execute(
        select(ProposalAuthor.email, ProposalAuthor.role, User.first_name, User.last_name)
        .outerjoin(User, User.id == ProposalAuthor.user_id)
        .where(ProposalAuthor.proposal_id == proposal_id)
        .order_by(ProposalAuthor.id)
    ).all()
    names = []
    for row in rows:
        name = f"{row.first_name or ''} {row.last_name or ''}".strip() or row.email
        names.append(name)
    return names


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


def _scores_of(review_ids: Sequence[int]) -> dict[int, dict[int, float]]:
    result: dict[int, dict[int, float]] = {rid: {} for rid in review_ids}
    if not review_ids:
        return result
    for row in db.session.execute(
        select(ReviewScore.review_id, ReviewScore.criterion_id, ReviewScore.score).where(
            ReviewScore.review_id.in_(list(review_ids))
        )
    ):
        result[row.review_id][row.criterion_id] = row.score
    return result


def _other_reviews(
    campaign: Campaign, proposal: Proposal, juror_id: int, criteria: list[Criterion]
) -> list[OtherReview]:
    """Other jurors' submitted reviews, minus those of jurors in conflict with the proposal."""
    rows = db.session.execute(
        select(Review, User.first_name, User.last_name, User.email, User.administration)
        .join(User, User.id == Review.juror_id)
        .where(
            Review.proposal_id == proposal.id,
            Review.phase == ReviewPhase.WRITTEN.value,
            Review.status == ReviewStatus.SUBMITTED.value,
            Review.juror_id != juror_id,
        )
        .order_by(Review.submitted_at, Review.id)
    ).all()
    if not rows:
        return []
    reviewers = [JurorRef(r.Review.juror_id, r.email, "", r.administration) for r in rows]
    conflicts = conflict_pairs(campaign, reviewers, [(proposal.id, proposal.administration)])
    scores = _scores_of([r.Review.id for r in rows])
    grid = ranking_algo.grid_of(criteria)
    result = []
    for r in rows:
        if (r.Review.juror_id, proposal.id) in conflicts:
            continue
        given = scores[r.Review.id]
        result.append(
            OtherReview(
                juror_name=f"{r.first_name} {r.last_name}".strip() or r.email,
                score=_weighted(grid, r.Review, given),
                scores=given,
                comment_for_jury=r.Review.comment_for_jury,
                submitted_at=r.Review.submitted_at,
            )
        )
    return result


def _weighted(
    grid: ranking_algo.Grid | None, review: Review, scores: dict[int, float]
) -> float | None:
    if grid is None:
        return None
    scored = ranking_algo.score_review(
        grid,
        ranking_algo.Review(
            review.id, review.juror_id, review.proposal_id, {str(k): v for k, v in scores.items()}
        ),
    )
    return scored.score


# ---------------------------------------------------------------- saving a review ------------


@dataclass(frozen=True)
class ReviewInput:
    scores: Mapping[int, int | None]  # criterion id -> level (None: not chosen yet)
    comment_for_jury: str = ""
    message_for_agent: str = ""


def save_review(
    user: User, campaign_id: int, proposal_id: int, data: ReviewInput, *, submit: bool
) -> Review:
    """Save a draft, or submit (every criterion scored). Refused once the review phase ended."""
    campaign = juror_campaign(user, campaign_id)
    proposal = _visible_proposal(user, campaign, proposal_id)
    can_edit, reason = review_state(campaign)
    if not can_edit:
        raise Refused(reason if reason is not None else "")
    criteria = review_grid(campaign.id)
    scores = _validated_scores(criteria, data, submit)
    review = db.session.scalar(
        select(Review).where(
            Review.proposal_id == proposal.id,
            Review.juror_id == user.id,
            Review.phase == ReviewPhase.WRITTEN.value,
        )
    )
    if review is not None and review.status == ReviewStatus.SUBMITTED.value and not submit:
        raise Refused(
            _l(
                "Cette évaluation est déjà envoyée : enregistrez vos modifications avec "
                "« Enregistrer les modifications »."
            )
        )
    created = review is None
    if review is None:
        review = Review(
            campaign_id=campaign.id,
            proposal_id=proposal.id,
            juror_id=user.id,
            phase=ReviewPhase.WRITTEN.value,
            status=ReviewStatus.DRAFT.value,
        )
        db.session.add(review)
    was_submitted = review.status == ReviewStatus.SUBMITTED.value
    review.comment_for_jury = data.comment_for_jury.strip()
    review.message_for_agent = data.message_for_agent.strip()
    review.updated_at = utcnow()
    _replace_scores(review, scores)
    if submit:
        review.status = ReviewStatus.SUBMITTED.value
        review.submitted_at = utcnow()
    action = "jury.review_submitted" if submit and not was_submitted else "jury.review_saved"
    with _concurrent_change_refused():
        db.session.flush()
        audit.record(
            action,
            actor=user,
            campaign_id=campaign.id,
            target=review,
            details={
                "proposal_id": proposal.id,
                "created": created,
                "status": review.status,
                "scores": {str(k): v for k, v in sorted(scores.items())},
            },
        )
        db.session.commit()
    return review


def _validated_scores(
    criteria: Sequence[Criterion], data: ReviewInput, submit: bool
) -> dict[int, float]:
    errors: dict[int | str, str] = {}
    known = {c.id: c for c in criteria}
    if any(k not in known for k in data.scores):
        raise InvalidReview(_l("Une note porte sur un critère inconnu."), {})
    scores: dict[int, float] = {}
    for criterion in criteria:
        value = data.scores.get(criterion.id)
        if value is None:
            if submit:
                errors[criterion.id] = _l("Choisissez une note pour ce critère.")
            continue
        if not isinstance(value, int) or not criterion.scale_min <= value <= criterion.scale_max:
            errors[criterion.id] = _l(
                "Choisissez une note entre %(low)s et %(high)s.",
                low=criterion.scale_min,
                high=criterion.scale_max,
            )
            continue
        scores[criterion.id] = float(value)
    if len(data.comment_for_jury) > COMMENT_MAX:
        errors["comment_for_jury"] = _l("%(max)s caractères au plus.", max=COMMENT_MAX)
    if len(data.message_for_agent) > MESSAGE_MAX:
        errors["message_for_agent"] = _l("%(max)s caractères au plus.", max=MESSAGE_MAX)
    if submit and not criteria:
        errors["grid"] = _l("La grille d’évaluation n’est pas encore prête.")
    if errors:
        raise InvalidReview(
            _l("L’évaluation n’est pas enregistrée : corrigez les champs signalés."), errors
        )
    return scores


def _replace_scores(review: Review, scores: Mapping[int, float]) -> None:
    existing = {s.criterion_id: s for s in review.scores}
    for criterion_id, row in existing.items():
        if criterion_id not in scores:
            review.scores.remove(row)
    for criterion_id, value in scores.items():
        row = existing.get(criterion_id)
        if row is None:
            review.scores.append(ReviewScore(criterion_id=criterion_id, score=value))
        else:
            row.score = value


# ---------------------------------------------------------------- conflicts ------------------


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
    campaign = juror_campaign(user, campaign_id)
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


def declare_administration_conflict(
    user: User, campaign_id: int, administration: str, reason: str = ""
) -> Conflict:
    """The juror will see no proposal of this administration (compared after normalisation)."""
    campaign = juror_campaign(user, campaign_id)
    administration = " ".join(administration.split())
    if not normalise_administration(administration):
        raise InvalidReview(
            _l("Le conflit n’est pas enregistré."),
            {"administration": _l("Indiquez le nom de l’administration.")},
        )
    if len(administration) > ADMINISTRATION_MAX or len(reason) > REASON_MAX:
        raise InvalidReview(
            _l("Le conflit n’est pas enregistré."), {"reason": _l("Texte trop long.")}
        )
    key = normalise_administration(administration)
    for existing in _declared(campaign.id, user.id):
        if existing.administration and normalise_administration(existing.administration) == key:
            return existing
    conflict = Conflict(
        campaign_id=campaign.id,
        juror_id=user.id,
        administration=administration,
        source=ConflictSource.DECLARED.value,
        reason=reason.strip(),
    )
    return _save_conflict(user, campaign, conflict)


def declare_proposal_conflict(
    user: User, campaign_id: int, proposal_id: int, reason: str = ""
) -> Conflict:
    """The juror steps back from one proposal they were shown: it disappears from their pages."""
    campaign = juror_campaign(user, campaign_id)
    proposal = _visible_proposal(user, campaign, proposal_id)
    if len(reason) > REASON_MAX:
        raise InvalidReview(
            _l("Le conflit n’est pas enregistré."), {"reason": _l("Texte trop long.")}
        )
    conflict = Conflict(
        campaign_id=campaign.id,
        juror_id=user.id,
        proposal_id=proposal.id,
        source=ConflictSource.DECLARED.value,
        reason=reason.strip(),
    )
    return _save_conflict(user, campaign, conflict)


def _declared(campaign_id: int, juror_id: int) -> list[Conflict]:
    return list(
        db.session.scalars(
            select(Conflict).where(
                Conflict.campaign_id == campaign_id,
                Conflict.juror_id == juror_id,
                Conflict.source == ConflictSource.DECLARED.value,
            )
        )
    )


def _save_conflict(user: User, campaign: Campaign, conflict: Conflict) -> Conflict:
    db.session.add(conflict)
    db.session.flush()
    audit.record(
        "jury.conflict_declared",
        actor=user,
        campaign_id=campaign.id,
        target=conflict,
        details={
            "proposal_id": conflict.proposal_id,
            "administration": conflict.administration,
            "reason": conflict.reason,
        },
    )
    db.session.commit()
    return conflict


def withdraw_conflict(user: User, campaign_id: int, conflict_id: int) -> None:
    """A juror withdraws a conflict they declared (automatic ones cannot be withdrawn)."""
    campaign = juror_campaign(user, campaign_id)
    conflict = db.session.get(Conflict, conflict_id)
    if (
        conflict is None
        or conflict.campaign_id != campaign.id
        or conflict.juror_id != user.id
        or conflict.source != ConflictSource.DECLARED.value
    ):
        raise NotFound
    audit.record(
        "jury.conflict_withdrawn",
        actor=user,
        campaign_id=campaign.id,
        target=conflict,
        details={"proposal_id": conflict.proposal_id, "administration": conflict.administration},
    )
    db.session.delete(conflict)
    db.session.commit()


# ---------------------------------------------------------------- assignment -----------------


@dataclass(frozen=True)
class JurorLoad:
    juror_id: int
    name: str
    email: str
    administration: str
    load: int
    pinned: int
    submitted: int
    conflicts: int


@dataclass(frozen=True)
class Reviewer:
    juror_id: int
    name: str
    pinned: bool


@dataclass(frozen=True)
class ProposalReviewers:
    proposal_id: int
    title: str
    administration: str
    reviewers: list[Reviewer]
    removed: list[Reviewer]
    missing: int


@dataclass(frozen=True)
class AssignmentOverview:
    campaign: Campaign
    can_run: bool
    run_refusal: str | None
    reviews_per_proposal: int
    proposal_count: int
    jurors: list[JurorLoad]
    pending_invitations: int
    short_proposals: int
    missing_reviews: int
    invalid_rows: int  # active rows the next run will drop (conflict, withdrawn, juror left)
    unnotified: int
    rows: list[ProposalReviewers]  # this page of proposals
    page: int
    pages: int
    only_short: bool
    proposal_choices: list[tuple[int, str]]
    juror_choices: list[tuple[int, str]]

    @property
    def load_spread(self) -> int:
        loads = [j.load for j in self.jurors]
        return max(loads) - min(loads) if loads else 0


@dataclass(frozen=True)
class _AssignmentData:
    campaign: Campaign
    proposals: list[tuple[int, str, str]]  # (id, title, administration), by id
    jurors: list[JurorRef]
    conflicts: frozenset[tuple[int, int]]
    active: dict[tuple[int, int], ReviewAssignment]
    removed: dict[tuple[int, int], ReviewAssignment]

    @property
    def proposal_ids(self) -> set[int]:
        return {p[0] for p in self.proposals}

    @property
    def juror_ids(self) -> set[int]:
        return {j.id for j in self.jurors}

    def effective(self) -> dict[tuple[int, int], ReviewAssignment]:
        """Active rows that hold: proposal in competition, juror still on the jury, no conflict."""
        proposals, jurors = self.proposal_ids, self.juror_ids
        return {
            pair: row
            for pair, row in self.active.items()
            if pair[0] in jurors and pair[1] in proposals and pair not in self.conflicts
        }


def _assignment_data(campaign: Campaign) -> _AssignmentData:
    proposals = [
        (r.id, r.title, r.administration)
        for r in db.session.execute(
            select(Proposal.id, Proposal.title, Proposal.administration)
            .where(Proposal.campaign_id == campaign.id, Proposal.status.in_(IN_COMPETITION))
            .order_by(Proposal.id)
        )
    ]
    jurors = campaign_jurors(campaign.id)
    conflicts = conflict_pairs(campaign, jurors, [(p[0], p[2]) for p in proposals])
    active: dict[tuple[int, int], ReviewAssignment] = {}
    removed: dict[tuple[int, int], ReviewAssignment] = {}
    for row in db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.campaign_id == campaign.id)
    ):
        target = active if row.state == AssignmentState.ACTIVE.value else removed
        target[(row.juror_id, row.proposal_id)] = row
    return _AssignmentData(campaign, proposals, jurors, conflicts, active, removed)


PAGE_SIZE = 50


def assignment_overview(
    user: User, campaign_id: int, *, page: int = 1, only_short: bool = False
) -> AssignmentOverview:
    """Loads per juror, shortfalls, and the reviewers of one page of proposals."""
    campaign = organiser_campaign(user, campaign_id)
    data = _assignment_data(campaign)
    effective = data.effective()
    wanted = campaign.reviews_per_proposal
    by_proposal: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pair in effective:
        by_proposal[pair[1]].append(pair)
    names = {j.id: j.name for j in data.jurors}
    loads = Counter(j for j, _p in effective)
    pins = Counter(j for (j, _p), row in effective.items() if row.pinned)
    conflict_counts = Counter(j for j, _p in data.conflicts)
    submitted = _submitted_counts(campaign.id, effective)
    jurors = [
        JurorLoad(
            j.id,
            j.name,
            j.email,
            j.administration,
            loads[j.id],
            pins[j.id],
            submitted[j.id],
            conflict_counts[j.id],
        )
        for j in data.jurors
    ]
    short = [p for p in data.proposals if len(by_proposal[p[0]]) < wanted]
    listed = short if only_short else data.proposals
    pages = max(1, math.ceil(len(listed) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = []
    removed_by_proposal: dict[int, list[int]] = defaultdict(list)
    for j, p in data.removed:
        removed_by_proposal[p].append(j)
    for proposal_id, title, administration in listed[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
        pairs = sorted(by_proposal[proposal_id])
        rows.append(
            ProposalReviewers(
                proposal_id,
                title,
                administration,
                [Reviewer(j, names.get(j, "?"), effective[(j, p)].pinned) for j, p in pairs],
                [
                    Reviewer(j, names.get(j, "?"), False)
                    for j in sorted(removed_by_proposal[proposal_id])
                    if j in names
                ],
                max(wanted - len(pairs), 0),
            )
        )
    pending = db.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.campaign_id == campaign.id,
            Membership.role == Role.JUROR.value,
            Membership.user_id.is_(None),
        )
    )
    can_run = campaign.status in ASSIGNABLE_STATUSES
    return AssignmentOverview(
        campaign=campaign,
        can_run=can_run,
        run_refusal=None if can_run else _assignment_refusal(campaign),
        reviews_per_proposal=wanted,
        proposal_count=len(data.proposals),
        jurors=jurors,
        pending_invitations=pending or 0,
        short_proposals=len(short),
        missing_reviews=sum(max(wanted - len(by_proposal[p[0]]), 0) for p in data.proposals),
        invalid_rows=sum(
            1 for pair, row in data.active.items() if pair not in effective and not row.pinned
        ),
        unnotified=sum(1 for row in effective.values() if row.notified_at is None),
        rows=rows,
        page=page,
        pages=pages,
        only_short=only_short,
        proposal_choices=[(p[0], p[1]) for p in data.proposals],
        juror_choices=[(j.id, j.name) for j in data.jurors],
    )


def _submitted_counts(campaign_id: int, effective: Mapping[tuple[int, int], object]) -> Counter:
    rows = db.session.execute(
        select(Review.juror_id, Review.proposal_id).where(
            Review.campaign_id == campaign_id,
            Review.phase == ReviewPhase.WRITTEN.value,
            Review.status == ReviewStatus.SUBMITTED.value,
        )
    ).all()
    return Counter(r.juror_id for r in rows if (r.juror_id, r.proposal_id) in effective)


def _assignment_refusal(campaign: Campaign) -> str:
    if campaign.status == CampaignStatus.DRAFT.value:
        return _l("L’affectation sera possible une fois la campagne ouverte.")
    return _l("La phase d’évaluation est terminée : les affectations ne peuvent plus changer.")


@dataclass(frozen=True)
class AssignmentRun:
    added: int
    dropped: int
    shortfalls: int
    missing_reviews: int
    ignored_pins: int
    notified_jurors: int
    load_spread: int
    solver_seconds: float


def run_assignment(user: User, campaign_id: int, *, rebalance: bool = False) -> AssignmentRun:
    """Assign reviewers automatically; keep pins, removals and (unless rebalancing) what holds.

    Only what must move moves: pairs that became invalid (conflict, withdrawn proposal, juror
    who left) are dropped and the gaps are filled as evenly as possible. Each juror who received
    proposals gets one summary e-mail. One transaction, one audit event.
    """
    campaign = organiser_campaign(user, campaign_id, lock=True)
    if campaign.status not in ASSIGNABLE_STATUSES:
        raise Refused(_assignment_refusal(campaign))
    data = _assignment_data(campaign)
    pinned = {pair for pair, row in data.active.items() if row.pinned}
    current = {pair for pair, row in data.active.items() if not row.pinned}
    # Imported here: OR-Tools and NumPy cost ~40 MB in every web and worker process otherwise.
    from challenge.jury.assignment import AssignmentProblem, assign_reviewers

    problem = AssignmentProblem(
        proposals=tuple(p[0] for p in data.proposals),
        jurors=tuple(j.id for j in data.jurors),
        reviews_per_proposal=campaign.reviews_per_proposal,
        conflicts=data.conflicts,
        pinned=frozenset(pinned),
        removed=frozenset(data.removed),
        current=frozenset(current),
        rebalance=rebalance,
    )
    result = assign_reviewers(problem)
    stale = [
        row for pair, row in data.active.items() if not row.pinned and pair not in result.pairs
    ]
    for row in stale:
        db.session.delete(row)
    new_pairs = sorted(result.pairs - set(data.active))
    for juror_id, proposal_id in new_pairs:
        db.session.add(
            ReviewAssignment(
                campaign_id=campaign.id,
                proposal_id=proposal_id,
                juror_id=juror_id,
                state=AssignmentState.ACTIVE.value,
                pinned=False,
                created_by_id=user.id,
            )
        )
    try:
        db.session.flush()
        notified = _notify_pending(campaign)
        audit.record(
            "jury.assignment_run",
            actor=user,
            campaign_id=campaign.id,
            target=campaign,
            details={
                "rebalance": rebalance,
                "added": len(new_pairs),
                "dropped": len(stale),
                "shortfalls": len(result.shortfalls),
                "ignored_pins": len(result.ignored_pins),
                "notified_jurors": notified,
                "solver_seconds": round(result.solver_seconds, 3),
            },
        )
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise Refused(
            _l("Une autre affectation a été lancée en même temps : rechargez la page et relancez.")
        ) from error
    return AssignmentRun(
        added=len(new_pairs),
        dropped=len(stale),
        shortfalls=len(result.shortfalls),
        missing_reviews=sum(s.missing for s in result.shortfalls),
        ignored_pins=len(result.ignored_pins),
        notified_jurors=notified,
        load_spread=result.load_spread,
        solver_seconds=result.solver_seconds,
    )


def notify_assignments(user: User, campaign_id: int) -> int:
    """Send the pending summaries now (e.g. after pins); returns the number of jurors told."""
    campaign = organiser_campaign(user, campaign_id)
    notified = _notify_pending(campaign)
    if notified:
        audit.record(
            "jury.assignment_notified",
            actor=user,
            campaign_id=campaign.id,
            target=campaign,
            details={"jurors": notified},
        )
    db.session.commit()
    return notified


def _notify_pending(campaign: Campaign) -> int:
    """Queue one summary per juror of the assignments they were not told of yet.

    Only assignments that hold (no conflict, proposal in competition) are told; a rerun that
    adds nothing sends nothing, and the dedup key (the assignment ids) makes a repeat a no-op.
    """
    data = _assignment_data(campaign)
    effective = data.effective()
    pending: dict[int, list[ReviewAssignment]] = defaultdict(list)
    for (juror_id, _p), row in effective.items():
        if row.notified_at is None:
            pending[juror_id].append(row)
    if not pending:
        return 0
    titles = {p[0]: p[1] for p in data.proposals}
    totals = Counter(j for j, _p in effective)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(pending))))}
    now = utcnow()
    link = external_url("jury.workspace")
    for juror_id, rows in sorted(pending.items()):
        user = users[juror_id]
        rows.sort(key=lambda r: r.proposal_id)
        digest = hashlib.sha256(",".join(str(r.id) for r in rows).encode()).hexdigest()[:24]
        outbox.queue(
            "jury_assignment",
            user.email,
            {
                "juror_name": user.display_name,
                "campaign_title": campaign.title,
                "titles": [titles[r.proposal_id] or _l("(sans titre)") for r in rows],
                "new_count": len(rows),
                "total_count": totals[juror_id],
                "review_ends_at": campaign.review_ends_at,
                "link": link,
            },
            locale=user.locale or "fr",
            user_id=user.id,
            campaign_id=campaign.id,
            dedup_key=f"jury-assignment:{campaign.id}:{juror_id}:{digest}",
        )
        for row in rows:
            row.notified_at = now
    return len(pending)


def _assignment_target(
    campaign: Campaign, proposal_id: int, juror_id: int
) -> tuple[_AssignmentData, ReviewAssignment | None]:
    data = _assignment_data(campaign)
    if proposal_id not in data.proposal_ids:
        raise Refused(_l("Cette proposition n’est pas en compétition dans la campagne."))
    if juror_id not in data.juror_ids:
        raise Refused(_l("Cette personne n’est pas membre du jury de la campagne."))
    pair = (juror_id, proposal_id)
    return data, data.active.get(pair) or data.removed.get(pair)


def pin_assignment(user: User, campaign_id: int, proposal_id: int, juror_id: int) -> None:
    """Give a proposal to a juror by hand: kept by every later run."""
    _set_by_hand(user, campaign_id, proposal_id, juror_id, pinned=True)


def remove_assignment(user: User, campaign_id: int, proposal_id: int, juror_id: int) -> None:
    """Take a proposal from a juror by hand: no later run gives it back."""
    _set_by_hand(user, campaign_id, proposal_id, juror_id, pinned=False)


def _set_by_hand(
    user: User, campaign_id: int, proposal_id: int, juror_id: int, *, pinned: bool
) -> None:
    """Pin (active, kept) or remove (never given back) one juror × proposal pair, audited."""
    campaign = organiser_campaign(user, campaign_id, lock=True)
    if campaign.status not in ASSIGNABLE_STATUSES:
        raise Refused(_assignment_refusal(campaign))
    data, row = _assignment_target(campaign, proposal_id, juror_id)
    if pinned and (juror_id, proposal_id) in data.conflicts:
        raise Refused(_l("Ce juré est en conflit d’intérêts avec cette proposition."))
    if row is None:
        row = ReviewAssignment(
            campaign_id=campaign.id,
            proposal_id=proposal_id,
            juror_id=juror_id,
            created_by_id=user.id,
        )
        db.session.add(row)
    row.state = (AssignmentState.ACTIVE if pinned else AssignmentState.REMOVED).value
    row.pinned = pinned
    with _concurrent_change_refused():
        db.session.flush()
        audit.record(
            "jury.assignment_pinned" if pinned else "jury.assignment_removed",
            actor=user,
            campaign_id=campaign.id,
            target=row,
            details={"proposal_id": proposal_id, "juror_id": juror_id},
        )
        db.session.commit()


def restore_assignment(user: User, campaign_id: int, proposal_id: int, juror_id: int) -> None:
    """Forget a manual removal: the next run may assign the pair again."""
    campaign = organiser_campaign(user, campaign_id, lock=True)
    if campaign.status not in ASSIGNABLE_STATUSES:
        raise Refused(_assignment_refusal(campaign))
    row = db.session.scalar(
        select(ReviewAssignment).where(
            ReviewAssignment.campaign_id == campaign.id,
            ReviewAssignment.proposal_id == proposal_id,
            ReviewAssignment.juror_id == juror_id,
            ReviewAssignment.state == AssignmentState.REMOVED.value,
        )
    )
    if row is None:
        raise Refused(_l("Aucun retrait manuel à annuler pour ce juré et cette proposition."))
    audit.record(
        "jury.assignment_restored",
        actor=user,
        campaign_id=campaign.id,
        target=row,
        details={"proposal_id": proposal_id, "juror_id": juror_id},
    )
    db.session.delete(row)
    db.session.commit()


# ---------------------------------------------------------------- reminders ------------------


def reminder_days_left(review_ends_at: datetime, now: datetime) -> int | None:
    """Days left (3 or 1, Paris calendar days) when a reminder is due now, else None.

    Due from ``REMINDER_HOUR`` Paris time on the day three (and one) calendar days before the end
    of review, and only while the review is still open.
    """
    if now >= review_ends_at:
        return None
    here = utc_to_paris(now)
    if here.hour < REMINDER_HOUR:
        return None
    days = (utc_to_paris(review_ends_at).date() - here.date()).days
    return days if days in REMINDER_DAYS else None


def remind_jurors(now: datetime | None = None) -> int:
    """Remind jurors with pending reviews (beat, hourly). Returns the number of reminders queued.

    At most one reminder per juror, campaign and Paris day: the dedup key names the day, so the
    hourly runs of that day (and two beats racing) queue it once.
    """
    now = now or utcnow()
    campaigns = db.session.scalars(
        select(Campaign).where(
            Campaign.status == CampaignStatus.REVIEW.value,
            Campaign.review_ends_at.is_not(None),
            Campaign.review_ends_at > now,
        )
    ).all()
    sent = 0
    day = utc_to_paris(now).date().isoformat()
    for campaign in campaigns:
        days_left = reminder_days_left(campaign.review_ends_at, now)
        if days_left is None:
            continue
        sent += _remind_campaign(campaign, days_left, day)
    try:
        if sent:
            audit.record("jury.reminders_sent", details={"count": sent, "day": day})
        db.session.commit()
    except IntegrityError:  # another beat queued the same reminders first
        db.session.rollback()
        return 0
    return sent


def _remind_campaign(campaign: Campaign, days_left: int, day: str) -> int:
    data = _assignment_data(campaign)
    effective = data.effective()
    done = {
        (r.juror_id, r.proposal_id)
        for r in db.session.execute(
            select(Review.juror_id, Review.proposal_id).where(
                Review.campaign_id == campaign.id,
                Review.phase == ReviewPhase.WRITTEN.value,
                Review.status == ReviewStatus.SUBMITTED.value,
            )
        )
    }
    pending = Counter(juror_id for juror_id, p in effective if (juror_id, p) not in done)
    if not pending:
        return 0
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(pending))))}
    link = external_url("jury.workspace")
    queued = 0
    for juror_id, count in sorted(pending.items()):
        user = users[juror_id]
        key = f"jury-reminder:{campaign.id}:{juror_id}:{day}"
        message = outbox.queue(
            "jury_reminder",
            user.email,
            {
                "juror_name": user.display_name,
                "campaign_title": campaign.title,
                "pending": count,
                "days_left": days_left,
                "review_ends_at": campaign.review_ends_at,
                "link": link,
            },
            locale=user.locale or "fr",
            user_id=user.id,
            campaign_id=campaign.id,
            dedup_key=key,
        )
        if message in db.session.new:  # not queued before today
            queued += 1
    return queued


# ---------------------------------------------------------------- ranking --------------------


@dataclass(frozen=True, slots=True)
class JurorScore:
    juror_id: int
    juror_name: str
    review_id: int
    score: float | None  # weighted mean; None when the review is excluded
    excluded_reason: str | None
    normalised: bool  # whether this juror's scores were standardised
    scores: dict[int, float]  # criterion id -> score
    comment_for_jury: str = ""


@dataclass(frozen=True, slots=True)
class RankingRow:
    """One proposal in a ranking, as plain values (for pages, exports and the results)."""

    rank: int | None  # in the order asked for (``by``)
    proposal_id: int
    title: str
    administration: str
    status: str
    supports: int
    review_count: int
    mean: float | None
    median: float | None
    stdev: float | None
    disagreement: bool
    normalised: float | None
    unnormalised_reviews: int
    criterion_means: Mapping[int, float | None]  # read-only, by criterion id
    juror_scores: tuple[JurorScore, ...]  # empty when the details were not asked for
    shortlisted: bool | None  # the organisers' decision, None when none was taken
    shortlist_note: str
    raw_rank: int | None = None  # the rank in each order, whatever ``by``
    normalised_rank: int | None = None

    @property
    def score(self) -> float | None:
        return self.mean


@dataclass(frozen=True)
class CriterionRef:
    id: int
    label: str
    weight: float


@dataclass(frozen=True)
class RankingReport:
    campaign_id: int
    phase: str
    by: str
    criteria: list[CriterionRef]
    scale_min: float
    scale_max: float
    rows: list[RankingRow]
    excluded_reviews: int  # incomplete or out of scale
    conflicted_reviews: int  # by jurors now in conflict: never counted
    unnormalised_jurors: list[str]
    grid_ready: bool


RankingDetails = bool | Collection[int]  # see campaign_ranking


def campaign_ranking(
    campaign_id: int, phase: str = "written", by: str = "raw", *, details: RankingDetails = True
) -> list[RankingRow]:
    """The ranking of a campaign's proposals, as plain rows, best first.

    ``phase``: "written" (the jury's reviews, proposals in competition) or "pitch" (pitch-day
    scores, proposals on the pitch list or with a pitch review). ``by``: "raw" or "normalised".
    Counts only submitted reviews by jurors not in conflict. No permission check: the caller
    checks that the person is an organiser. A constant number of queries.

    ``details``: each row's ``juror_scores`` (every counted review with its criterion scores and
    comment) for every row (True), for none (False: the lean ranking, for long lists such as
    exports) or for these proposal ids only. The ranks and scores never depend on it.
    """
    return ranking_report(campaign_id, phase, by, details=details).rows


def ranking_report(
    campaign_id: int, phase: str = "written", by: str = "raw", *, details: RankingDetails = True
) -> RankingReport:
    """:func:`campaign_ranking` with what the page needs to explain it (same ``details``)."""
    computed = _compute_ranking(campaign_id, phase, by)
    if details is False:
        return computed.report
    wanted = None if details is True else set(details)
    rows = computed.report.rows
    if wanted is not None:
        rows = [r for r in rows if r.proposal_id in wanted]
    detailed = {r.proposal_id: r for r in _with_details(computed, rows, everything=wanted is None)}
    return replace(
        computed.report, rows=[detailed.get(r.proposal_id, r) for r in computed.report.rows]
    )


@dataclass(frozen=True)
class _Ranking:
    """A lean ranking, with what loading some rows' jurors' details needs afterwards."""

    report: RankingReport
    criteria: list[Criterion]
    grid: ranking_algo.Grid | None
    conflicts: frozenset[tuple[int, int]]
    names: dict[int, str]  # reviewer id -> name
    standardised: dict[int, bool]  # juror id -> whether their scores were standardised


def _compute_ranking(campaign_id: int, phase: str, by: str) -> _Ranking:
    """Every row without the jurors' details, in a constant number of queries.

    The submitted reviews are streamed once (:class:`_ReviewStream`) into the pure ranking,
    which keeps only each usable review's juror, proposal and weighted score, in arrays.
    """
    phase = ReviewPhase(phase).value
    by = ranking_algo.RankBy(by).value
    campaign = _campaign(campaign_id)
    criteria = review_grid(campaign.id, phase)
    grid = ranking_algo.grid_of(criteria)
    proposals = _ranked_proposals(campaign.id, phase)
    reviewers = _reviewers(campaign.id, phase)
    names = {u.id: _name(u.first_name, u.last_name, u.email) for u in reviewers}
    refs = [JurorRef(u.id, u.email, names[u.id], u.administration) for u in reviewers]
    conflicts = conflict_pairs(campaign, refs, [(p.id, p.administration) for p in proposals])
    info = {p.id: p for p in proposals}
    stream = _ReviewStream(campaign.id, phase, criteria, grid, info, conflicts)
    criterion_refs = [CriterionRef(c.id, c.label, c.weight) for c in criteria]
    if grid is None:
        stream.count()
        rows = [_row(None, p, None) for p in proposals]
        report = RankingReport(
            campaign.id, phase, by, criterion_refs, 0, 0, rows, 0, stream.conflicted, [], False
        )
        return _Ranking(report, criteria, None, conflicts, names, {})

    # criterion_means is read once the stream is over, complete
    scores = ranking_algo.compute_weighted_scores(grid, stream, list(info), stream.criterion_means)
    excluded, conflicted = stream.excluded, stream.conflicted
    del stream  # its criterion means now belong to the scores
    raw = by == ranking_algo.RankBy.RAW.value
    other = ranking_algo.RankBy.NORMALISED if raw else ranking_algo.RankBy.RAW
    other_ranks = {r.scores.proposal_id: r.rank for r in ranking_algo.rank_proposals(scores, other)}
    no_means = _CriterionMeans(_CriterionMeans.keys_of(criteria), [None] * len(criteria))
    rows = []
    for ranked in ranking_algo.rank_proposals(scores, by):
        proposal_id = ranked.scores.proposal_id
        other_rank = other_ranks[proposal_id]
        rows.append(
            _row(
                ranked.rank,
                info[proposal_id],
                ranked.scores,
                (ranked.rank, other_rank) if raw else (other_rank, ranked.rank),
                # a proposal without a usable review: None for every criterion
                None if ranked.scores.review_count else no_means,
            )
        )
    unnormalised = sorted(
        names[j] for j, stats in scores.jurors.items() if not stats.normalised and j in names
    )
    report = RankingReport(
        campaign_id=campaign.id,
        phase=phase,
        by=by,
        criteria=criterion_refs,
        scale_min=grid.scale_min,
        scale_max=grid.scale_max,
        rows=rows,
        excluded_reviews=excluded,
        conflicted_reviews=conflicted,
        unnormalised_jurors=unnormalised,
        grid_ready=True,
    )
    standardised = {j: stats.normalised for j, stats in scores.jurors.items()}
    return _Ranking(report, criteria, grid, conflicts, names, standardised)


def _reviewers(campaign_id: int, phase: str) -> list[Row]:
    """The accounts of the jurors with a submitted review in the phase."""
    juror_ids = select(Review.juror_id).where(
        Review.campaign_id == campaign_id,
        Review.phase == phase,
        Review.status == ReviewStatus.SUBMITTED.value,
    )
    return list(
        db.session.execute(
            select(User.id, User.email, User.first_name, User.last_name, User.administration)
            .where(User.id.in_(juror_ids))
            .order_by(User.id)
        )
    )


STREAM_BATCH = 5000


class _ReviewStream:
    """The phase's submitted reviews, streamed once and weighed as they come.

    Iterating yields the usable counted reviews as (review, juror, proposal, weighted score), the
    input of :func:`ranking_algo.compute_weighted_scores`; meanwhile it counts the others and
    computes each proposal's criterion means (``criterion_means``, complete once the iteration
    ends). A review counts when its proposal is ranked and its juror is not in conflict with it;
    a counted review is usable unless :func:`ranking_algo.weigh` excludes it.

    The database sends one row per review, its criterion scores side by side in grid order, by
    proposal: each proposal's means are computed when its last review is read, and no review
    outlives its row.
    """

    def __init__(
        self,
        campaign_id: int,
        phase: str,
        criteria: Sequence[Criterion],
        grid: ranking_algo.Grid | None,
        proposal_ids: Collection[int],
        conflicts: Collection[tuple[int, int]],
    ) -> None:
        self.campaign_id, self.phase, self.criteria, self.grid = campaign_id, phase, criteria, grid
        self.proposal_ids, self.conflicts = proposal_ids, conflicts
        self.criterion_means: dict[int, _CriterionMeans] = {}
        self.excluded = 0  # counted but incomplete or out of scale
        self.conflicted = 0

    def __iter__(self) -> Iterator[tuple[int, int, int, float]]:
        grid, conflicts, proposal_ids = self.grid, self.conflicts, self.proposal_ids
        keys = _CriterionMeans.keys_of(self.criteria)
        shared: dict[tuple[float | None, ...], _CriterionMeans] = {}
        for proposal_id, reviews in groupby(_stream(self._statement()), key=itemgetter(2)):
            usable: list[Sequence[float | None]] = []
            for review_id, juror_id, _proposal, *values in reviews:
                if (juror_id, proposal_id) in conflicts:
                    self.conflicted += 1
                    continue
                if grid is None or proposal_id not in proposal_ids:
                    continue
                weighed = ranking_algo.weigh(grid, values)
                if weighed.score is None:
                    self.excluded += 1
                    continue
                usable.append(values)
                yield review_id, juror_id, proposal_id, weighed.score
            if usable:
                means = ranking_algo.criterion_means(grid, usable)
                self.criterion_means[proposal_id] = _CriterionMeans.shared(shared, keys, means)

    def count(self) -> None:
        """Read the whole stream only to count the conflicted reviews (no usable grid)."""
        for _review in self:
            pass

    def _statement(self) -> Select:
        by_criterion = [
            func.max(case((ReviewScore.criterion_id == c.id, ReviewScore.score)))
            for c in self.criteria
        ]
        return (
            select(Review.id, Review.juror_id, Review.proposal_id, *by_criterion)
            .outerjoin(ReviewScore, ReviewScore.review_id == Review.id)
            .where(
                Review.campaign_id == self.campaign_id,
                Review.phase == self.phase,
                Review.status == ReviewStatus.SUBMITTED.value,
            )
            .group_by(Review.id, Review.juror_id, Review.proposal_id)
            .order_by(Review.proposal_id, Review.id)
        )


class _CriterionMeans(Mapping[int, "float | None"]):
    """A proposal's mean score by criterion id, read-only.

    The values sit in a tuple behind one key index shared by every proposal: for a campaign of
    100,000 proposals this weighs half as much as a dict per proposal.
    """

    __slots__ = ("_index", "_values")

    def __init__(self, index: Mapping[int, int], values: Sequence[float | None]) -> None:
        self._index = index
        self._values = tuple(values)

    @staticmethod
    def keys_of(criteria: Sequence[Criterion]) -> dict[int, int]:
        return {c.id: position for position, c in enumerate(criteria)}

    @classmethod
    def shared(
        cls,
        cache: dict[tuple[float | None, ...], _CriterionMeans],
        index: Mapping[int, int],
        values: tuple[float | None, ...],
    ) -> _CriterionMeans:
        """The means ``values``, one object for equal values (they are read-only).

        Many proposals share their means (a few jurors' whole-number scores): one object each
        would weigh ~20 MB for 100,000 proposals. A zero is never shared (0.0 == -0.0).
        """
        if 0 in values:
            return cls(index, values)
        means = cache.get(values)
        if means is None:
            means = cache[values] = cls(index, values)
        return means

    def __getitem__(self, criterion_id: int) -> float | None:
        return self._values[self._index[criterion_id]]

    def __iter__(self) -> Iterator[int]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return repr(dict(self))


def _with_details(
    computed: _Ranking, rows: Sequence[RankingRow], *, everything: bool = False
) -> list[RankingRow]:
    """``rows`` with their jurors' details (``juror_scores``), loaded in one query.

    ``everything``: the rows are the whole ranking, so read every review of the phase rather
    than those of the rows' proposals.
    """
    if computed.grid is None or not rows:
        return list(rows)
    report = computed.report
    ids = {r.proposal_id for r in rows}
    statement = (
        select(
            Review.id,
            Review.juror_id,
            Review.proposal_id,
            Review.comment_for_jury,
            ReviewScore.criterion_id,
            ReviewScore.score,
        )
        .outerjoin(ReviewScore, ReviewScore.review_id == Review.id)
        .where(
            Review.campaign_id == report.campaign_id,
            Review.phase == report.phase,
            Review.status == ReviewStatus.SUBMITTED.value,
        )
        .order_by(Review.id)
    )
    if not everything and len(ids) <= DETAILS_IN_LIST_MAX:
        statement = statement.where(Review.proposal_id.in_(sorted(ids)))
    by_proposal: dict[int, list[JurorScore]] = defaultdict(list)
    for review_id, group in groupby(_stream(statement), key=itemgetter(0)):
        review_rows = list(group)  # one per criterion score
        _id, juror_id, proposal_id, comment, _criterion, _score = review_rows[0]
        if proposal_id not in ids or (juror_id, proposal_id) in computed.conflicts:
            continue
        given = {r.criterion_id: r.score for r in review_rows if r.criterion_id is not None}
        weighed = ranking_algo.weigh(computed.grid, [given.get(c.id) for c in computed.criteria])
        by_proposal[proposal_id].append(
            JurorScore(
                juror_id=juror_id,
                juror_name=computed.names.get(juror_id, "?"),
                review_id=review_id,
                score=weighed.score,
                excluded_reason=weighed.excluded_reason,
                normalised=computed.standardised.get(juror_id, False),
                scores=given,
                comment_for_jury=comment or "",
            )
        )
    return [
        replace(
            r,
            juror_scores=tuple(sorted(by_proposal[r.proposal_id], key=lambda s: s.juror_name)),
        )
        for r in rows
    ]


DETAILS_IN_LIST_MAX = 1000  # more proposals: read the whole phase, filter here


def _name(first: str | None, last: str | None, email: str) -> str:
    return f"{first or ''} {last or ''}".strip() or email


@dataclass(frozen=True, slots=True)
class _ProposalInfo:
    id: int
    title: str
    administration: str
    status: str
    supports: int
    shortlisted: bool | None  # the organisers' decision, None when none was taken
    shortlist_note: str


def _ranked_proposals(campaign_id: int, phase: str) -> list[_ProposalInfo]:
    """The proposals to rank, by id, with their supports and shortlist decision."""
    supports = (
        select(func.count(Support.id))
        .where(Support.proposal_id == Proposal.id)
        .correlate(Proposal)
        .scalar_subquery()
    )
    query = (
        select(
            Proposal.id,
            Proposal.title,
            Proposal.administration,
            Proposal.status,
            supports,
            ShortlistDecision.selected,
            ShortlistDecision.note,
        )
        .outerjoin(
            ShortlistDecision,
            (ShortlistDecision.proposal_id == Proposal.id)
            & (ShortlistDecision.campaign_id == campaign_id),
        )
        .where(Proposal.campaign_id == campaign_id, Proposal.status.in_(IN_COMPETITION))
    )
    keep = None
    if phase == ReviewPhase.PITCH.value:
        on_list = {p for p, _a in pitch_candidates(campaign_id)}
        with_reviews = set(
            db.session.scalars(
                select(Review.proposal_id).where(
                    Review.campaign_id == campaign_id, Review.phase == phase
                )
            )
        )
        keep = on_list | with_reviews
    shared: dict[str, str] = {"": ""}  # one string object per distinct administration, etc.
    return [
        _ProposalInfo(
            id_,
            title,
            shared.setdefault(administration, administration),
            shared.setdefault(status, status),
            supports,
            selected,
            shared.setdefault(note, note) if note is not None else "",
        )
        for id_, title, administration, status, supports, selected, note in _stream(
            query.order_by(Proposal.id)
        )
        if keep is None or id_ in keep
    ]


def _stream(statement: Select) -> Iterator[Row]:
    """The statement's rows, fetched ``STREAM_BATCH`` at a time (never all buffered at once)."""
    result = db.session.execute(statement.execution_options(yield_per=STREAM_BATCH))
    try:
        yield from result
    finally:
        result.close()


def _row(
    rank: int | None,
    proposal: _ProposalInfo,
    scores: ranking_algo.ProposalScores | None,
    ranks: tuple[int | None, int | None] = (None, None),
    criterion_means: Mapping[int, float | None] | None = None,
) -> RankingRow:
    """A row without juror details; ``ranks``: (raw, normalised).

    ``criterion_means`` replaces the scores' own (which are already the stream's read-only
    :class:`_CriterionMeans`, by criterion id: shared, never copied).
    """
    if criterion_means is None:
        criterion_means = scores.criterion_means if scores else {}
    return RankingRow(
        rank=rank,
        proposal_id=proposal.id,
        title=proposal.title,
        administration=proposal.administration,
        status=proposal.status,
        supports=proposal.supports,
        review_count=scores.review_count if scores else 0,
        mean=scores.mean if scores else None,
        median=scores.median if scores else None,
        stdev=scores.stdev if scores else None,
        disagreement=scores.disagreement if scores else False,
        normalised=scores.normalised if scores else None,
        unnormalised_reviews=scores.unnormalised_reviews if scores else 0,
        criterion_means=criterion_means,
        juror_scores=(),
        shortlisted=proposal.shortlisted,
        shortlist_note=proposal.shortlist_note,
        raw_rank=ranks[0],
        normalised_rank=ranks[1],
    )


@dataclass(frozen=True)
class RankingFilters:
    status: str | None = None
    administration: str | None = None
    disagreement: bool = False


@dataclass(frozen=True)
class RankingPage:
    campaign: Campaign
    report: RankingReport  # its rows without the jurors' details
    rows: list[RankingRow]  # this page, after the filters, with each juror's scores
    matching: int
    page: int
    pages: int
    administrations: list[str]
    statuses: list[str]
    shortlist_open: bool
    shortlist_refusal: str | None


RANKING_PAGE_SIZE = 100


def organiser_ranking(
    user: User,
    campaign_id: int,
    *,
    by: str = "raw",
    filters: RankingFilters | None = None,
    page: int = 1,
    phase: str = "written",
) -> RankingPage:
    """The ranking page of an organiser: ranks are global, the filters only hide rows.

    The jurors' details (each juror's score and comment) are loaded for the page's rows only.
    """
    campaign = organiser_campaign(user, campaign_id)
    filters = filters or RankingFilters()
    computed = _compute_ranking(campaign.id, phase, by)
    report = computed.report
    rows = [r for r in report.rows if _matches(r, filters)]
    pages = max(1, math.ceil(len(rows) / RANKING_PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = rows[(page - 1) * RANKING_PAGE_SIZE : page * RANKING_PAGE_SIZE]
    refusal = shortlist_refusal(campaign)
    return RankingPage(
        campaign=campaign,
        report=report,
        rows=_with_details(computed, shown),
        matching=len(rows),
        page=page,
        pages=pages,
        administrations=sorted({r.administration for r in report.rows if r.administration}),
        statuses=sorted({r.status for r in report.rows}),
        shortlist_open=refusal is None,
        shortlist_refusal=refusal,
    )


def _matches(row: RankingRow, filters: RankingFilters) -> bool:
    if filters.status and row.status != filters.status:
        return False
    if filters.administration and row.administration != filters.administration:
        return False
    return not (filters.disagreement and not row.disagreement)


@dataclass(frozen=True)
class ProposalScoresPage:
    campaign: Campaign
    row: RankingRow
    criteria: list[CriterionRef]
    scale_min: float
    scale_max: float
    by: str


def proposal_scores(
    user: User, campaign_id: int, proposal_id: int, *, by: str = "raw"
) -> ProposalScoresPage:
    """Each juror's scores and comments on one proposal (organisers only)."""
    campaign = organiser_campaign(user, campaign_id)
    report = ranking_report(campaign.id, ReviewPhase.WRITTEN.value, by, details=[proposal_id])
    row = next((r for r in report.rows if r.proposal_id == proposal_id), None)
    if row is None:
        raise NotFound
    return ProposalScoresPage(
        campaign, row, report.criteria, report.scale_min, report.scale_max, by
    )


# ---------------------------------------------------------------- shortlist ------------------


def shortlist_refusal(campaign: Campaign) -> str | None:
    """Why the shortlist cannot change now, or None when it can."""
    if campaign.status in SHORTLIST_STATUSES:
        return None
    if campaign.status in (CampaignStatus.DRAFT.value, CampaignStatus.OPEN.value):
        return _l("La présélection s’ouvrira à la fin des dépôts, pendant l’évaluation.")
    return _l(
        "La présélection est close : la campagne est passée à l’étape des pitchs, elle ne "
        "peut plus être modifiée."
    )


@dataclass(frozen=True)
class ShortlistChoice:
    proposal_id: int
    note: str = ""


def decide_shortlist(
    user: User, campaign_id: int, choices: Sequence[ShortlistChoice], *, selected: bool
) -> int:
    """Select (or set aside) proposals for the pitch, each with its note. All or nothing."""
    campaign = organiser_campaign(user, campaign_id, lock=True)
    refusal = shortlist_refusal(campaign)
    if refusal:
        raise Refused(refusal)
    if not choices:
        raise Refused(_l("Cochez au moins une proposition."))
    if any(len(c.note) > NOTE_MAX for c in choices):
        raise Refused(_l("Une note dépasse %(max)s caractères.", max=NOTE_MAX))
    ids = sorted({c.proposal_id for c in choices})
    proposals = {
        p.id: p
        for p in db.session.scalars(
            select(Proposal).where(Proposal.id.in_(ids), Proposal.campaign_id == campaign.id)
        )
    }
    unusable = [i for i in ids if i not in proposals or proposals[i].status not in SHORTLISTABLE]
    if unusable:
        raise Refused(
            _l(
                "Rien n’est enregistré : %(count)s proposition(s) choisie(s) ne sont pas en lice "
                "(retirées ou inconnues).",
                count=len(unusable),
            )
        )
    decisions = {
        d.proposal_id: d
        for d in db.session.scalars(
            select(ShortlistDecision).where(ShortlistDecision.proposal_id.in_(ids))
        )
    }
    now = utcnow()
    notes = {c.proposal_id: c.note.strip() for c in choices}
    for proposal_id in ids:
        decision = decisions.get(proposal_id)
        if decision is None:
            decision = ShortlistDecision(campaign_id=campaign.id, proposal_id=proposal_id)
            db.session.add(decision)
        decision.selected = selected
        decision.note = notes[proposal_id]
        decision.decided_by_id = user.id
        decision.decided_at = now
        proposal = proposals[proposal_id]
        proposal.status = (
            ProposalStatus.SHORTLISTED.value if selected else ProposalStatus.SUBMITTED.value
        )
        audit.record(
            "jury.shortlist_decided",
            actor=user,
            campaign_id=campaign.id,
            target=proposal,
            details={"selected": selected, "note": decision.note},
        )
    with _concurrent_change_refused():
        db.session.commit()
    return len(ids)
