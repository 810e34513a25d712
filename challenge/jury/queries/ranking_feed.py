"""The ranking feed: the database side of :mod:`challenge.jury.ranking`.

Reads a phase's grid, proposals and submitted reviews, feeds them to the pure ranking and returns
plain rows (:class:`RankingRow`) for the organisers' ranking and shortlist pages, the results
(pitch list, laureates) and the exports. No permission check here: callers check the organiser.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import groupby
from operator import itemgetter

from sqlalchemy import Row, func, select

from challenge.access.jury import JurorRef, conflict_pairs, pitch_candidates
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign, Criterion
from challenge.errors import NotFound
from challenge.extensions import db
from challenge.jury import ranking as ranking_algo
from challenge.jury.models import (
    Review,
    ReviewPhase,
    ReviewScore,
    ReviewStatus,
    ShortlistDecision,
)
from challenge.jury.queries.grid import review_grid
from challenge.jury.queries.review_stream import CriterionMeans, ReviewStream, stream_rows
from challenge.proposals.models import IN_COMPETITION, Proposal, Support


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
    computed = compute_ranking(campaign_id, phase, by)
    if details is False:
        return computed.report
    wanted = None if details is True else set(details)
    rows = computed.report.rows
    if wanted is not None:
        rows = [r for r in rows if r.proposal_id in wanted]
    detailed = {r.proposal_id: r for r in with_details(computed, rows, everything=wanted is None)}
    return replace(
        computed.report, rows=[detailed.get(r.proposal_id, r) for r in computed.report.rows]
    )


@dataclass(frozen=True)
class LeanRanking:
    """A lean ranking, with what loading some rows' jurors' details needs afterwards."""

    report: RankingReport
    criteria: list[Criterion]
    grid: ranking_algo.Grid | None
    conflicts: frozenset[tuple[int, int]]
    names: dict[int, str]  # reviewer id -> name
    standardised: dict[int, bool]  # juror id -> whether their scores were standardised


def compute_ranking(campaign_id: int, phase: str, by: str) -> LeanRanking:
    """Every row without the jurors' details, in a constant number of queries.

    The submitted reviews are streamed once (:class:`ReviewStream`) into the pure ranking,
    which keeps only each usable review's juror, proposal and weighted score, in arrays.
    """
    phase = ReviewPhase(phase).value
    by = ranking_algo.RankBy(by).value
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound
    criteria = review_grid(campaign.id, phase)
    grid = ranking_algo.grid_of(criteria)
    proposals = _ranked_proposals(campaign.id, phase)
    reviewers = _reviewers(campaign.id, phase)
    names = {u.id: _name(u.first_name, u.last_name, u.email) for u in reviewers}
    refs = [JurorRef(u.id, u.email, names[u.id], u.administration) for u in reviewers]
    conflicts = conflict_pairs(campaign, refs, [(p.id, p.administration) for p in proposals])
    info = {p.id: p for p in proposals}
    stream = ReviewStream(campaign.id, phase, criteria, grid, info, conflicts)
    criterion_refs = [CriterionRef(c.id, c.label, c.weight) for c in criteria]
    if grid is None:
        stream.count()
        rows = [_row(None, p, None) for p in proposals]
        report = RankingReport(
            campaign.id, phase, by, criterion_refs, 0, 0, rows, 0, stream.conflicted, [], False
        )
        return LeanRanking(report, criteria, None, conflicts, names, {})

    # criterion_means is read once the stream is over, complete
    scores = ranking_algo.compute_weighted_scores(grid, stream, list(info), stream.criterion_means)
    excluded, conflicted = stream.excluded, stream.conflicted
    del stream  # its criterion means now belong to the scores
    report = RankingReport(
        campaign_id=campaign.id,
        phase=phase,
        by=by,
        criteria=criterion_refs,
        scale_min=grid.scale_min,
        scale_max=grid.scale_max,
        rows=_ranked_rows(scores, info, by, criteria),
        excluded_reviews=excluded,
        conflicted_reviews=conflicted,
        unnormalised_jurors=sorted(
            names[j] for j, stats in scores.jurors.items() if not stats.normalised and j in names
        ),
        grid_ready=True,
    )
    standardised = {j: stats.normalised for j, stats in scores.jurors.items()}
    return LeanRanking(report, criteria, grid, conflicts, names, standardised)


def _ranked_rows(
    scores: ranking_algo.ScoreReport,
    info: Mapping[int, _ProposalInfo],
    by: str,
    criteria: Sequence[Criterion],
) -> list[RankingRow]:
    """The rows in the order ``by``, each with its rank in both orders (raw and normalised)."""
    raw = by == ranking_algo.RankBy.RAW.value
    other = ranking_algo.RankBy.NORMALISED if raw else ranking_algo.RankBy.RAW
    other_ranks = {r.scores.proposal_id: r.rank for r in ranking_algo.rank_proposals(scores, other)}
    no_means = CriterionMeans(CriterionMeans.keys_of(criteria), [None] * len(criteria))
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
    return rows


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


def with_details(
    computed: LeanRanking, rows: Sequence[RankingRow], *, everything: bool = False
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
    for review_id, group in groupby(stream_rows(statement), key=itemgetter(0)):
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
        for id_, title, administration, status, supports, selected, note in stream_rows(
            query.order_by(Proposal.id)
        )
        if keep is None or id_ in keep
    ]


def _row(
    rank: int | None,
    proposal: _ProposalInfo,
    scores: ranking_algo.ProposalScores | None,
    ranks: tuple[int | None, int | None] = (None, None),
    criterion_means: Mapping[int, float | None] | None = None,
) -> RankingRow:
    """A row without juror details; ``ranks``: (raw, normalised).

    ``criterion_means`` replaces the scores' own (which are already the stream's read-only
    :class:`CriterionMeans`, by criterion id: shared, never copied).
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
