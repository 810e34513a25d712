"""The lean ranking (no juror details) gives the same ranks and scores as the full one.

A small campaign with what makes the ranking subtle: a weight-0 criterion, a lenient and a
harsh juror (normalised), a juror with too few reviews (not normalised), an incomplete review,
a review out of the scale, a review by a juror in conflict and a proposal without any review.
"""

from __future__ import annotations

import pytest

from challenge.extensions import db
from challenge.jury import ranking as ranking_algo
from challenge.jury.models import Review, ReviewScore
from challenge.jury.queries import ranking_page
from challenge.jury.queries.proposal_scores import proposal_scores
from challenge.jury.queries.ranking_feed import RankingRow, campaign_ranking, ranking_report
from challenge.jury.queries.ranking_page import organiser_ranking
from tests.jury.builders import (
    add_review,
    add_role,
    declare,
    make_campaign,
    make_proposal,
    make_user,
    review_criteria,
)

NUMBERS = (
    "rank",
    "raw_rank",
    "normalised_rank",
    "proposal_id",
    "review_count",
    "mean",
    "median",
    "stdev",
    "disagreement",
    "normalised",
    "unnormalised_reviews",
    "supports",
    "shortlisted",
    "shortlist_note",
    "title",
    "status",
)


def build_panel() -> dict:
    campaign = make_campaign("lean", criteria=(("Impact", 2.0), ("Faisabilité", 1.0), ("Style", 0)))
    agent = make_user("agent@francetravail.fr")
    lenient = make_user("lina@francetravail.fr", "Lina", "Indulgente", "Ministère A")
    harsh = make_user("hugo@francetravail.fr", "Hugo", "Sévère", "Ministère B")
    newcomer = make_user("nina@francetravail.fr", "Nina", "Neuve", "Ministère C")
    careless = make_user("omar@francetravail.fr", "Omar", "Hors", "Ministère D")
    conflicted = make_user("chloe@francetravail.fr", "Chloé", "Conflit", "Ministère E")
    for juror in (lenient, harsh, newcomer, careless, conflicted):
        add_role(campaign, juror)
    proposals = [
        make_proposal(campaign, agent, f"Proposition {n}", administration="Caf") for n in range(8)
    ]
    p0, p1, p2, p3, p4, _p5, p6, p7 = proposals
    impact, feasibility, style = review_criteria(campaign)

    def review(juror, proposal, i, f, s=None, **kwargs):
        scores = {impact: i, feasibility: f} if f is not None else {impact: i}
        if s is not None:
            scores[style] = s
        return add_review(campaign, proposal, juror, scores, **kwargs)

    # Lina marks high, Hugo low: both are standardised (4 reviews, spread scores).
    review(lenient, p0, 4, 4, 1, comment="Remarquable")
    review(lenient, p1, 4, 3, 4)
    review(lenient, p2, 3, 3)
    review(lenient, p3, 3, 2, 0)
    review(harsh, p0, 2, 1)
    review(harsh, p1, 1, 1, 2)
    review(harsh, p2, 2, 2)
    review(harsh, p3, 0, 1)
    # Lina's worst mark beats Hugo's best on raw scores, not once normalised.
    review(lenient, p6, 3, 1)
    review(harsh, p7, 2, 2)
    # Nina: two reviews (kept raw, flagged) and an incomplete one (excluded).
    review(newcomer, p4, 3, 1, 3)
    review(newcomer, p1, 2, 2)
    review(newcomer, p3, 4, None, comment="Pas fini")
    # Omar: a score out of the scale (inserted as is): excluded.
    review(careless, p2, 7, 2)
    # Chloé is in conflict with p0: her review never counts.
    review(conflicted, p0, 0, 0)
    declare(campaign, conflicted, proposal=p0)
    # Drafts never count.
    review(careless, p4, 4, 4, status="draft")
    db.session.commit()
    return {
        "campaign": campaign,
        "proposals": proposals,
        "criteria": (impact, feasibility, style),
        "jurors": (lenient, harsh, newcomer, careless, conflicted),
    }


def numbers(row: RankingRow) -> tuple:
    return (*(getattr(row, name) for name in NUMBERS), dict(row.criterion_means))


def assert_lean_equals_full(panel: dict) -> None:
    campaign = panel["campaign"]
    for by in ("raw", "normalised"):
        lean = ranking_report(campaign.id, by=by, details=False)
        full = ranking_report(campaign.id, by=by)
        assert [numbers(r) for r in lean.rows] == [numbers(r) for r in full.rows]
        assert lean.excluded_reviews == full.excluded_reviews == 2
        assert lean.conflicted_reviews == full.conflicted_reviews == 1
        assert lean.unnormalised_jurors == full.unnormalised_jurors == ["Nina Neuve"]
        assert all(r.juror_scores == () for r in lean.rows)
        assert [r.proposal_id for r in campaign_ranking(campaign.id, by=by)] == [
            r.proposal_id for r in lean.rows
        ]


def assert_matches_the_pure_module(panel: dict) -> None:
    """The streamed SQL path gives exactly what compute_scores gives on the counted reviews."""
    campaign = panel["campaign"]
    criteria = panel["criteria"]
    conflicted = panel["jurors"][4]
    grid = ranking_algo.Grid(
        tuple(ranking_algo.Criterion(str(c.id), float(c.weight)) for c in criteria), 0.0, 4.0
    )
    reviews: dict[int, ranking_algo.Review] = {}
    for review in db.session.scalars(
        db.select(Review).where(Review.status == "submitted").order_by(Review.id)
    ):
        if review.juror_id != conflicted.id:
            reviews[review.id] = ranking_algo.Review(
                review.id, review.juror_id, review.proposal_id, {}
            )
    for score in db.session.scalars(db.select(ReviewScore)):
        if score.review_id in reviews:
            reviews[score.review_id].scores[str(score.criterion_id)] = score.score
    expected = ranking_algo.compute_scores(
        grid, list(reviews.values()), [p.id for p in panel["proposals"]]
    )
    for by in ("raw", "normalised"):
        ranked = ranking_algo.rank_proposals(expected, by)
        rows = ranking_report(campaign.id, by=by, details=False).rows
        assert [(r.rank, r.proposal_id) for r in rows] == [
            (r.rank, r.scores.proposal_id) for r in ranked
        ]
        for row, want in zip(rows, ranked, strict=True):
            got = (row.mean, row.median, row.stdev, row.normalised, row.unnormalised_reviews)
            scores = want.scores
            assert got == (
                scores.mean,
                scores.median,
                scores.stdev,
                scores.normalised,
                scores.unnormalised_reviews,
            )
            assert dict(row.criterion_means) == {
                int(k): v for k, v in scores.criterion_means.items()
            }
    assert [r.review.review_id for r in expected.excluded] == sorted(
        r.id
        for r in db.session.scalars(db.select(Review).where(Review.status == "submitted"))
        if r.juror_id in (panel["jurors"][2].id, panel["jurors"][3].id)
        and r.proposal_id in (panel["proposals"][2].id, panel["proposals"][3].id)
    )


def test_lean_and_full_rankings_agree(app):
    panel = build_panel()
    assert_lean_equals_full(panel)
    assert_matches_the_pure_module(panel)


@pytest.mark.postgres
def test_lean_and_full_rankings_agree_on_postgresql(pg_app):
    panel = build_panel()
    assert_lean_equals_full(panel)
    assert_matches_the_pure_module(panel)


def test_hand_computed_values_and_both_ranks(app):
    panel = build_panel()
    p0, p1, p2, p3, _p4, p5, p6, p7 = panel["proposals"]
    impact, feasibility, style = panel["criteria"]
    raw = {r.proposal_id: r for r in ranking_report(panel["campaign"].id).rows}
    normalised = {
        r.proposal_id: r for r in ranking_report(panel["campaign"].id, by="normalised").rows
    }
    # p1: Lina (8 + 3) / 3, Hugo (2 + 1) / 3, Nina (4 + 2) / 3 -> mean 20 / 9, median 2
    assert raw[p1.id].review_count == 3
    assert raw[p1.id].mean == pytest.approx(20 / 9)
    assert raw[p1.id].median == pytest.approx(2.0)
    assert raw[p1.id].unnormalised_reviews == 1  # Nina's
    assert raw[p1.id].criterion_means == {impact.id: 7 / 3, feasibility.id: 2.0, style.id: 3.0}
    # p3: Nina's incomplete review is left out: Lina 8 / 3 and Hugo 1 / 3 remain
    assert raw[p3.id].review_count == 2
    assert raw[p3.id].mean == pytest.approx(1.5)
    # p2: Omar's 7 is out of the 0..4 scale: his review is left out
    assert raw[p2.id].review_count == 2
    # p0: Chloé's review does not count (conflict): Lina 12 / 3 and Hugo 5 / 3 remain
    assert raw[p0.id].review_count == 2 and raw[p0.id].mean == pytest.approx(17 / 6)
    # the lenient juror's worst (7 / 3) against the harsh juror's best (2)
    assert raw[p6.id].mean == pytest.approx(7 / 3) and raw[p7.id].mean == pytest.approx(2.0)
    assert raw[p6.id].rank < raw[p7.id].rank
    assert normalised[p7.id].rank < normalised[p6.id].rank
    assert raw[p5.id].rank is None and raw[p5.id].review_count == 0
    assert raw[p5.id].criterion_means == dict.fromkeys((impact.id, feasibility.id, style.id))
    for proposal_id, row in raw.items():
        assert row.raw_rank == row.rank == normalised[proposal_id].raw_rank
        assert row.normalised_rank == normalised[proposal_id].rank
        assert normalised[proposal_id].normalised_rank == normalised[proposal_id].rank


def test_details_are_loaded_only_where_asked(app, monkeypatch):
    panel = build_panel()
    campaign = panel["campaign"]
    p0, _p1, _p2, p3, _p4, p5, _p6, _p7 = panel["proposals"]
    full = {r.proposal_id: r for r in ranking_report(campaign.id).rows}
    some = ranking_report(campaign.id, details=[p3.id])
    assert {r.proposal_id for r in some.rows if r.juror_scores} == {p3.id}
    assert next(r for r in some.rows if r.proposal_id == p3.id) == full[p3.id]
    # p3's details show Nina's incomplete review, excluded and said so
    nina = next(s for s in full[p3.id].juror_scores if s.juror_name == "Nina Neuve")
    assert nina.score is None and nina.excluded_reason == "incomplete"
    assert nina.comment_for_jury == "Pas fini" and not nina.normalised
    assert [s.juror_name for s in full[p0.id].juror_scores] == ["Hugo Sévère", "Lina Indulgente"]
    assert full[p5.id].juror_scores == ()

    organiser = make_user("orga@francetravail.fr")
    add_role(campaign, organiser, "organiser")
    db.session.commit()
    monkeypatch.setattr(ranking_page, "RANKING_PAGE_SIZE", 2)
    page = organiser_ranking(organiser, campaign.id, page=2)
    assert page.pages == 4 and len(page.rows) == 2
    shown = [r.proposal_id for r in page.rows]
    assert shown == [r.proposal_id for r in page.report.rows[2:4]]
    assert [r.juror_scores for r in page.rows] == [full[i].juror_scores for i in shown]
    assert all(r.juror_scores == () for r in page.report.rows)
    detail = proposal_scores(organiser, campaign.id, p0.id)
    assert detail.row == full[p0.id]
