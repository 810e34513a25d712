"""The phase's submitted reviews, streamed once from the database into the pure ranking."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from itertools import groupby
from operator import itemgetter

from sqlalchemy import Row, Select, case, func, select

from challenge.campaigns.models import Criterion
from challenge.extensions import db
from challenge.jury import ranking as ranking_algo
from challenge.jury.models import Review, ReviewScore, ReviewStatus

STREAM_BATCH = 5000


class ReviewStream:
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
        self.criterion_means: dict[int, CriterionMeans] = {}
        self.excluded = 0  # counted but incomplete or out of scale
        self.conflicted = 0

    def __iter__(self) -> Iterator[tuple[int, int, int, float]]:
        grid, conflicts, proposal_ids = self.grid, self.conflicts, self.proposal_ids
        keys = CriterionMeans.keys_of(self.criteria)
        shared: dict[tuple[float | None, ...], CriterionMeans] = {}
        for proposal_id, reviews in groupby(stream_rows(self._statement()), key=itemgetter(2)):
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
                self.criterion_means[proposal_id] = CriterionMeans.shared(shared, keys, means)

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


class CriterionMeans(Mapping[int, "float | None"]):
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
        cache: dict[tuple[float | None, ...], CriterionMeans],
        index: Mapping[int, int],
        values: tuple[float | None, ...],
    ) -> CriterionMeans:
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


def stream_rows(statement: Select) -> Iterator[Row]:
    """The statement's rows, fetched ``STREAM_BATCH`` at a time (never all buffered at once)."""
    result = db.session.execute(statement.execution_options(yield_per=STREAM_BATCH))
    try:
        yield from result
    finally:
        result.close()
