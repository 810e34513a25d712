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
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

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


@dataclass(frozen=True)
class Review:
    """One juror's scores for one proposal, by criterion id (absent or None: not given)."""

    review_id: Id
    juror_id: Id
    proposal_id: Id
    scores: Mapping[str, float | None]


@dataclass(frozen=True)
class ReviewScore:
    """A review's weighted mean, or why it was excluded (then ``score`` is None)."""

    review: Review
    score: float | None
    excluded_reason: str | None = None
    criteria: tuple[str, ...] = ()  # the missing or out-of-scale criterion ids


@dataclass(frozen=True)
class JurorStats:
    """A juror's scoring habits, used to standardise their reviews."""

    juror_id: Id
    review_count: int
    mean: float
    stdev: float
    normalised: bool


@dataclass(frozen=True)
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
    criterion_means: Mapping[str, float | None]

    @property
    def relies_on_unnormalised(self) -> bool:
        """Whether the normalised score includes raw scores of jurors who were not standardised."""
        return self.unnormalised_reviews > 0


@dataclass(frozen=True)
class ScoreReport:
    """All computed scores; ``proposals`` follows the given proposal order."""

    reviews: tuple[ReviewScore, ...]
    jurors: Mapping[Id, JurorStats]
    proposals: tuple[ProposalScores, ...]
    global_mean: float | None
    global_stdev: float | None

    @property
    def excluded(self) -> tuple[ReviewScore, ...]:
        """Reviews left out of every statistic, with their reason."""
        return tuple(r for r in self.reviews if r.score is None)


@dataclass(frozen=True)
class RankedProposal:
    """A proposal's place in a ranking (rank None: no usable review)."""

    rank: int | None
    scores: ProposalScores


def score_review(grid: Grid, review: Review) -> ReviewScore:
    """Weighted mean of the counted criteria, or the reason the review is excluded."""
    bad = tuple(c.id for c in grid.criteria if not _in_scale(grid, review.scores.get(c.id)))
    if bad:
        return ReviewScore(review, None, EXCLUDED_OUT_OF_SCALE, bad)
    missing = tuple(c.id for c in grid.counted if review.scores.get(c.id) is None)
    if missing:
        return ReviewScore(review, None, EXCLUDED_INCOMPLETE, missing)
    total_weight = math.fsum(c.weight for c in grid.counted)
    weighted = math.fsum(c.weight * grid.clamp(review.scores[c.id]) for c in grid.counted)
    return ReviewScore(review, grid.clamp(weighted / total_weight))


def _in_scale(grid: Grid, value: float | None) -> bool:
    """A blank score is not out of scale; a number must be finite and within the scale."""
    if value is None:
        return True
    tolerance = SCALE_TOLERANCE * grid.scale_range
    return (
        math.isfinite(value) and grid.scale_min - tolerance <= value <= grid.scale_max + tolerance
    )


def compute_scores(
    grid: Grid, reviews: Iterable[Review], proposals: Sequence[Id] = ()
) -> ScoreReport:
    """Score every review, then every proposal.

    ``proposals`` fixes the output order and lists proposals that received no review; proposals
    only seen in ``reviews`` follow in order of first appearance.
    """
    scored = tuple(score_review(grid, r) for r in reviews)
    usable = [r for r in scored if r.score is not None]
    values = [r.score for r in usable]
    global_mean = statistics.fmean(values) if values else None
    global_stdev = statistics.pstdev(values) if values else None
    jurors = _juror_stats(grid, usable)
    adjusted = [_adjusted(r, jurors, global_mean, global_stdev) for r in usable]

    by_proposal: dict[Id, list[tuple[ReviewScore, float]]] = {p: [] for p in proposals}
    for r in scored:
        by_proposal.setdefault(r.review.proposal_id, [])
    for r, value in zip(usable, adjusted, strict=True):
        by_proposal[r.review.proposal_id].append((r, value))
    results = tuple(_proposal_scores(grid, p, rs, jurors) for p, rs in by_proposal.items())
    return ScoreReport(scored, jurors, results, global_mean, global_stdev)


def _juror_stats(grid: Grid, usable: Sequence[ReviewScore]) -> dict[Id, JurorStats]:
    """Mean and population stdev of each juror's scores, and whether they can be standardised."""
    by_juror: dict[Id, list[float]] = defaultdict(list)
    for r in usable:
        by_juror[r.review.juror_id].append(r.score)
    stats = {}
    for juror, values in by_juror.items():
        stdev = statistics.pstdev(values)
        normalised = (
            len(values) >= MIN_REVIEWS_FOR_NORMALISATION
            and stdev > SCALE_TOLERANCE * grid.scale_range
        )
        stats[juror] = JurorStats(juror, len(values), statistics.fmean(values), stdev, normalised)
    return stats


def _adjusted(
    review: ReviewScore,
    jurors: Mapping[Id, JurorStats],
    global_mean: float,
    global_stdev: float,
) -> float:
    """The review's score on the global scale: mean + stdev * z, or the raw score as fallback.

    Using the raw score for a juror who cannot be standardised is the same as assuming their
    z-score is (score - global mean) / global stdev: it is left where it is, shifted by nothing.
    """
    juror = jurors[review.review.juror_id]
    if not juror.normalised:
        return review.score
    return global_mean + global_stdev * (review.score - juror.mean) / juror.stdev


def _proposal_scores(
    grid: Grid,
    proposal: Id,
    scored: Sequence[tuple[ReviewScore, float]],
    jurors: Mapping[Id, JurorStats],
) -> ProposalScores:
    """Aggregate a proposal's usable reviews, given with their adjusted (normalised) scores."""
    reviews = [r for r, _ in scored]
    criterion_means = {c.id: _criterion_mean(grid, reviews, c.id) for c in grid.criteria}
    if not reviews:
        return ProposalScores(proposal, 0, None, None, None, False, None, None, 0, criterion_means)
    values = [r.score for r in reviews]
    stdev = statistics.pstdev(values)
    unclamped = statistics.fmean(value for _, value in scored)
    return ProposalScores(
        proposal_id=proposal,
        review_count=len(values),
        mean=statistics.fmean(values),
        median=statistics.median(values),
        stdev=stdev,
        disagreement=len(values) >= 2 and stdev >= DISAGREEMENT_FRACTION * grid.scale_range,
        normalised=grid.clamp(unclamped),
        normalised_unclamped=unclamped,
        unnormalised_reviews=sum(not jurors[r.review.juror_id].normalised for r in reviews),
        criterion_means=criterion_means,
    )


def _criterion_mean(grid: Grid, reviews: Sequence[ReviewScore], criterion: str) -> float | None:
    """Mean score on one criterion over the usable reviews that filled it in."""
    values = [r.review.scores.get(criterion) for r in reviews]
    given = [grid.clamp(v) for v in values if v is not None]
    return statistics.fmean(given) if given else None


def rank_proposals(
    scores: ScoreReport | Iterable[ProposalScores], by: RankBy | str = RankBy.RAW
) -> tuple[RankedProposal, ...]:
    """Order proposals by raw mean or normalised score, with shared ranks on full ties."""
    items = scores.proposals if isinstance(scores, ScoreReport) else tuple(scores)
    by = RankBy(by)
    ranked = sorted((p for p in items if p.review_count), key=lambda p: _sort_key(p, by))
    result: list[RankedProposal] = []
    for position, proposal in enumerate(ranked, start=1):
        tied = bool(result) and _sort_key(result[-1].scores, by) == _sort_key(proposal, by)
        result.append(RankedProposal(result[-1].rank if tied else position, proposal))
    result.extend(RankedProposal(None, p) for p in items if not p.review_count)
    return tuple(result)


def _sort_key(proposal: ProposalScores, by: RankBy) -> tuple[float, int]:
    """Ascending sort key: higher (rounded) score first, then more reviews."""
    value = proposal.mean if by is RankBy.RAW else proposal.normalised_unclamped
    return (-round(value, TIE_DECIMALS), -proposal.review_count)
