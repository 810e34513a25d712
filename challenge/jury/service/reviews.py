"""A juror saves a draft of their written review, or submits it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from challenge.access.campaigns import campaign_for_juror
from challenge.access.juror_view import juror_sight
from challenge.accounts.models import User
from challenge.campaigns.models import Criterion
from challenge.errors import Invalid, Refused
from challenge.extensions import db
from challenge.jury.models import Review, ReviewPhase, ReviewScore, ReviewStatus
from challenge.jury.queries.grid import review_grid
from challenge.jury.queries.phases import review_state
from challenge.jury.queries.review_page import own_review, visible_proposal
from challenge.timeutils import utcnow
from challenge.unit_of_work import unit_of_work

COMMENT_MAX = 5000
MESSAGE_MAX = 3000


@dataclass(frozen=True)
class ReviewInput:
    scores: Mapping[int, int | None]  # criterion id -> level (None: not chosen yet)
    comment_for_jury: str = ""
    message_for_agent: str = ""


def save_review(
    user: User, campaign_id: int, proposal_id: int, data: ReviewInput, *, submit: bool
) -> Review:
    """Save a draft, or submit (every criterion scored). Refused once the review phase ended."""
    campaign = campaign_for_juror(user, campaign_id)
    proposal = visible_proposal(juror_sight(campaign, user.id), campaign, proposal_id)
    can_edit, reason = review_state(campaign)
    if not can_edit:
        raise Refused(reason if reason is not None else "")
    scores = validated_scores(review_grid(campaign.id), data, submit)
    review = own_review(proposal.id, user.id)
    if review is not None and review.status == ReviewStatus.SUBMITTED.value and not submit:
        raise Refused(
            _l(
                "Cette évaluation est déjà envoyée : enregistrez vos modifications avec "
                "« Enregistrer les modifications »."
            )
        )
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
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
        newly_submitted = submit and review.status != ReviewStatus.SUBMITTED.value
        _apply(review, data, scores, submit=submit)
        action = "jury.review_submitted" if newly_submitted else "jury.review_saved"
        work.audit(
            action,
            target=review,
            details={
                "proposal_id": proposal.id,
                "created": created,
                "status": review.status,
                "scores": {str(k): v for k, v in sorted(scores.items())},
            },
        )
    return review


def _apply(review: Review, data: ReviewInput, scores: Mapping[int, float], *, submit: bool) -> None:
    """Write the input on the review."""
    review.comment_for_jury = data.comment_for_jury.strip()
    review.message_for_agent = data.message_for_agent.strip()
    review.updated_at = utcnow()
    _replace_scores(review, scores)
    if submit:
        review.status = ReviewStatus.SUBMITTED.value
        review.submitted_at = utcnow()


def validated_scores(
    criteria: Sequence[Criterion], data: ReviewInput, submit: bool
) -> dict[int, float]:
    """The scores to save, by criterion id; :class:`Invalid` (criterion id or field -> message)
    when one is out of the criterion's scale, missing on submission, or a text is too long."""
    known = {c.id for c in criteria}
    if any(k not in known for k in data.scores):
        raise Invalid({}, _l("Une note porte sur un critère inconnu."))
    errors: dict[int | str, str] = {}
    scores: dict[int, float] = {}
    for criterion in criteria:
        value = data.scores.get(criterion.id)
        if value is None:
            if submit:
                errors[criterion.id] = _l("Choisissez une note pour ce critère.")
        elif not isinstance(value, int) or not criterion.scale_min <= value <= criterion.scale_max:
            errors[criterion.id] = _l(
                "Choisissez une note entre %(low)s et %(high)s.",
                low=criterion.scale_min,
                high=criterion.scale_max,
            )
        else:
            scores[criterion.id] = float(value)
    if len(data.comment_for_jury) > COMMENT_MAX:
        errors["comment_for_jury"] = _l("%(max)s caractères au plus.", max=COMMENT_MAX)
    if len(data.message_for_agent) > MESSAGE_MAX:
        errors["message_for_agent"] = _l("%(max)s caractères au plus.", max=MESSAGE_MAX)
    if submit and not criteria:
        errors["grid"] = _l("La grille d’évaluation n’est pas encore prête.")
    if errors:
        raise Invalid(
            errors,  # type: ignore[arg-type]  # criterion ids: the grid's radio groups
            _l("L’évaluation n’est pas enregistrée : corrigez les champs signalés."),
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
