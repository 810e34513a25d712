"""The juror's side: workspace, the proposal as a juror sees it, drafts, submission, revision."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from challenge.audit.models import AuditEvent
from challenge.errors import Refused
from challenge.extensions import db
from challenge.jury.models import Review, ReviewStatus
from challenge.jury.queries.conflicts_page import conflicts_page
from challenge.jury.service.reviews import ReviewInput, save_review
from tests.jury.builders import (
    add_review,
    add_role,
    add_supports,
    assign,
    csrf_token,
    make_campaign,
    make_proposal,
    make_user,
    review_criteria,
    sign_in,
)


@pytest.fixture
def world(app):
    """A campaign in review, one juror with three assigned proposals, another juror."""
    campaign = make_campaign(visibility="after_own")
    agent = make_user("agent@francetravail.fr", "Alice", "Agent", "Direction régionale")
    juror = make_user("juror@francetravail.fr", "Jules", "Juré", "Ministère A")
    other = make_user("other@francetravail.fr", "Olga", "Autre", "Ministère B")
    outsider = make_user("outsider@francetravail.fr", "Oscar", "Dehors", "Ministère C")
    for person in (juror, other, outsider):
        add_role(campaign, person)
    proposals = [
        make_proposal(
            campaign, agent, f"Proposition {i}", administration="Pôle Nord", impact="Fort"
        )
        for i in range(1, 4)
    ]
    unassigned = make_proposal(campaign, agent, "Pas pour vous", administration="Pôle Sud")
    for proposal in proposals:
        assign(campaign, proposal, juror)
        assign(campaign, proposal, other)
    add_supports(proposals[0], [outsider, other])
    db.session.commit()
    return {
        "campaign": campaign,
        "agent": agent,
        "juror": juror,
        "other": other,
        "outsider": outsider,
        "proposals": proposals,
        "unassigned": unassigned,
        "criteria": review_criteria(campaign),
    }


def review_url(world, proposal) -> str:
    return f"/jury/campagnes/{world['campaign'].id}/propositions/{proposal.id}"


def post_review(client, world, proposal, levels, action="submit", comment="Bien", message=""):
    url = review_url(world, proposal)
    data = {
        "csrf_token": csrf_token(client, url),
        "action": action,
        "comment_for_jury": comment,
        "message_for_agent": message,
    }
    for criterion, level in zip(world["criteria"], levels, strict=False):
        if level is not None:
            data[f"criterion-{criterion.id}"] = str(level)
    return client.post(url, data=data)


def test_workspace_lists_assigned_proposals_with_progress_and_filters(client, world):
    juror, proposals = world["juror"], world["proposals"]
    add_review(world["campaign"], proposals[0], juror, dict.fromkeys(world["criteria"], 3))
    add_review(world["campaign"], proposals[1], juror, {}, status="draft")
    db.session.commit()
    sign_in(client, juror)
    page = client.get("/jury")
    assert page.status_code == 200
    for proposal in proposals:
        assert proposal.title in page.text
    assert "Pas pour vous" not in page.text
    assert 'max="3" value="1"' in page.text  # the progress bar
    todo = client.get("/jury?etat=a-faire").text
    assert "Proposition 3" in todo and "Proposition 1" not in todo and "Proposition 2" not in todo
    drafts = client.get("/jury?etat=brouillon").text
    assert "Proposition 2" in drafts and "Proposition 3" not in drafts
    done = client.get("/jury?etat=terminees").text
    assert "Proposition 1" in done and "Proposition 2" not in done
    assert client.get("/jury?etat=nimporte").status_code == 200  # unknown filter: everything


def test_workspace_of_someone_without_jury(client, world):
    sign_in(client, world["agent"])
    page = client.get("/jury")
    assert page.status_code == 200
    assert "aucun jury" in page.text


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get("/jury")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_review_page_shows_proposal_grid_supports_and_authors(client, world):
    sign_in(client, world["juror"])
    page = client.get(review_url(world, world["proposals"][0]))
    assert page.status_code == 200
    text = page.text
    assert "Proposition 1" in text and "Pôle Nord" in text and "Alice Agent" in text
    assert "2 agents soutiennent" in text
    for criterion in world["criteria"]:
        assert criterion.label in text
        assert f'name="criterion-{criterion.id}"' in text
        assert f"{criterion.label} niveau 4" in text  # the level descriptions
    assert 'type="radio"' in text


def test_blind_review_hides_author_and_administration(client, world):
    world["campaign"].blind_review = True
    db.session.commit()
    sign_in(client, world["juror"])
    text = client.get(review_url(world, world["proposals"][0])).text
    assert "Alice Agent" not in text and "Pôle Nord" not in text
    assert "aveugle" in text
    workspace = client.get("/jury").text
    assert "Pôle Nord" not in workspace


def test_draft_then_submit_then_revise(client, world):
    sign_in(client, world["juror"])
    proposal = world["proposals"][0]
    response = post_review(client, world, proposal, [3, None], action="draft", comment="À revoir")
    assert response.status_code == 302
    review = db.session.scalar(select(Review).where(Review.proposal_id == proposal.id))
    assert review.status == ReviewStatus.DRAFT.value and review.comment_for_jury == "À revoir"
    assert {s.score for s in review.scores} == {3.0}

    # Submitting needs every criterion: refused, nothing changes, the error is beside the field.
    response = post_review(client, world, proposal, [4, None], action="submit")
    assert response.status_code == 200
    assert "Choisissez une note pour ce critère." in response.text
    db.session.expire_all()
    review = db.session.get(Review, review.id)
    assert review.status == ReviewStatus.DRAFT.value and {s.score for s in review.scores} == {3.0}

    response = post_review(client, world, proposal, [4, 2], action="submit", message="Bravo")
    assert response.status_code == 302
    db.session.expire_all()
    review = db.session.get(Review, review.id)
    assert review.status == ReviewStatus.SUBMITTED.value
    assert review.message_for_agent == "Bravo"
    assert sorted(s.score for s in review.scores) == [2.0, 4.0]

    # Revise while the review phase is open.
    response = post_review(client, world, proposal, [1, 1], action="submit")
    assert response.status_code == 302
    db.session.expire_all()
    assert sorted(s.score for s in db.session.get(Review, review.id).scores) == [1.0, 1.0]
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.action.like("jury.review%"))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "jury.review_saved",
        "jury.review_submitted",
        "jury.review_saved",
    ]


def test_a_submitted_review_cannot_go_back_to_draft(client, world):
    sign_in(client, world["juror"])
    proposal = world["proposals"][0]
    post_review(client, world, proposal, [4, 2], action="submit")
    response = post_review(client, world, proposal, [None, None], action="draft")
    assert response.status_code == 302
    db.session.expire_all()
    review = db.session.scalar(select(Review).where(Review.proposal_id == proposal.id))
    assert review.status == ReviewStatus.SUBMITTED.value and len(review.scores) == 2


def test_out_of_scale_and_garbage_levels_are_refused(client, world):
    sign_in(client, world["juror"])
    proposal = world["proposals"][0]
    for bad in ("9", "-1", "abc", "1.5"):
        url = review_url(world, proposal)
        data = {
            "csrf_token": csrf_token(client, url),
            "action": "submit",
            f"criterion-{world['criteria'][0].id}": bad,
            f"criterion-{world['criteria'][1].id}": "2",
        }
        response = client.post(url, data=data)
        assert response.status_code == 200, bad
        assert "Choisissez une note entre 0 et 4." in response.text
    assert db.session.scalar(select(Review.id)) is None


def test_post_without_csrf_is_refused(client, world):
    sign_in(client, world["juror"])
    response = client.post(review_url(world, world["proposals"][0]), data={"action": "draft"})
    assert response.status_code == 400
    assert db.session.scalar(select(Review.id)) is None


def test_save_and_next_goes_to_the_next_proposal_to_do(client, world):
    sign_in(client, world["juror"])
    first, second, third = world["proposals"]
    response = post_review(client, world, first, [4, 4], action="submit_next")
    assert response.headers["Location"].endswith(review_url(world, second))
    post_review(client, world, second, [4, 4], action="submit_next")
    response = post_review(client, world, third, [4, 4], action="submit_next")
    assert response.headers["Location"].endswith("/jury")  # all done


def test_review_is_refused_after_the_review_phase(client, world):
    sign_in(client, world["juror"])
    proposal = world["proposals"][0]
    url = review_url(world, proposal)
    token = csrf_token(client, url)
    campaign = world["campaign"]
    campaign.review_ends_at = campaign.review_ends_at - timedelta(days=30)
    db.session.commit()
    data = {
        "csrf_token": token,
        "action": "submit",
        f"criterion-{world['criteria'][0].id}": "3",
        f"criterion-{world['criteria'][1].id}": "3",
    }
    response = client.post(url, data=data, follow_redirects=True)
    assert "La phase d’évaluation est terminée" in response.text
    assert db.session.scalar(select(Review.id)) is None
    # The page is read only: no submit button.
    assert 'value="submit"' not in client.get(url).text

    campaign.review_ends_at = None
    campaign.status = "shortlist"
    db.session.commit()
    response = client.post(url, data=data, follow_redirects=True)
    assert "La phase d’évaluation est terminée" in response.text
    assert db.session.scalar(select(Review.id)) is None


def test_review_not_started_while_the_campaign_is_open(client, world):
    world["campaign"].status = "open"
    db.session.commit()
    sign_in(client, world["juror"])
    with pytest.raises(Refused):
        save_review(
            world["juror"],
            world["campaign"].id,
            world["proposals"][0].id,
            ReviewInput({c.id: 1 for c in world["criteria"]}),
            submit=True,
        )
    assert "commencera à la clôture" in client.get(review_url(world, world["proposals"][0])).text


def test_unassigned_or_unknown_proposals_are_404(client, world):
    sign_in(client, world["juror"])
    campaign_id = world["campaign"].id
    assert client.get(review_url(world, world["unassigned"])).status_code == 404
    assert client.get(f"/jury/campagnes/{campaign_id}/propositions/999999").status_code == 404
    assert (
        client.get(f"/jury/campagnes/999999/propositions/{world['proposals'][0].id}").status_code
        == 404
    )
    assert client.get(f"/jury/campagnes/{campaign_id}/propositions/abc").status_code == 404
    # A juror of the campaign to whom nothing is assigned.
    sign_in(client, world["outsider"])
    assert client.get(review_url(world, world["proposals"][0])).status_code == 404
    # An agent (the author herself) is not a juror: 404, and no scores anywhere.
    sign_in(client, world["agent"])
    assert client.get(review_url(world, world["proposals"][0])).status_code == 404


def test_other_jurors_scores_follow_the_campaign_setting(client, world):
    campaign, juror, other = world["campaign"], world["juror"], world["other"]
    proposal = world["proposals"][0]
    add_review(
        campaign, proposal, other, dict.fromkeys(world["criteria"], 1), comment="Commentaire d’Olga"
    )
    db.session.commit()
    sign_in(client, juror)
    url = review_url(world, proposal)

    # after_own: hidden before the juror's own submission, shown after.
    assert "Commentaire d’Olga" not in client.get(url).text
    post_review(client, world, proposal, [3, 3], action="draft")
    assert "Commentaire d’Olga" not in client.get(url).text
    post_review(client, world, proposal, [3, 3], action="submit")
    assert "Commentaire d’Olga" in client.get(url).text

    campaign.scores_visibility = "never"
    db.session.commit()
    assert "Commentaire d’Olga" not in client.get(url).text

    campaign.scores_visibility = "always"
    db.session.commit()
    second = world["proposals"][1]
    add_review(campaign, second, other, dict.fromkeys(world["criteria"], 2), comment="Sur la 2")
    db.session.commit()
    assert "Sur la 2" in client.get(review_url(world, second)).text


def test_declaring_a_conflict_from_the_page_hides_the_proposal(client, world):
    sign_in(client, world["juror"])
    proposal = world["proposals"][0]
    url = review_url(world, proposal)
    token = csrf_token(client, url)
    response = client.post(url + "/conflit", data={"csrf_token": token, "reason": "Ma sœur"})
    assert response.status_code == 302
    assert client.get(url).status_code == 404
    assert "Proposition 1" not in client.get("/jury").text
    conflicts = client.get(f"/jury/campagnes/{world['campaign'].id}/conflits").text
    assert "Proposition 1" in conflicts and "Ma sœur" in conflicts


def test_administration_conflicts_declared_and_withdrawn(client, world):
    sign_in(client, world["juror"])
    url = f"/jury/campagnes/{world['campaign'].id}/conflits"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "administration": ""})
    assert response.status_code == 200 and "Indiquez le nom de l’administration." in response.text
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "administration": "  pôle  NORD ",
            "reason": "",
        },
    )
    assert response.status_code == 302
    # Every proposal of "Pôle Nord" disappears (names compared after normalisation).
    workspace = client.get("/jury").text
    assert all(p.title not in workspace for p in world["proposals"])
    conflict_id = conflicts_page(world["juror"], world["campaign"].id).declared[0].id
    response = client.post(
        f"{url}/{conflict_id}/retirer", data={"csrf_token": csrf_token(client, url)}
    )
    assert response.status_code == 302
    assert all(p.title in client.get("/jury").text for p in world["proposals"])
    # Someone else's conflict, or an unknown one: 404.
    assert (
        client.post(f"{url}/{conflict_id}/retirer", data={"csrf_token": csrf_token(client, url)})
    ).status_code == 404


def test_conflicts_page_of_a_non_juror_is_404(client, world):
    sign_in(client, world["agent"])
    assert client.get(f"/jury/campagnes/{world['campaign'].id}/conflits").status_code == 404


def test_attachments_are_listed(client, world):
    from challenge.proposals.models import Attachment

    proposal = world["proposals"][0]
    db.session.add(
        Attachment(
            proposal_id=proposal.id,
            filename="schema.pdf",
            content_type="application/pdf",
            size=2048,
            sha256="0" * 64,
            storage_key="k-schema",
        )
    )
    db.session.commit()
    sign_in(client, world["juror"])
    text = client.get(review_url(world, proposal)).text
    assert "schema.pdf" in text


def test_the_juror_view_decides_the_authors_and_affiliation_of_the_review_page(client, world):
    proposal = world["proposals"][0]
    proposal.service = "Service Zéphyr"
    proposal.region = "Région Boréale"
    db.session.commit()
    sign_in(client, world["juror"])
    text = client.get(review_url(world, proposal)).text
    for shown in ("Alice Agent", "Pôle Nord", "Service Zéphyr", "Région Boréale"):
        assert shown in text
    assert "aveugle" not in text
    assert "2 agents soutiennent" in text  # the count only: never the supporters' names
    assert "Oscar" not in text

    world["campaign"].blind_review = True
    db.session.commit()
    text = client.get(review_url(world, proposal)).text
    assert "aveugle" in text
    for hidden in ("Alice Agent", "Pôle Nord", "Service Zéphyr", "Région Boréale", "Oscar"):
        assert hidden not in text
    workspace = client.get("/jury").text
    assert ">Administration<" not in workspace and "Pôle Nord" not in workspace
