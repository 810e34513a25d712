"""The evaluation grid of a phase, and the scores given on it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from challenge.campaigns.models import Criterion, GridKind
from challenge.extensions import db
from challenge.jury import ranking as ranking_algo
from challenge.jury.models import Review, ReviewPhase, ReviewScore


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


def scores_of(review_ids: Sequence[int]) -> dict[int, dict[int, float]]:
    """Each review's scores by criterion id, in one query."""
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


def weighted_score(
    grid: ranking_algo.Grid | None, review: Review, scores: dict[int, float]
) -> float | None:
    """The review's weighted mean on the grid's scale; None without a usable grid."""
    if grid is None:
        return None
    scored = ranking_algo.score_review(
        grid,
        ranking_algo.Review(
            review.id, review.juror_id, review.proposal_id, {str(k): v for k, v in scores.items()}
        ),
    )
    return scored.score
