"""Fair ranking of proposals from the jurors' review scores.

Choices (all documented where they are implemented):

* A review's score is the weighted mean of its *counted* criteria (weight > 0) on the grid's scale.
  A review missing a counted criterion, or holding a score outside the scale, is *excluded* from
  every statistic (and listed with the reason) rather than scored on the criteria it has: a partial
  mean would silently change the weights. Weight-0 criteria are shown but never counted, and may be
  left blank.
* Standard deviations are *population* deviations (divide by n): they describe the spread of the
  reviews actually given, are defined for a single review (0), and do not inflate small samples of
  2-3 reviews the way the sample formula does.
* Normalisation: each juror's review scores become z-scores over that juror's own reviews; a
  proposal's z-scores are averaged and mapped back onto the scale with the global mean and standard
  deviation of all review scores, then clamped to the scale. Jurors with fewer than
  ``MIN_REVIEWS_FOR_NORMALISATION`` reviews, or whose scores are all equal, cannot be standardised:
  their raw score is used as is (it is already on the scale), and the proposals they reviewed say
  so (``ProposalScores.unnormalised_reviews``).
* Ranking sorts by score (rounded to ``TIE_DECIMALS`` so float noise never splits a tie), then by
  number of reviews (more reviews, more reliable), then by the given proposal order (stable sort).
  Rank numbers are shared on a full tie of score and review count ("1, 2, 2, 4"); proposals
  without a usable review come last, unranked. The normalised order uses the unclamped value so
  that clamping at the ends of the scale never creates artificial ties.
* Two entry points, one implementation: :func:`compute_scores` takes whole reviews;
  :func:`compute_weighted_scores` takes the usable reviews already reduced to their weighted mean
  by :func:`weigh` (as the database streams them) with each proposal's criterion means, and keeps
  only (juror, proposal, score) per review in arrays, so that 300,000 reviews fit in a few MB.
  Means are ``math.fsum`` / n (what ``statistics.fmean`` does); standard deviations are exact and
  correctly rounded like ``statistics.pstdev``, computed with integers rather than Fractions: the
  numbers are the same to the last bit, many times faster.
"""

from __future__ import annotations

import itertools
import math
import sys
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple, Protocol

Id = int | str

DISAGREEMENT_FRACTION = 0.25  # stdev >= this share of the scale range flags a disagreement
MIN_REVIEWS_FOR_NORMALISATION = 3  # fewer reviews: a juror's mean and spread mean little
TIE_DECIMALS = 9  # scores equal to this many decimals are tied
SCALE_TOLERANCE = 1e-9  # scores this close outside the scale (float noise) are clamped in

EXCLUDED_INCOMPLETE = "incomplete"  # a counted criterion has no score
EXCLUDED_OUT_OF_SCALE = "out_of_scale"  # a score is outside the grid's scale or not a number

NORMALISATION_EXPLANATION_FR = (
    "La note normalisée corrige l'effet des jurés plus sévères ou plus indulgents que les autres. "
    "Chaque note d'un juré est comparée à ses propres notes : est-elle au-dessus ou en dessous de "
    "sa moyenne, et de combien par rapport à l'écart habituel entre ses notes ? Ces positions sont "
    "moyennées pour chaque proposition, puis ramenées sur l'échelle de la grille à partir de la "
    "moyenne et de la dispersion de toutes les notes. Elle n'est pas fiable quand un juré a évalué "
    f"moins de {MIN_REVIEWS_FOR_NORMALISATION} propositions ou a donné partout la même note : ses "
    "notes sont alors reprises telles quelles et la proposition est signalée. Elle suppose aussi "
    "que les jurés ont reçu des lots de propositions comparables : un juré tombé sur les "
    "meilleures propositions paraîtra à tort sévère."
)
NORMALISATION_EXPLANATION_EN = (
    "The normalised score corrects for jurors who mark more harshly or more leniently than others. "
    "Each of a juror's scores is compared with that juror's own scores: is it above or below their "
    "average, and by how much relative to their usual spread? These positions are averaged for "
    "each proposal, then mapped back onto the grid's scale using the mean and spread of all scores. "
    f"It is not reliable when a juror reviewed fewer than {MIN_REVIEWS_FOR_NORMALISATION} "
    "proposals or gave the same score everywhere: their scores are then used as they are and the "
    "proposal is flagged. It also assumes jurors received comparable batches of proposals: a juror "
    "who happened to get the best proposals will wrongly look harsh."
)


class RankBy(StrEnum):
    """Which score orders the ranking."""

    RAW = "raw"
    NORMALISED = "normalised"


@dataclass(frozen=True)
class Criterion:
    """One line of the grid; weight 0 means shown to jurors but not counted in the score."""

    id: str
    weight: float = 1.0


@dataclass(frozen=True)
class Grid:
    """The evaluation grid: criteria sharing one scale ``scale_min..scale_max``."""

    criteria: tuple[Criterion, ...]
    scale_min: float = 0.0
    scale_max: float = 4.0

    def __post_init__(self) -> None:
        """Reject grids that cannot produce a score (a configuration error, so raise)."""
        object.__setattr__(self, "criteria", tuple(self.criteria))
        ids = [c.id for c in self.criteria]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate criterion ids")
        if any(not math.isfinite(c.weight) or c.weight < 0 for c in self.criteria):
            raise ValueError("criterion weights must be finite and >= 0")
        if not self.counted:
            raise ValueError("the grid needs at least one criterion with a weight > 0")
        if not self.scale_max > self.scale_min:
            raise ValueError("scale_max must be greater than scale_min")
        object.__setattr__(self, "_layout", _Layout.of(self))  # not a field: not compared

    @property
    def counted(self) -> tuple[Criterion, ...]:
        """Criteria that enter the weighted mean."""
        return tuple(c for c in self.criteria if c.weight > 0)

    @property
    def scale_range(self) -> float:
        """Width of the scale."""
        return self.scale_max - self.scale_min

    def clamp(self, value: float) -> float:
        """``value`` brought inside the scale."""
        return min(self.scale_max, max(self.scale_min, value))


class CriterionRecord(Protocol):
    """What a stored criterion offers (the campaign's ``Criterion`` rows have it)."""

    id: int
    weight: float
    scale_min: int
    scale_max: int


def grid_of(criteria: Sequence[CriterionRecord]) -> Grid | None:
    """The grid of a campaign's criteria, or None when it cannot score (none, or no weight > 0).

    All criteria of a grid share one scale, so the first one gives it.
    """
    if not criteria:
        return None
    try:
        return Grid(
            tuple(Criterion(str(c.id), float(c.weight)) for c in criteria),
            scale_min=float(criteria[0].scale_min),
            scale_max=float(criteria[0].scale_max),
        )
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Review:
    """One juror's scores for one proposal, by criterion id (absent or None: not given)."""

    review_id: Id
    juror_id: Id
    proposal_id: Id
    scores: Mapping[str, float | None]


class Weighed(NamedTuple):
    """A review's weighted mean, or why it is excluded (then ``score`` is None)."""

    score: float | None
    excluded_reason: str | None = None
    criteria: tuple[str, ...] = ()  # the missing or out-of-scale criterion ids


class WeightedReview(NamedTuple):
    """A usable review reduced to its weighted mean (by :func:`weigh`)."""

    review_id: Id
    juror_id: Id
    proposal_id: Id
    score: float


@dataclass(frozen=True, slots=True)
class ReviewScore:
    """A review's weighted mean, or why it was excluded (then ``score`` is None)."""

    review: Review
    score: float | None
    excluded_reason: str | None = None
    criteria: tuple[str, ...] = ()  # the missing or out-of-scale criterion ids


@dataclass(frozen=True, slots=True)
class JurorStats:
    """A juror's scoring habits, used to standardise their reviews."""

    juror_id: Id
    review_count: int
    mean: float
    stdev: float
    normalised: bool


@dataclass(frozen=True, slots=True)
class ProposalScores:
    """Everything the results page shows for one proposal (None when it has no usable review)."""

    proposal_id: Id
    review_count: int
    mean: float | None
    median: float | None
    stdev: float | None
    disagreement: bool
    normalised: float | None
    normalised_unclamped: float | None
    unnormalised_reviews: int
    criterion_means: Mapping[Id, float | None]

    @property
    def relies_on_unnormalised(self) -> bool:
        """Whether the normalised score includes raw scores of jurors who were not standardised."""
        return self.unnormalised_reviews > 0


@dataclass(frozen=True)
class ScoreReport:
    """All computed scores; ``proposals`` follows the given proposal order.

    ``reviews`` is empty when the report comes from :func:`compute_weighted_scores`, which never
    sees the reviews' criterion scores (its caller counts the excluded reviews).
    """

    reviews: tuple[ReviewScore, ...]
    jurors: Mapping[Id, JurorStats]
    proposals: tuple[ProposalScores, ...]
    global_mean: float | None
    global_stdev: float | None

    @property
    def excluded(self) -> tuple[ReviewScore, ...]:
        """Reviews left out of every statistic, with their reason."""
        return tuple(r for r in self.reviews if r.score is None)


@dataclass(frozen=True, slots=True)
class RankedProposal:
    """A proposal's place in a ranking (rank None: no usable review)."""

    rank: int | None
    scores: ProposalScores


# ---------------------------------------------------------------- one review -----------------


@dataclass(frozen=True)
class _Layout:
    """What weighing a review needs from its grid, worked out once (by ``Grid``)."""

    counted: tuple[tuple[int, float], ...]  # (position in grid.criteria, weight), weight > 0
    total_weight: float
    low: float  # scale bounds, float noise included (as in _in_scale)
    high: float

    @classmethod
    def of(cls, grid: Grid) -> _Layout:
        tolerance = SCALE_TOLERANCE * grid.scale_range
        return cls(
            counted=tuple((i, c.weight) for i, c in enumerate(grid.criteria) if c.weight > 0),
            total_weight=math.fsum(c.weight for c in grid.counted),
            low=grid.scale_min - tolerance,
            high=grid.scale_max + tolerance,
        )


def score_review(grid: Grid, review: Review) -> ReviewScore:
    """Weighted mean of the counted criteria, or the reason the review is excluded."""
    return ReviewScore(review, *weigh(grid, [review.scores.get(c.id) for c in grid.criteria]))


def weigh(grid: Grid, values: Sequence[float | None]) -> Weighed:
    """:func:`score_review` on scores given in ``grid.criteria`` order (None: not given).

    The one implementation of the rules: a score out of the scale (on any criterion, counted or
    not) or a missing counted score excludes the review; otherwise the weighted mean of the
    counted criteria, each score clamped into the scale first.
    """
    if len(values) != len(grid.criteria):
        raise ValueError("one value per criterion of the grid, in its order")
    layout: _Layout = grid._layout  # type: ignore[attr-defined]
    low, high = layout.low, layout.high
    for value in values:
        if value is not None and not (math.isfinite(value) and low <= value <= high):
            bad = tuple(
                c.id for c, v in zip(grid.criteria, values, strict=True) if not _in_scale(grid, v)
            )
            return Weighed(None, EXCLUDED_OUT_OF_SCALE, bad)
    missing = tuple(grid.criteria[i].id for i, _ in layout.counted if values[i] is None)
    if missing:
        return Weighed(None, EXCLUDED_INCOMPLETE, missing)
    smin, smax = grid.scale_min, grid.scale_max  # grid.clamp, inlined (called a million times)
    weighted = math.fsum(w * min(smax, max(smin, values[i])) for i, w in layout.counted)
    return Weighed(min(smax, max(smin, weighted / layout.total_weight)))


def _in_scale(grid: Grid, value: float | None) -> bool:
    """A blank score is not out of scale; a number must be finite and within the scale."""
    if value is None:
        return True
    tolerance = SCALE_TOLERANCE * grid.scale_range
    return (
        math.isfinite(value) and grid.scale_min - tolerance <= value <= grid.scale_max + tolerance
    )


def criterion_means(
    grid: Grid, usable: Iterable[Sequence[float | None]]
) -> tuple[float | None, ...]:
    """Each criterion's mean (``grid.criteria`` order) over the usable reviews that filled it.

    ``usable``: the criterion scores of one proposal's usable reviews, each in ``grid.criteria``
    order as given to :func:`weigh`. Scores are clamped into the scale first.
    """
    given: list[list[float]] = [[] for _ in grid.criteria]
    smin, smax = grid.scale_min, grid.scale_max  # grid.clamp, inlined
    for values in usable:
        for column, value in zip(given, values, strict=True):
            if value is not None:
                column.append(min(smax, max(smin, value)))
    return tuple(math.fsum(column) / len(column) if column else None for column in given)


# ---------------------------------------------------------------- every proposal -------------


def compute_scores(
    grid: Grid, reviews: Iterable[Review], proposals: Sequence[Id] = ()
) -> ScoreReport:
    """Score every review, then every proposal.

    ``proposals`` fixes the output order and lists proposals that received no review; proposals
    only seen in ``reviews`` follow in order of first appearance.
    """
    ids = [c.id for c in grid.criteria]
    scored: list[ReviewScore] = []
    usable: list[WeightedReview] = []
    usable_values: dict[Id, list[list[float | None]]] = defaultdict(list)
    order = dict.fromkeys(proposals)
    for review in reviews:
        values = [review.scores.get(c) for c in ids]
        result = ReviewScore(review, *weigh(grid, values))
        scored.append(result)
        order.setdefault(review.proposal_id)
        if result.score is not None:
            usable.append(
                WeightedReview(review.review_id, review.juror_id, review.proposal_id, result.score)
            )
            usable_values[review.proposal_id].append(values)
    means = {
        p: dict(zip(ids, criterion_means(grid, given), strict=True))
        for p, given in usable_values.items()
    }
    report = compute_weighted_scores(grid, usable, list(order), means)
    return ScoreReport(
        tuple(scored), report.jurors, report.proposals, report.global_mean, report.global_stdev
    )


def compute_weighted_scores(
    grid: Grid,
    reviews: Iterable[tuple[Id, Id, Id, float]],
    proposals: Sequence[Id] = (),
    criterion_means: Mapping[Id, Mapping[Id, float | None]] | None = None,
) -> ScoreReport:
    """Score every proposal from its usable reviews, already weighted.

    ``reviews``: (review, juror, proposal, score) of the usable reviews only (see
    :class:`WeightedReview`), ``score`` being the review's weighted mean from :func:`weigh`; the
    caller leaves the excluded reviews out and counts them. It may be a one-pass iterator (rows
    streamed from the database): only each review's juror, proposal and score are kept, in
    compact arrays. ``criterion_means``: each proposal's means by criterion (see
    :func:`criterion_means`), kept as given; a proposal without any gets None for every
    criterion. It is read only once ``reviews`` is exhausted, so a caller streaming the reviews
    may fill it as they go. ``proposals``: as for :func:`compute_scores`. The report's
    ``reviews`` is empty.

    :func:`compute_scores` weighs the reviews then calls this function: both give the same
    numbers.
    """
    positions, juror_positions, proposal_of, juror_of, scores = _packed(reviews, proposals)
    count = len(scores)
    global_mean = math.fsum(scores) / count if count else None
    global_stdev = _pstdev(scores) if count else None
    jurors = _juror_stats(grid, list(juror_positions), juror_of, scores)
    by_position = list(jurors.values())
    adjusted = array("d", scores)
    for k, j in enumerate(juror_of):
        if by_position[j].normalised:
            adjusted[k] = _adjusted(scores[k], by_position[j], global_mean, global_stdev)

    means = {} if criterion_means is None else criterion_means  # read now: reviews are read
    ids = [c.id for c in grid.criteria]
    results = []
    for proposal, members in zip(positions, _grouped(proposal_of, len(positions)), strict=True):
        results.append(
            _proposal_scores(
                grid,
                proposal,
                [scores[k] for k in members],
                [adjusted[k] for k in members],
                sum(not by_position[juror_of[k]].normalised for k in members),
                means.get(proposal) or dict.fromkeys(ids),
            )
        )
    return ScoreReport((), jurors, tuple(results), global_mean, global_stdev)


def _packed(
    reviews: Iterable[tuple[Id, Id, Id, float]], proposals: Sequence[Id]
) -> tuple[dict[Id, int], dict[Id, int], array, array, array]:
    """The reviews in compact arrays: (proposal positions, juror positions, each review's
    proposal position, its juror position, its score). ``proposals`` come first, in order."""
    positions: dict[Id, int] = {}
    for proposal in proposals:
        positions.setdefault(proposal, len(positions))
    juror_positions: dict[Id, int] = {}
    proposal_of, juror_of, scores = array("q"), array("q"), array("d")
    for _review, juror, proposal, score in reviews:
        p = positions.get(proposal)
        if p is None:
            p = positions[proposal] = len(positions)
        j = juror_positions.get(juror)
        if j is None:
            j = juror_positions[juror] = len(juror_positions)
        proposal_of.append(p)
        juror_of.append(j)
        scores.append(score)
    return positions, juror_positions, proposal_of, juror_of, scores


def _grouped(keys: array, size: int) -> Iterator[array]:
    """For each key 0..size-1, the positions in ``keys`` holding it, in order (a counting sort)."""
    counts = array("q", bytes(8 * size))  # arrays, not lists: no int object per proposal
    for key in keys:
        counts[key] += 1
    starts = array("q", itertools.accumulate(counts, initial=0))
    del counts
    order = array("q", bytes(8 * len(keys)))  # filled below
    fill = starts[:-1]
    for index, key in enumerate(keys):
        order[fill[key]] = index
        fill[key] += 1
    for key in range(size):
        yield order[starts[key] : starts[key + 1]]


def _juror_stats(
    grid: Grid, juror_ids: Sequence[Id], juror_of: array, scores: array
) -> dict[Id, JurorStats]:
    """Mean and population stdev of each juror's scores, and whether they can be standardised."""
    stats = {}
    for juror, members in zip(juror_ids, _grouped(juror_of, len(juror_ids)), strict=True):
        values = [scores[k] for k in members]
        stdev = _pstdev(values)
        normalised = (
            len(values) >= MIN_REVIEWS_FOR_NORMALISATION
            and stdev > SCALE_TOLERANCE * grid.scale_range
        )
        mean = math.fsum(values) / len(values)
        stats[juror] = JurorStats(juror, len(values), mean, stdev, normalised)
    return stats


def _adjusted(score: float, juror: JurorStats, global_mean: float, global_stdev: float) -> float:
    """The review's score on the global scale: mean + stdev * z, or the raw score as fallback.

    Using the raw score for a juror who cannot be standardised is the same as assuming their
    z-score is (score - global mean) / global stdev: it is left where it is, shifted by nothing.
    """
    if not juror.normalised:
        return score
    return global_mean + global_stdev * (score - juror.mean) / juror.stdev


def _proposal_scores(
    grid: Grid,
    proposal: Id,
    values: Sequence[float],
    adjusted: Sequence[float],
    unnormalised: int,
    criterion_means: Mapping[Id, float | None],
) -> ProposalScores:
    """Aggregate a proposal's usable review scores, given with their adjusted (normalised) ones."""
    if not values:
        return ProposalScores(proposal, 0, None, None, None, False, None, None, 0, criterion_means)
    stdev = _pstdev(values)
    unclamped = math.fsum(adjusted) / len(adjusted)
    return ProposalScores(
        proposal_id=proposal,
        review_count=len(values),
        mean=math.fsum(values) / len(values),
        median=_median(values),
        stdev=stdev,
        disagreement=len(values) >= 2 and stdev >= DISAGREEMENT_FRACTION * grid.scale_range,
        normalised=grid.clamp(unclamped),
        normalised_unclamped=unclamped,
        unnormalised_reviews=unnormalised,
        criterion_means=criterion_means,
    )


# ---------------------------------------------------------------- exact statistics -----------
# The mean is math.fsum / n (what statistics.fmean computes); the standard deviation is exact and
# correctly rounded like statistics.pstdev, but with plain integers: floats are dyadic
# rationals, so one common power-of-two denominator makes every sum an integer sum, where
# statistics builds a Fraction per value (slow on hundreds of thousands of scores).

_SQRT_BIT_WIDTH = 2 * sys.float_info.mant_dig + 3


def _pstdev(values: Sequence[float]) -> float:
    """Population standard deviation of ``values`` (not empty), equal to statistics.pstdev."""
    count = len(values)
    scale = max(v.as_integer_ratio()[1] for v in values)  # powers of two: all divide the largest
    total = squares = 0
    for value in values:
        numerator, denominator = value.as_integer_ratio()
        scaled = numerator * (scale // denominator)
        total += scaled
        squares += scaled * scaled
    # variance = (count * sum(x²) - sum(x)²) / count², x = scaled / scale: exact
    numerator = count * squares - total * total
    denominator = count * count * scale * scale
    common = math.gcd(numerator, denominator)
    return _sqrt_of_fraction(numerator // common, denominator // common)


def _sqrt_of_fraction(n: int, m: int) -> float:
    """Square root of n/m as a correctly rounded float (the method of ``statistics``)."""
    q = (n.bit_length() - m.bit_length() - _SQRT_BIT_WIDTH) // 2
    if q >= 0:
        return float(_isqrt_round_to_odd(n, m << 2 * q) << q)
    return _isqrt_round_to_odd(n << -2 * q, m) / (1 << -q)


def _isqrt_round_to_odd(n: int, m: int) -> int:
    """Square root of n/m rounded to an integer, to odd (keeps the final rounding exact)."""
    root = math.isqrt(n // m)
    return root | (root * root * m != n)


def _median(values: Sequence[float]) -> float:
    """The middle value, or the mean of the two middle values (as statistics.median)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


# ---------------------------------------------------------------- ranking --------------------


def rank_proposals(
    scores: ScoreReport | Iterable[ProposalScores], by: RankBy | str = RankBy.RAW
) -> tuple[RankedProposal, ...]:
    """Order proposals by raw mean or normalised score, with shared ranks on full ties."""
    items = scores.proposals if isinstance(scores, ScoreReport) else tuple(scores)
    by = RankBy(by)
    ranked = sorted((p for p in items if p.review_count), key=lambda p: _sort_key(p, by))
    result: list[RankedProposal] = []
    previous = None
    for position, proposal in enumerate(ranked, start=1):
        key = _sort_key(proposal, by)
        tied = key == previous
        result.append(RankedProposal(result[-1].rank if tied else position, proposal))
        previous = key
    result.extend(RankedProposal(None, p) for p in items if not p.review_count)
    return tuple(result)


def _sort_key(proposal: ProposalScores, by: RankBy) -> tuple[float, int]:
    """Ascending sort key: higher (rounded) score first, then more reviews."""
    value = proposal.mean if by is RankBy.RAW else proposal.normalised_unclamped
    return (-round(value, TIE_DECIMALS), -proposal.review_count)
