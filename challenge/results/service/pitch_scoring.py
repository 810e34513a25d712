"""A juror scores a pitch on the campaign's pitch grid, revisable while it is pitch day."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_babel import gettext as _

from challenge.access.campaigns import campaign_for_juror
from challenge.access.jury import visible_proposal_ids_for_juror
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign, Criterion
from challenge.errors import Invalid, NotFound, Refused
from challenge.extensions import db
from challenge.jury.models import Review, ReviewPhase, ReviewScore, ReviewStatus
from challenge.jury.service.reviews import ReviewInput, validated_scores
from challenge.results.queries.phases import scoring_refusal
from challenge.results.queries.pitch_scoring import own_pitch_review, pitch_grid
from challenge.timeutils import utcnow
from challenge.unit_of_work import unit_of_work

# A pitch is scored with the same three fields as a written review, under the same rules.
PitchScoreInput = ReviewInput


def save_pitch_score(
    user: User, campaign_id: int, proposal_id: int, data: PitchScoreInput
) -> Review:
    """Score one pitch on the pitch grid (every criterion); revisable while it is pitch day."""
    campaign = campaign_for_juror(user, campaign_id)
    visible = visible_proposal_ids_for_juror(campaign.id, user.id, ReviewPhase.PITCH.value)
    if proposal_id not in visible:
        raise NotFound
    refusal = scoring_refusal(campaign)
    if refusal:
        raise Refused(refusal)
    criteria = pitch_grid(campaign.id)
    if not criteria:
        raise Refused(
            _("La grille des pitchs n’est pas encore prête : prévenez les organisateurs.")
        )
    scores = _validated_scores(criteria, data)
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        review = own_pitch_review(user.id, proposal_id)
        created = review is None
        if review is None:
            review = _new_pitch_review(campaign, proposal_id, user.id)
        _write_scores(review, scores, data)
        db.session.flush()
        work.audit(
            "results.pitch_scored",
            target=review,
            details={
                "proposal_id": proposal_id,
                "created": created,
                "scores": {str(k): v for k, v in sorted(scores.items())},
            },
        )
    return review


def _new_pitch_review(campaign: Campaign, proposal_id: int, juror_id: int) -> Review:
    review = Review(
        campaign_id=campaign.id,
        proposal_id=proposal_id,
        juror_id=juror_id,
        phase=ReviewPhase.PITCH.value,
    )
    db.session.add(review)
    return review


def _write_scores(review: Review, scores: Mapping[int, float], data: PitchScoreInput) -> None:
    now = utcnow()
    review.status = ReviewStatus.SUBMITTED.value
    review.comment_for_jury = data.comment_for_jury.strip()
    review.message_for_agent = data.message_for_agent.strip()
    review.updated_at = now
    review.submitted_at = now
    existing = {s.criterion_id: s for s in review.scores}
    for criterion_id, value in scores.items():
        if criterion_id in existing:
            existing[criterion_id].score = value
        else:
            review.scores.append(ReviewScore(criterion_id=criterion_id, score=value))


def _validated_scores(criteria: Sequence[Criterion], data: PitchScoreInput) -> dict[int, float]:
    """The jury's rules for a grid (every criterion scored within its scale, texts within their
    limits); the pitch form names a criterion's field ``criterion-<id>``."""
    try:
        return validated_scores(criteria, data, submit=True)
    except Invalid as error:
        errors = {
            f"criterion-{key}" if isinstance(key, int) else key: message
            for key, message in error.errors.items()
        }
        raise Invalid(
            errors or error.errors,
            _("La note n’est pas enregistrée : corrigez les champs signalés.")
            if errors
            else error.message,
        ) from error
