"""Who sees what: the one visibility function every page, export and e-mail relies on."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from challenge.access.juror_view import may_see_scores
from challenge.access.jury import (
    conflict_pairs,
    may_see_proposal,
    visible_proposal_ids_for_juror,
)
from challenge.extensions import db
from challenge.jury.queries.ranking_feed import campaign_ranking
from tests.jury.builders import (
    add_review,
    add_role,
    assign,
    csrf_token,
    declare,
    make_campaign,
    make_proposal,
    make_user,
    review_criteria,
    sign_in,
)


@pytest.fixture
def setting(app):
    campaign = make_campaign(visibility="after_own")
    organiser = make_user("orga@francetravail.fr")
    add_role(campaign, organiser, "organiser")
    admin = make_user("admin@francetravail.fr", is_admin=True)
    agent = make_user("agent@francetravail.fr", administration="Caf")
    juror = make_user("juror@francetravail.fr", administration="Ministère de l’Intérieur")
    other = make_user("other@francetravail.fr", administration="Urssaf")
    add_role(campaign, juror)
    add_role(campaign, other)
    proposals = {
        "plain": make_proposal(campaign, agent, "Simple", administration="Caf"),
        "coauthored": make_proposal(
            campaign, agent, "Co-écrite", coauthors=["JUROR@francetravail.fr"]
        ),
        "own": make_proposal(campaign, juror, "La sienne", administration="Caf"),
        "same_admin": make_proposal(
            campaign, agent, "Intérieur", administration="ministère de l'intérieur"
        ),
        "declared_admin": make_proposal(
            campaign, agent, "Préfecture", administration="Préfecture du Nord"
        ),
        "declared": make_proposal(campaign, agent, "Déclarée", administration="Caf"),
        "removed": make_proposal(campaign, agent, "Retirée à la main", administration="Caf"),
        "withdrawn": make_proposal(
            campaign, agent, "Retirée", administration="Caf", status="withdrawn"
        ),
        "draft": make_proposal(campaign, agent, "Brouillon", administration="Caf", status="draft"),
        "unassigned": make_proposal(campaign, agent, "Pas confiée", administration="Caf"),
    }
    for key, proposal in proposals.items():
        if key == "unassigned":
            continue
        assign(campaign, proposal, juror, state="removed" if key == "removed" else "active")
        assign(campaign, proposal, other)
    declare(campaign, juror, administration="PRÉFECTURE du nord")
    declare(campaign, juror, proposal=proposals["declared"])
    db.session.commit()
    return {
        "campaign": campaign,
        "organiser": organiser,
        "admin": admin,
        "agent": agent,
        "juror": juror,
        "other": other,
        "p": proposals,
    }


def test_a_juror_sees_only_assigned_proposals_without_conflict(setting):
    visible = visible_proposal_ids_for_juror(setting["campaign"].id, setting["juror"].id)
    assert visible == {setting["p"]["plain"].id}
    # The other juror has no conflict: everything assigned and in competition.
    other = visible_proposal_ids_for_juror(setting["campaign"].id, setting["other"].id)
    expected = {
        p.id for k, p in setting["p"].items() if k not in ("withdrawn", "draft", "unassigned")
    }
    assert other == expected


def test_same_administration_rule_follows_the_campaign(setting):
    campaign = setting["campaign"]
    campaign.same_administration_conflict = False
    db.session.commit()
    visible = visible_proposal_ids_for_juror(campaign.id, setting["juror"].id)
    assert visible == {setting["p"]["plain"].id, setting["p"]["same_admin"].id}


def test_conflict_pairs_of_the_whole_campaign(setting):
    pairs = conflict_pairs(setting["campaign"])
    juror = setting["juror"].id
    p = setting["p"]
    assert {
        (juror, p[k].id) for k in ("coauthored", "own", "same_admin", "declared_admin", "declared")
    } <= pairs
    assert (juror, p["plain"].id) not in pairs
    assert all(j == juror for j, _ in pairs)


def test_non_jurors_see_nothing(setting):
    campaign = setting["campaign"]
    for user in (setting["agent"], setting["organiser"], setting["admin"]):
        assert visible_proposal_ids_for_juror(campaign.id, user.id) == set()
    assert visible_proposal_ids_for_juror(424242, setting["juror"].id) == set()


def test_pitch_phase_shows_the_shortlist_minus_conflicts(setting):
    campaign, p = setting["campaign"], setting["p"]
    p["plain"].status = "shortlisted"
    p["own"].status = "shortlisted"
    db.session.commit()
    assert visible_proposal_ids_for_juror(campaign.id, setting["juror"].id, "pitch") == {
        p["plain"].id
    }


def test_may_see_scores_matrix(setting):
    campaign, p, juror = setting["campaign"], setting["p"], setting["juror"]
    plain = p["plain"]
    criteria = review_criteria(campaign)
    add_review(campaign, plain, setting["other"], dict.fromkeys(criteria, 3))
    db.session.commit()
    assert may_see_scores(setting["organiser"], plain)
    assert may_see_scores(setting["admin"], plain)
    assert not may_see_scores(setting["agent"], plain)  # the author never sees scores
    assert not may_see_scores(AnonymousUserMixin(), plain)
    assert not may_see_scores(None, plain)
    assert not may_see_scores(juror, plain)  # after_own: not yet
    review = add_review(campaign, plain, juror, dict.fromkeys(criteria, 2), status="draft")
    db.session.commit()
    assert not may_see_scores(juror, plain)  # a draft is not a submission
    review.status = "submitted"
    db.session.commit()
    assert may_see_scores(juror, plain)
    campaign.scores_visibility = "never"
    db.session.commit()
    assert not may_see_scores(juror, plain)
    campaign.scores_visibility = "always"
    db.session.commit()
    assert may_see_scores(setting["other"], p["own"])
    # Conflicted or unassigned: never, whatever the setting.
    for key in (
        "own",
        "coauthored",
        "same_admin",
        "declared_admin",
        "declared",
        "unassigned",
        "removed",
    ):
        assert not may_see_scores(juror, p[key]), key
        assert not may_see_proposal(juror, p[key]), key
    assert may_see_proposal(juror, plain) and may_see_proposal(setting["organiser"], p["own"])
    assert not may_see_proposal(setting["agent"], plain)


def test_conflicted_pages_are_404_for_the_juror(client, setting):
    sign_in(client, setting["juror"])
    campaign_id = setting["campaign"].id
    for key, proposal in setting["p"].items():
        url = f"/jury/campagnes/{campaign_id}/propositions/{proposal.id}"
        expected = 200 if key == "plain" else 404
        assert client.get(url).status_code == expected, key
    workspace = client.get("/jury").text
    assert "Simple" in workspace
    for key in ("coauthored", "own", "same_admin", "declared_admin", "declared", "removed"):
        assert setting["p"][key].title not in workspace, key


def test_a_conflicted_jurors_review_is_hidden_from_the_others(client, setting):
    """The other juror submitted on "Simple", then declared a conflict: nobody counts it."""

    campaign, p = setting["campaign"], setting["p"]
    campaign.scores_visibility = "always"
    criteria = review_criteria(campaign)
    add_review(campaign, p["plain"], setting["other"], dict.fromkeys(criteria, 4), comment="Secret")
    declare(campaign, setting["other"], proposal=p["plain"])
    db.session.commit()
    sign_in(client, setting["juror"])
    page = client.get(f"/jury/campagnes/{campaign.id}/propositions/{p['plain'].id}").text
    assert "Secret" not in page
    row = next(r for r in campaign_ranking(campaign.id) if r.proposal_id == p["plain"].id)
    assert row.review_count == 0


def test_a_conflict_cannot_be_declared_on_an_invisible_proposal(client, setting):
    sign_in(client, setting["juror"])
    campaign_id = setting["campaign"].id
    token = csrf_token(client, "/jury")
    response = client.post(
        f"/jury/campagnes/{campaign_id}/propositions/{setting['p']['unassigned'].id}/conflit",
        data={"csrf_token": token},
    )
    assert response.status_code == 404
