"""The scoring grids: which kinds exist, and whether a grid is frozen by the reviews using it."""

from __future__ import annotations

from sqlalchemy import exists, or_, select

from challenge.campaigns.models import Criterion, GridKind
from challenge.errors import NotFound
from challenge.extensions import db
from challenge.jury.models import Review, ReviewScore


def grid_kind(kind: str) -> str:
    """``kind`` if it names a grid (it comes from the URL); NotFound otherwise."""
    if kind not in {k.value for k in GridKind}:
        raise NotFound
    return kind


def grid_in_use(campaign_id: int, kind: str) -> bool:
    """A grid is frozen once a review of its phase exists or a score uses one of its criteria."""
    phase = "written" if kind == GridKind.REVIEW.value else "pitch"
    return bool(
        db.session.scalar(
            select(
                or_(
                    exists().where(Review.campaign_id == campaign_id, Review.phase == phase),
                    exists()
                    .where(ReviewScore.criterion_id == Criterion.id)
                    .where(Criterion.campaign_id == campaign_id, Criterion.grid == kind),
                )
            )
        )
    )
