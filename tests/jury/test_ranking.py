"""Unit tests of the fair ranking (pure module, no database)."""

from __future__ import annotations

import math
import statistics

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from challenge.jury.ranking import (
    EXCLUDED_INCOMPLETE,
    EXCLUDED_OUT_OF_SCALE,
    MIN_REVIEWS_FOR_NORMALISATION,
    NORMALISATION_EXPLANATION_EN,
    NORMALISATION_EXPLANATION_FR,
    Criterion,
    Grid,
    RankBy,
    Review,
    WeightedReview,
    _pstdev,
    compute_scores,
    compute_weighted_scores,
    criterion_means,
    rank_proposals,
    score_review,
    weigh,
)

GRID = Grid(
    (
        Criterion("impact", 2),
        Criterion("feasibility", 1),
        Criterion("originality", 1),
        Criterion("comment", 0),  # shown, not counted
    ),
    scale_min=0,
    scale_max=4,
)
SIMPLE = Grid((Criterion("score"),), 0, 4)


def reviews_of(marks: list[tuple[str, str, float]]) -> list[Review]:
    """Single-criterion reviews from (juror, proposal, score) triples."""
    return [Review(f"r{i}", j, p, {"score": s}) for i, (j, p, s) in enumerate(marks)]


def by_id(report):
    return {p.proposal_id: p for p in report.proposals}


def order(report, by=RankBy.RAW):
    return [(r.rank, r.scores.proposal_id) for r in rank_proposals(report, by)]


# --- one review --------------------------------------------------------------------------------


def test_weighted_mean_ignores_zero_weight_criterion():
    # (2*4 + 2 + 3) / (2 + 1 + 1) = 13 / 4 = 3.25; "comment" (weight 0) is not counted.
    review = Review("r1", "A", "X", {"impact": 4, "feasibility": 2, "originality": 3, "comment": 0})
    assert score_review(GRID, review).score == 3.25


def test_missing_zero_weight_criterion_is_fine_but_missing_counted_one_excludes():
    complete = Review("r1", "A", "X", {"impact": 2, "feasibility": 2, "originality": 2})
    assert score_review(GRID, complete).score == 2.0
    partial = Review("r2", "A", "X", {"impact": 2, "feasibility": None})
    result = score_review(GRID, partial)
    assert result.score is None
    assert result.excluded_reason == EXCLUDED_INCOMPLETE
    assert result.criteria == ("feasibility", "originality")


def test_score_outside_the_scale_excludes_the_review():
    review = Review("r1", "A", "X", {"impact": 5, "feasibility": 2, "originality": math.nan})
    result = score_review(GRID, review)
    assert result.score is None
    assert result.excluded_reason == EXCLUDED_OUT_OF_SCALE
    assert result.criteria == ("impact", "originality")


# --- per proposal ------------------------------------------------------------------------------


def test_proposal_statistics_by_hand():
    reviews = [
        # (2*4 + 2 + 3) / 4 = 3.25
        Review("r1", "A", "X", {"impact": 4, "feasibility": 2, "originality": 3, "comment": 1}),
        # (2*2 + 2 + 2) / 4 = 2.0
        Review("r2", "B", "X", {"impact": 2, "feasibility": 2, "originality": 2}),
        # (2*3 + 4 + 1) / 4 = 2.75
        Review("r3", "C", "X", {"impact": 3, "feasibility": 4, "originality": 1}),
        # incomplete: excluded from everything, listed in report.excluded
        Review("r4", "D", "X", {"impact": 0}),
    ]
    report = compute_scores(GRID, reviews)
    x = by_id(report)["X"]
    assert x.review_count == 3
    assert x.mean == pytest.approx(8 / 3)  # (3.25 + 2 + 2.75) / 3
    assert x.median == 2.75
    # deviations 7/12, -2/3, 1/12 -> squares 49/144 + 64/144 + 1/144 = 114/144; / 3 = 19/72
    assert x.stdev == pytest.approx(math.sqrt(19 / 72))
    assert not x.disagreement  # 0.51 < 0.25 * 4
    assert x.criterion_means == pytest.approx(
        {"impact": 3.0, "feasibility": 8 / 3, "originality": 2.0, "comment": 1.0}
    )
    assert [r.review.review_id for r in report.excluded] == ["r4"]


def test_disagreement_flag():
    # scores 0 and 4: mean 2, population stdev 2 >= 0.25 * (4 - 0) = 1
    report = compute_scores(SIMPLE, reviews_of([("A", "Y", 0), ("B", "Y", 4)]))
    y = by_id(report)["Y"]
    assert (y.mean, y.median, y.stdev, y.disagreement) == (2.0, 2.0, 2.0, True)
    # scores 2 and 3.5: stdev 0.75 < 1
    report = compute_scores(SIMPLE, reviews_of([("A", "Y", 2), ("B", "Y", 3.5)]))
    assert not by_id(report)["Y"].disagreement


# --- normalisation -----------------------------------------------------------------------------


LENIENT_AND_HARSH = [
    ("A", "P1", 4),
    ("A", "P2", 3.5),
    ("A", "P3", 3),
    ("B", "P4", 2),
    ("B", "P5", 1),
    ("B", "P6", 0),
]


def test_normalisation_by_hand():
    report = compute_scores(SIMPLE, reviews_of(LENIENT_AND_HARSH))
    # A: mean 3.5, pstdev sqrt((0.25 + 0 + 0.25) / 3) = sqrt(1/6); z = 0.5 / sqrt(1/6) = sqrt(3/2)
    # B: mean 1, pstdev sqrt((1 + 0 + 1) / 3) = sqrt(2/3);   z = 1 / sqrt(2/3) = sqrt(3/2)
    # all scores: mean 13.5 / 6 = 2.25; squared deviations
    #   1.75² + 1.25² + 0.75² + 0.25² + 1.25² + 2.25² = 11.875 -> sigma = sqrt(11.875 / 6)
    sigma = math.sqrt(11.875 / 6)
    assert report.global_mean == 2.25
    assert report.global_stdev == pytest.approx(sigma)
    top = 2.25 + sigma * math.sqrt(3 / 2)  # 2.25 + 1.7230 = 3.9730
    scores = by_id(report)
    for best, middle, worst in (("P1", "P2", "P3"), ("P4", "P5", "P6")):
        assert scores[best].normalised == pytest.approx(top)
        assert scores[middle].normalised == pytest.approx(2.25)
        assert scores[worst].normalised == pytest.approx(4.5 - top)
        assert scores[best].unnormalised_reviews == 0
    # Raw: A's proposals all above B's. Normalised: each juror's best ties, and so on.
    assert order(report) == [(1, "P1"), (2, "P2"), (3, "P3"), (4, "P4"), (5, "P5"), (6, "P6")]
    assert order(report, RankBy.NORMALISED) == [
        (1, "P1"),
        (1, "P4"),
        (3, "P2"),
        (3, "P5"),
        (5, "P3"),
        (5, "P6"),
    ]


def test_normalised_score_is_clamped_but_ordered_unclamped():
    # A: 4, 0, 0, 0 -> mean 1, stdev sqrt(3), z(4) = sqrt(3)
    # B: 4, 4, 4, 0 -> mean 3, stdev sqrt(3), z(4) = 1 / sqrt(3)
    # all: mean 2, stdev 2 -> A's 4 maps to 2 + 2 * sqrt(3) = 5.46, clamped to 4
    marks = [("A", "Q1", 4), ("A", "Q2", 0), ("A", "Q3", 0), ("A", "Q4", 0)]
    marks += [("B", "Q5", 4), ("B", "Q6", 4), ("B", "Q7", 4), ("B", "Q8", 0)]
    report = compute_scores(SIMPLE, reviews_of(marks))
    q1 = by_id(report)["Q1"]
    assert q1.normalised == 4.0
    assert q1.normalised_unclamped == pytest.approx(2 + 2 * math.sqrt(3))
    assert by_id(report)["Q5"].normalised == pytest.approx(2 + 2 / math.sqrt(3))
    assert order(report, "normalised")[0] == (1, "Q1")


def test_juror_with_too_few_reviews_keeps_raw_scores_and_is_flagged():
    assert MIN_REVIEWS_FOR_NORMALISATION == 3
    marks = LENIENT_AND_HARSH + [("C", "P1", 1), ("C", "P7", 3)]
    report = compute_scores(SIMPLE, reviews_of(marks))
    assert not report.jurors["C"].normalised and report.jurors["A"].normalised
    p7 = by_id(report)["P7"]
    assert p7.normalised == 3.0 and p7.unnormalised_reviews == 1 and p7.relies_on_unnormalised
    p1 = by_id(report)["P1"]
    assert p1.unnormalised_reviews == 1  # C's raw 1 is averaged with A's normalised score
    sigma, mean = report.global_stdev, report.global_mean
    assert p1.normalised == pytest.approx((mean + sigma * math.sqrt(3 / 2) + 1) / 2)


def test_juror_giving_the_same_score_everywhere_is_not_normalised():
    marks = LENIENT_AND_HARSH + [("C", "P1", 2), ("C", "P2", 2), ("C", "P3", 2)]
    report = compute_scores(SIMPLE, reviews_of(marks))
    assert report.jurors["C"].stdev == 0 and not report.jurors["C"].normalised
    assert by_id(report)["P2"].relies_on_unnormalised


# --- edge cases --------------------------------------------------------------------------------


def test_no_reviews():
    report = compute_scores(SIMPLE, [], proposals=["P1", "P2"])
    assert report.global_mean is None and report.global_stdev is None
    p1 = by_id(report)["P1"]
    assert (p1.review_count, p1.mean, p1.median, p1.stdev, p1.normalised) == (
        0,
        None,
        None,
        None,
        None,
    )
    assert p1.criterion_means == {"score": None}
    assert order(report) == [(None, "P1"), (None, "P2")]
    assert rank_proposals(compute_scores(SIMPLE, [])) == ()


def test_one_review():
    report = compute_scores(SIMPLE, reviews_of([("A", "P1", 3)]), proposals=["P0", "P1"])
    p1 = by_id(report)["P1"]
    assert (p1.mean, p1.median, p1.stdev, p1.disagreement) == (3.0, 3.0, 0.0, False)
    assert p1.normalised == 3.0 and p1.relies_on_unnormalised
    assert order(report) == [(1, "P1"), (None, "P0")]


def test_all_scores_equal():
    marks = [(j, p, 2) for j in "ABC" for p in ("P1", "P2", "P3")]
    report = compute_scores(SIMPLE, reviews_of(marks))
    assert report.global_stdev == 0
    assert all(p.normalised == 2.0 and p.unnormalised_reviews == 3 for p in report.proposals)
    assert order(report, "normalised") == [(1, "P1"), (1, "P2"), (1, "P3")]


def test_ties_broken_by_review_count_then_given_order():
    marks = [("A", "P1", 3), ("A", "P2", 3), ("B", "P2", 3), ("C", "P3", 3)]
    report = compute_scores(SIMPLE, reviews_of(marks), proposals=["P3", "P1", "P2"])
    assert order(report) == [(1, "P2"), (2, "P3"), (2, "P1")]


def test_invalid_grids_raise():
    with pytest.raises(ValueError):
        Grid((Criterion("a", 0),))
    with pytest.raises(ValueError):
        Grid((Criterion("a", -1),))
    with pytest.raises(ValueError):
        Grid((Criterion("a"), Criterion("a")))
    with pytest.raises(ValueError):
        Grid((Criterion("a"),), 4, 4)


def test_explanations_mention_the_threshold():
    assert str(MIN_REVIEWS_FOR_NORMALISATION) in NORMALISATION_EXPLANATION_FR
    assert str(MIN_REVIEWS_FOR_NORMALISATION) in NORMALISATION_EXPLANATION_EN


# --- properties --------------------------------------------------------------------------------


@st.composite
def panels(draw, full: bool = False):
    """Integer scores where every juror has >= 3 reviews and does not give one score everywhere."""
    proposals = [f"P{i}" for i in range(draw(st.integers(3, 7)))]
    marks = []
    for juror in [f"J{i}" for i in range(draw(st.integers(1, 4)))]:
        reviewed = (
            proposals
            if full
            else draw(st.lists(st.sampled_from(proposals), min_size=3, unique=True))
        )
        scores = draw(st.lists(st.integers(0, 4), min_size=len(reviewed), max_size=len(reviewed)))
        assume(len(set(scores)) > 1)
        marks += [(juror, p, s) for p, s in zip(reviewed, scores, strict=True)]
    return proposals, marks


def normalised_order(proposals, marks):
    report = compute_scores(SIMPLE, reviews_of(marks), proposals)
    assert all(j.normalised for j in report.jurors.values())
    return order(report, RankBy.NORMALISED)


@settings(max_examples=150, deadline=None)
@given(panels(), st.data())
def test_property_shifting_one_juror_leaves_normalised_ranking_unchanged(panel, data):
    proposals, marks = panel
    juror = data.draw(st.sampled_from(sorted({m[0] for m in marks})))
    own = [s for j, _, s in marks if j == juror]
    # quarter-point shifts keep the arithmetic exact and every score inside 0..4
    shift = data.draw(st.integers(-4 * min(own), 4 * (4 - max(own)))) / 4
    shifted = [(j, p, s + shift if j == juror else s) for j, p, s in marks]
    assert normalised_order(proposals, shifted) == normalised_order(proposals, marks)


@settings(max_examples=150, deadline=None)
@given(panels(), st.data(), st.sampled_from([0.25, 0.5, 0.75, 1.25, 1.5, 2.0]))
def test_property_stretching_one_jurors_deviations_leaves_normalised_ranking_unchanged(
    panel, data, factor
):
    proposals, marks = panel
    juror = data.draw(st.sampled_from(sorted({m[0] for m in marks})))
    own = [s for j, _, s in marks if j == juror]
    centre = sum(own) / len(own)
    stretched = [(j, p, centre + factor * (s - centre) if j == juror else s) for j, p, s in marks]
    assume(all(-1e-12 <= s <= 4 + 1e-12 for _, _, s in stretched))
    assert normalised_order(proposals, stretched) == normalised_order(proposals, marks)


@settings(max_examples=150, deadline=None)
@given(panels(full=True), st.data())
def test_property_top_scores_from_every_juror_rank_first(panel, data):
    proposals, marks = panel
    star = data.draw(st.sampled_from(proposals))
    marks = [(j, p, 4 if p == star else s) for j, p, s in marks]
    report = compute_scores(SIMPLE, reviews_of(marks), proposals)
    for by in RankBy:
        ranks = {r.scores.proposal_id: r.rank for r in rank_proposals(report, by)}
        assert ranks[star] == 1


# --- the pre-weighted entry point and the exact statistics ------------------------------------


def test_weigh_is_score_review_on_values_in_grid_order():
    assert weigh(GRID, [4, 2, 3, 0]) == (3.25, None, ())
    assert weigh(GRID, [2, None, None, None]) == (
        None,
        EXCLUDED_INCOMPLETE,
        ("feasibility", "originality"),
    )
    assert weigh(GRID, [5, 2, math.nan, None]) == (
        None,
        EXCLUDED_OUT_OF_SCALE,
        ("impact", "originality"),
    )
    with pytest.raises(ValueError):
        weigh(GRID, [1, 2, 3])


def test_pre_weighted_reviews_give_the_same_report_as_compute_scores():
    reviews = [
        Review("r1", "A", "X", {"impact": 4, "feasibility": 2, "originality": 3, "comment": 1}),
        Review("r2", "B", "X", {"impact": 2, "feasibility": 2, "originality": 2}),
        Review("r3", "C", "X", {"impact": 3, "feasibility": 4, "originality": 1}),
        Review("r4", "D", "X", {"impact": 0}),  # incomplete: left out by the caller
        Review("r5", "A", "Y", {"impact": 1, "feasibility": 0, "originality": 0}),
        Review("r6", "A", "Z", {"impact": 2, "feasibility": 1, "originality": 4}),
    ]
    expected = compute_scores(GRID, reviews, ["W", "X", "Y", "Z"])
    ids = [c.id for c in GRID.criteria]
    usable = [
        (r, [r.scores.get(c) for c in ids])
        for r in reviews
        if score_review(GRID, r).score is not None
    ]
    means = {}
    for p in ("X", "Y", "Z"):
        given = criterion_means(GRID, [v for r, v in usable if r.proposal_id == p])
        means[p] = dict(zip(ids, given, strict=True))
    stream = (
        WeightedReview(r.review_id, r.juror_id, r.proposal_id, weigh(GRID, values).score)
        for r, values in usable
    )  # a one-pass iterator, as rows streamed from a database
    report = compute_weighted_scores(GRID, stream, ["W", "X", "Y", "Z"], means)
    assert report.proposals == expected.proposals
    assert report.jurors == expected.jurors
    assert (report.global_mean, report.global_stdev) == (
        expected.global_mean,
        expected.global_stdev,
    )
    assert report.reviews == () and len(expected.excluded) == 1
    assert by_id(report)["W"].criterion_means == dict.fromkeys(ids)
    assert by_id(report)["X"].criterion_means == pytest.approx(
        {"impact": 3.0, "feasibility": 8 / 3, "originality": 2.0, "comment": 1.0}
    )


def test_criterion_means_may_be_filled_while_the_reviews_stream():
    means: dict = {}

    def stream():
        yield ("r1", "A", "X", 3.0)
        means["X"] = {"score": 3.0}

    report = compute_weighted_scores(SIMPLE, stream(), ["X"], means)
    assert by_id(report)["X"].criterion_means == {"score": 3.0}


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(finite, st.integers(0, 16).map(lambda n: n / 3)), min_size=1))
def test_property_exact_stdev_equals_statistics_pstdev(values):
    assert _pstdev(values) == statistics.pstdev(values)


def reference_scores(grid: Grid, reviews: list[Review], proposals: list) -> dict:
    """The ranking as first written, with ``statistics`` (exact but slow on long lists)."""
    scored = [(r, score_review(grid, r).score) for r in reviews]
    usable = [(r, s) for r, s in scored if s is not None]
    values = [s for _, s in usable]
    gmean = statistics.fmean(values) if values else None
    gstdev = statistics.pstdev(values) if values else None
    by_juror: dict = {}
    for r, s in usable:
        by_juror.setdefault(r.juror_id, []).append(s)
    jurors = {}
    for juror, own in by_juror.items():
        sd = statistics.pstdev(own)
        ok = len(own) >= MIN_REVIEWS_FOR_NORMALISATION and sd > 1e-9 * grid.scale_range
        jurors[juror] = (statistics.fmean(own), sd, ok)
    result = {}
    for p in dict.fromkeys([*proposals, *(r.proposal_id for r in reviews)]):
        mine = [(r, s) for r, s in usable if r.proposal_id == p]
        if not mine:
            result[p] = None
            continue
        own = [s for _, s in mine]
        adjusted = [
            gmean + gstdev * (s - jurors[r.juror_id][0]) / jurors[r.juror_id][1]
            if jurors[r.juror_id][2]
            else s
            for r, s in mine
        ]
        result[p] = (
            statistics.fmean(own),
            statistics.median(own),
            statistics.pstdev(own),
            statistics.fmean(adjusted),
            sum(not jurors[r.juror_id][2] for r, _ in mine),
        )
    return result


@st.composite
def weighted_panels(draw):
    weights = draw(st.lists(st.sampled_from([0, 0.5, 1, 2, 3, 1 / 3]), min_size=1, max_size=4))
    assume(any(weights))
    grid = Grid(tuple(Criterion(f"c{i}", w) for i, w in enumerate(weights)), 0, 4)
    score = st.one_of(
        st.none(), st.integers(0, 4), st.floats(0, 4), st.sampled_from([5.0, math.nan])
    )
    proposals = [f"P{i}" for i in range(draw(st.integers(1, 6)))]
    reviews = [
        Review(
            f"r{n}",
            draw(st.sampled_from(["A", "B", "C", "D"])),
            draw(st.sampled_from(proposals)),
            {c.id: v for c in grid.criteria if (v := draw(score)) is not None},
        )
        for n in range(draw(st.integers(0, 30)))
    ]
    return grid, reviews, proposals


@settings(max_examples=300, deadline=None)
@given(weighted_panels())
def test_property_same_numbers_as_the_statistics_module(panel):
    """Float sums and integer-exact deviations give exactly what ``statistics`` gave."""
    grid, reviews, proposals = panel
    expected = reference_scores(grid, reviews, proposals)
    report = compute_scores(grid, reviews, proposals)
    assert [p.proposal_id for p in report.proposals] == list(expected)
    for p in report.proposals:
        if expected[p.proposal_id] is None:
            assert p.review_count == 0 and p.mean is None
            continue
        got = (p.mean, p.median, p.stdev, p.normalised_unclamped, p.unnormalised_reviews)
        assert got == expected[p.proposal_id]
