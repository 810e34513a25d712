"""The ranking from the database: hand-computed values, conflicts, the page, its query count."""

from __future__ import annotations

import math
import time

import pytest
from sqlalchemy import insert, select

from challenge.extensions import db
from challenge.jury import ranking as ranking_algo
from challenge.jury.models import Review, ReviewScore
from challenge.jury.queries.ranking_feed import campaign_ranking, ranking_report
from challenge.jury.service.shortlist import ShortlistChoice, decide_shortlist
from challenge.proposals.models import Proposal
from tests.jury.builders import (
    add_review,
    add_role,
    add_supports,
    count_queries,
    make_campaign,
    make_proposal,
    make_user,
    review_criteria,
    sign_in,
)


@pytest.fixture
def ranked(app):
    """Three proposals, two jurors, a conflicted review and a draft (hand-computed below)."""
    campaign = make_campaign(criteria=(("Impact", 2.0), ("Faisabilité", 1.0), ("Style", 0.0)))
    organiser = make_user("orga@francetravail.fr")
    add_role(campaign, organiser, "organiser")
    agent = make_user("agent@francetravail.fr")
    j1 = make_user("j1@francetravail.fr", "Jeanne", "Un", "Ministère 1")
    j2 = make_user("j2@francetravail.fr", "Jacques", "Deux", "Ministère 2")
    j3 = make_user("j3@francetravail.fr", "Jim", "Trois", "Ministère 3")
    for juror in (j1, j2, j3):
        add_role(campaign, juror)
    p1 = make_proposal(campaign, agent, "Première", administration="Caf")
    p2 = make_proposal(campaign, j3, "Deuxième", administration="Urssaf")  # j3 wrote it
    p3 = make_proposal(campaign, agent, "Troisième", administration="Caf")
    make_proposal(campaign, agent, "Brouillon", status="draft")
    impact, feasibility, style = review_criteria(campaign)
    add_review(campaign, p1, j1, {impact: 4, feasibility: 4, style: 1}, comment="Excellent")
    add_review(campaign, p1, j2, {impact: 3, feasibility: 0})  # (6 + 0) / 3 = 2
    add_review(campaign, p2, j1, {impact: 2, feasibility: 2})
    add_review(campaign, p2, j2, {impact: 2, feasibility: 2})
    add_review(campaign, p2, j3, {impact: 4, feasibility: 4})  # conflicted: never counted
    add_review(campaign, p3, j1, {impact: 0, feasibility: 3})  # (0 + 3) / 3 = 1
    add_review(campaign, p3, j2, {impact: 4, feasibility: 4}, status="draft")  # not counted
    add_supports(p2, [agent, j1])
    db.session.commit()
    return {
        "campaign": campaign,
        "organiser": organiser,
        "jurors": (j1, j2, j3),
        "proposals": (p1, p2, p3),
        "criteria": (impact, feasibility, style),
    }


def test_raw_ranking_by_hand(ranked):
    p1, p2, p3 = ranked["proposals"]
    impact, feasibility, style = ranked["criteria"]
    rows = campaign_ranking(ranked["campaign"].id)
    assert [r.proposal_id for r in rows] == [p1.id, p2.id, p3.id]
    assert [r.rank for r in rows] == [1, 2, 3]
    first, second, third = rows
    assert (first.mean, first.median, first.review_count) == (3.0, 3.0, 2)
    assert first.stdev == pytest.approx(1.0)
    assert first.disagreement  # stdev 1 >= 25% of the 0..4 scale
    assert first.criterion_means == {impact.id: 3.5, feasibility.id: 2.0, style.id: 1.0}
    assert (second.mean, second.stdev, second.disagreement) == (2.0, 0.0, False)
    assert second.review_count == 2  # j3's review is excluded: j3 wrote the proposal
    assert second.supports == 2 and first.supports == 0
    assert (third.mean, third.review_count) == (1.0, 1)  # the draft does not count
    assert first.title == "Première" and first.administration == "Caf"
    assert first.status == "submitted" and first.shortlisted is None
    names = [s.juror_name for s in first.juror_scores]
    assert names == ["Jacques Deux", "Jeanne Un"]
    assert {s.score for s in first.juror_scores} == {4.0, 2.0}
    report = ranking_report(ranked["campaign"].id)
    assert report.conflicted_reviews == 1 and report.excluded_reviews == 0
    assert "Brouillon" not in {r.title for r in report.rows}


def test_normalised_ranking_matches_the_pure_module(ranked):
    """The service feeds ranking.py exactly the counted reviews."""
    p1, p2, p3 = ranked["proposals"]
    j1, j2, _j3 = ranked["jurors"]
    grid = ranking_algo.Grid(
        (
            ranking_algo.Criterion(str(ranked["criteria"][0].id), 2.0),
            ranking_algo.Criterion(str(ranked["criteria"][1].id), 1.0),
            ranking_algo.Criterion(str(ranked["criteria"][2].id), 0.0),
        ),
        0,
        4,
    )
    i, f = (str(c.id) for c in ranked["criteria"][:2])
    expected = ranking_algo.compute_scores(
        grid,
        [
            ranking_algo.Review(1, j1.id, p1.id, {i: 4, f: 4}),
            ranking_algo.Review(2, j2.id, p1.id, {i: 3, f: 0}),
            ranking_algo.Review(3, j1.id, p2.id, {i: 2, f: 2}),
            ranking_algo.Review(4, j2.id, p2.id, {i: 2, f: 2}),
            ranking_algo.Review(5, j1.id, p3.id, {i: 0, f: 3}),
        ],
        [p1.id, p2.id, p3.id],
    )
    rows = {r.proposal_id: r for r in campaign_ranking(ranked["campaign"].id, by="normalised")}
    for scores in expected.proposals:
        assert rows[scores.proposal_id].normalised == pytest.approx(scores.normalised)
        assert rows[scores.proposal_id].unnormalised_reviews == scores.unnormalised_reviews
    # j1 (3 reviews) is standardised, j2 (2 reviews) is not: the page names j2.
    report = ranking_report(ranked["campaign"].id, by="normalised")
    assert report.unnormalised_jurors == ["Jacques Deux"]


def test_pitch_phase_ranks_the_pitch_scores_of_the_shortlist(ranked):
    from challenge.campaigns.models import Criterion

    campaign = ranked["campaign"]
    p1, p2, _p3 = ranked["proposals"]
    j1, j2, _j3 = ranked["jurors"]
    pitch = Criterion(
        campaign_id=campaign.id, grid="pitch", label="Pitch", weight=1, scale_min=1, scale_max=5
    )
    db.session.add(pitch)
    db.session.flush()
    decide_shortlist(ranked["organiser"], campaign.id, [ShortlistChoice(p1.id)], selected=True)
    add_review(campaign, p1, j1, {pitch: 5}, phase="pitch")
    add_review(campaign, p1, j2, {pitch: 4}, phase="pitch")
    db.session.commit()
    rows = campaign_ranking(campaign.id, phase="pitch")
    assert [(r.proposal_id, r.mean) for r in rows] == [(p1.id, 4.5)]
    assert rows[0].shortlisted is True


def test_ranking_without_a_usable_grid(app):
    campaign = make_campaign(criteria=(("Seul", 0.0),))
    agent = make_user("a@francetravail.fr")
    make_proposal(campaign, agent, "Une")
    db.session.commit()
    report = ranking_report(campaign.id)
    assert not report.grid_ready and [r.rank for r in report.rows] == [None]


def test_ranking_page_sorts_filters_and_explains(client, ranked):
    campaign = ranked["campaign"]
    sign_in(client, ranked["organiser"])
    url = f"/organisation/campagnes/{campaign.id}/classement"
    page = client.get(url)
    assert page.status_code == 200
    text = page.text
    assert text.index("Première") < text.index("Deuxième") < text.index("Troisième")
    assert "Impact" in text and "Faisabilité" in text and "non comptée" in text
    assert "désaccord" in text
    assert ranking_algo.NORMALISATION_EXPLANATION_FR.replace("'", "&#39;")[:60] in text
    assert "Jacques Deux" in text  # each juror's scores on demand, and the unnormalised juror
    assert "3,00" in text  # French decimals

    normalised = client.get(url + "?tri=normalisee")
    assert normalised.status_code == 200 and "note normalisée" in normalised.text
    only_caf = client.get(url + "?administration=Caf").text
    assert "Première" in only_caf and "Deuxième" not in only_caf
    disagreements = client.get(url + "?desaccord=1").text
    assert "Première" in disagreements and "Troisième" not in disagreements
    assert "Première" not in client.get(url + "?statut=shortlisted").text
    for junk in ("?tri=xyz", "?page=abc", "?page=-4", "?statut=%00", "?administration=inconnue"):
        assert client.get(url + junk).status_code == 200, junk

    detail = client.get(f"{url}/{ranked['proposals'][0].id}")
    assert detail.status_code == 200
    assert "Excellent" in detail.text and "Jeanne Un" in detail.text
    assert client.get(f"{url}/999999").status_code == 404


def test_ranking_pages_permissions(client, ranked):
    campaign = ranked["campaign"]
    other_campaign = make_campaign("autre")
    other_organiser = make_user("autre@francetravail.fr")
    add_role(other_campaign, other_organiser, "organiser")
    agent = make_user("agent2@francetravail.fr")
    db.session.commit()
    urls = [
        f"/organisation/campagnes/{campaign.id}/classement",
        f"/organisation/campagnes/{campaign.id}/classement/{ranked['proposals'][0].id}",
        f"/organisation/campagnes/{campaign.id}/preselection",
    ]
    for user in (ranked["jurors"][0], other_organiser, agent):
        sign_in(client, user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 403, (user.email, url)
            assert "Excellent" not in response.text and "3,00" not in response.text


def bulk_campaign(n_proposals: int, slug: str) -> tuple[int, object]:
    """A campaign with ``n_proposals`` proposals and 3 submitted reviews each, inserted in bulk."""
    campaign = make_campaign(slug, criteria=(("A", 2.0), ("B", 1.0)))
    organiser = make_user(f"orga-{slug}@francetravail.fr")
    add_role(campaign, organiser, "organiser")
    agent = make_user(f"agent-{slug}@francetravail.fr")
    jurors = [make_user(f"j{i}-{slug}@francetravail.fr") for i in range(12)]
    for juror in jurors:
        add_role(campaign, juror)
    criteria = review_criteria(campaign)
    db.session.commit()
    db.session.execute(
        insert(Proposal),
        [
            {
                "campaign_id": campaign.id,
                "submitter_id": agent.id,
                "status": "submitted",
                "title": f"Proposition {i}",
                "administration": f"Administration {i % 17}",
                "version": 1,
            }
            for i in range(n_proposals)
        ],
    )
    ids = db.session.scalars(
        select(Proposal.id).where(Proposal.campaign_id == campaign.id).order_by(Proposal.id)
    ).all()
    db.session.execute(
        insert(Review),
        [
            {
                "campaign_id": campaign.id,
                "proposal_id": pid,
                "juror_id": jurors[(k * 5 + r) % 12].id,
                "phase": "written",
                "status": "submitted",
                "comment_for_jury": "",
                "message_for_agent": "",
            }
            for k, pid in enumerate(ids)
            for r in range(3)
        ],
    )
    review_ids = db.session.scalars(
        select(Review.id).where(Review.campaign_id == campaign.id).order_by(Review.id)
    ).all()
    db.session.execute(
        insert(ReviewScore),
        [
            {"review_id": rid, "criterion_id": c.id, "score": float((rid * 7 + c.id * 3) % 5)}
            for rid in review_ids
            for c in criteria
        ],
    )
    db.session.commit()
    return campaign.id, organiser


def test_ranking_page_query_count_is_the_same_for_10_and_10000_proposals(client):
    small_id, small_organiser = bulk_campaign(10, "petite")
    large_id, large_organiser = bulk_campaign(10_000, "grande")
    sign_in(client, small_organiser)
    client.get(f"/organisation/campagnes/{small_id}/classement")
    with count_queries() as small:
        assert client.get(f"/organisation/campagnes/{small_id}/classement").status_code == 200
    sign_in(client, large_organiser)
    client.get(f"/organisation/campagnes/{large_id}/classement")
    started = time.perf_counter()
    with count_queries() as large:
        page = client.get(f"/organisation/campagnes/{large_id}/classement?tri=normalisee&page=7")
    elapsed = time.perf_counter() - started
    assert page.status_code == 200
    assert len(large) == len(small), "\n".join(large)
    assert len(small) <= 16
    rows = campaign_ranking(large_id)
    assert len(rows) == 10_000 and all(r.review_count == 3 for r in rows)
    assert math.isfinite(elapsed)  # the time is reported by bench/bench_ranking.py


def test_pages_of_an_empty_campaign(client):
    campaign = make_campaign("vide", status="draft", criteria=())
    organiser = make_user("orga-vide@francetravail.fr")
    add_role(campaign, organiser, "organiser")
    juror = make_user("jure-vide@francetravail.fr")
    add_role(campaign, juror)
    db.session.commit()
    sign_in(client, organiser)
    for page in ("classement", "preselection", "affectations"):
        response = client.get(f"/organisation/campagnes/{campaign.id}/{page}")
        assert response.status_code == 200, page
    assert (
        "aucun critère compté"
        in client.get(f"/organisation/campagnes/{campaign.id}/classement").text
    )
    sign_in(client, juror)
    workspace = client.get("/jury")
    assert workspace.status_code == 200
    assert "Aucune proposition ne vous est encore confiée" in workspace.text
