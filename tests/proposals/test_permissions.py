"""Who sees what: an agent never sees another's proposal (404), nor any score; the domain
check; the functions the jury and results pages call (may_read, authors_of, ...)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from challenge.access.proposals import may_read
from challenge.accounts.models import Membership
from challenge.campaigns.models import Criterion
from challenge.errors import NotFound
from challenge.extensions import db
from challenge.jury.models import Conflict, Review, ReviewAssignment, ReviewScore
from challenge.proposals.models import Proposal
from challenge.proposals.queries.authorship import authors_of, visible_proposal_for_author
from challenge.proposals.queries.irritants import support_counts
from challenge.results.models import ResultDecision
from tests.proposals.builders import (  # noqa: F401
    COMPLETE,
    client_for,
    counts,
    csrf,
    make_campaign,
    make_proposal,
    make_user,
    one_user_per_request,
    post_new,
    proposal_row,
)


def every_page_of(proposal_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", f"/propositions/{proposal_id}"),
        ("GET", f"/propositions/{proposal_id}/modifier"),
        ("GET", f"/propositions/{proposal_id}/historique"),
        ("GET", f"/propositions/{proposal_id}/retirer"),
        ("POST", f"/propositions/{proposal_id}/modifier"),
        ("POST", f"/propositions/{proposal_id}/envoyer"),
        ("POST", f"/propositions/{proposal_id}/retirer"),
        ("POST", f"/propositions/{proposal_id}/coauteurs"),
        ("POST", f"/propositions/{proposal_id}/coauteurs/1/retirer"),
        ("POST", f"/propositions/{proposal_id}/pieces-jointes"),
        ("POST", f"/propositions/{proposal_id}/pieces-jointes/1/supprimer"),
    ]


@pytest.mark.parametrize("status", ["draft", "submitted", "withdrawn"])
def test_another_agent_gets_404_everywhere_and_changes_nothing(app: Flask, status: str) -> None:
    campaign = make_campaign()
    owner = make_user()
    proposal = make_proposal(owner, campaign, status=status)
    intruder = client_for(app, make_user("paul.durand@francetravail.fr"))
    token = csrf(intruder)
    before = counts()
    for method, url in every_page_of(proposal.id):
        data = {
            "csrf_token": token,
            "version": "1",
            "action": "submit",
            "email": "x@francetravail.fr",
            **COMPLETE,
        }
        response = intruder.get(url) if method == "GET" else intruder.post(url, data=data)
        assert response.status_code == 404, (method, url)
    assert counts() == before
    assert proposal_row(proposal.id).title == "Un irritant"
    page = intruder.get("/mes-propositions").get_data(as_text=True)
    assert "Un irritant" not in page


def test_an_anonymous_visitor_is_sent_to_sign_in(app: Flask) -> None:
    campaign = make_campaign()
    proposal = make_proposal(make_user(), campaign, status="submitted")
    anonymous = app.test_client()
    for url in (f"/propositions/{proposal.id}", "/mes-propositions"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/connexion" in response.location


def test_an_agent_of_a_domain_the_campaign_does_not_allow_gets_an_explanation(app: Flask) -> None:
    make_campaign(domains="francetravail.fr")
    outsider = client_for(app, make_user("jean@dgfip.finances.gouv.fr"))
    before = counts()
    response = outsider.get("/campagnes/appel-2026/proposer")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "n’est pas ouverte à votre administration" in page
    assert "francetravail.fr" in page and "jean@dgfip.finances.gouv.fr" in page
    response = post_new(outsider, **COMPLETE)
    assert response.status_code == 403
    assert counts() == before
    assert outsider.get("/campagnes/appel-2026/moi-aussi").status_code == 403


def test_subdomains_of_an_allowed_domain_are_allowed(app: Flask) -> None:
    make_campaign(domains="gouv.fr")
    client = client_for(app, make_user("jean@dgfip.finances.gouv.fr"))
    assert client.get("/campagnes/appel-2026/proposer").status_code == 200


def test_a_campaign_still_in_draft_is_invisible(app: Flask) -> None:
    make_campaign(status="draft")
    client = client_for(app, make_user())
    assert client.get("/campagnes/appel-2026/proposer").status_code == 404
    assert post_new(client, **COMPLETE).status_code == 404


def test_a_campaign_under_review_explains_that_submissions_are_closed(app: Flask) -> None:
    make_campaign(status="review")
    response = client_for(app, make_user()).get("/campagnes/appel-2026/proposer")
    assert response.status_code == 409
    assert "Les dépôts sont fermés" in response.get_data(as_text=True)


def test_a_co_author_may_edit_but_only_the_submitter_sends_and_withdraws(app: Flask) -> None:
    campaign = make_campaign()
    owner = make_user()
    coauthor = make_user("lea.petit@francetravail.fr", first_name="Léa", last_name="Petit")
    proposal = make_proposal(owner, campaign, coauthors=(coauthor.email,))
    client = client_for(app, coauthor)
    page = client.get(f"/propositions/{proposal.id}/modifier").get_data(as_text=True)
    assert "Envoyer ma proposition" not in page
    assert "seule la personne qui a créé la proposition peut l’envoyer" in page

    token = csrf(client)
    response = client.post(
        f"/propositions/{proposal.id}/modifier",
        data={"csrf_token": token, "version": str(proposal.version), **COMPLETE},
    )
    assert response.status_code == 302
    assert proposal_row(proposal.id).title == COMPLETE["title"]

    before = counts()
    version = str(proposal_row(proposal.id).version)
    response = client.post(
        f"/propositions/{proposal.id}/modifier",
        data={"csrf_token": token, "version": version, "action": "submit", **COMPLETE},
    )
    assert response.status_code == 403
    assert (
        client.post(f"/propositions/{proposal.id}/envoyer", data={"csrf_token": token}).status_code
        == 403
    )
    assert client.get(f"/propositions/{proposal.id}/retirer").status_code == 403
    assert counts() == before
    assert proposal_row(proposal.id).status == "draft"


def test_the_agent_never_sees_a_score(app: Flask) -> None:
    campaign = make_campaign(status="results", deadline_in=None)
    owner = make_user()
    juror = make_user("jury@francetravail.fr", first_name="Jules", last_name="Juré")
    proposal = make_proposal(owner, campaign, status="not_retained")
    criterion = Criterion(campaign_id=campaign.id, label="Impact", grid="review")
    db.session.add(criterion)
    db.session.flush()
    review = Review(
        campaign_id=campaign.id,
        proposal_id=proposal.id,
        juror_id=juror.id,
        status="submitted",
        comment_for_jury="Confidentiel pour le jury",
        message_for_agent="Une belle idée, à creuser avec votre direction.",
    )
    review.scores.append(ReviewScore(criterion_id=criterion.id, score=3.75))
    draft_review = Review(
        campaign_id=campaign.id,
        proposal_id=proposal.id,
        juror_id=make_user("autre.jure@francetravail.fr").id,
        status="draft",
        message_for_agent="Brouillon de juré, jamais montré",
    )
    # As the results step records it for every proposal in competition.
    decision = ResultDecision(
        campaign_id=campaign.id, proposal_id=proposal.id, outcome="not_retained"
    )
    db.session.add_all([review, draft_review, decision])
    db.session.commit()
    client = client_for(app, owner)
    for url in ("/mes-propositions", f"/propositions/{proposal.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "3.75" not in page and "3,75" not in page
        assert "Confidentiel pour le jury" not in page and "Jules" not in page
        assert "Brouillon de juré" not in page
    page = client.get("/mes-propositions").get_data(as_text=True)
    assert (
        "Une belle idée, à creuser avec votre direction." in page
    )  # the jury's words, once public
    assert "Non retenue" in page


def test_the_jury_message_waits_for_the_results_stage(app: Flask) -> None:
    campaign = make_campaign(status="shortlist", deadline_in=None)
    owner = make_user()
    proposal = make_proposal(owner, campaign, status="not_retained")
    db.session.add(
        Review(
            campaign_id=campaign.id,
            proposal_id=proposal.id,
            juror_id=make_user("jury@francetravail.fr").id,
            status="submitted",
            message_for_agent="Pas encore public",
        )
    )
    db.session.commit()
    page = client_for(app, owner).get("/mes-propositions").get_data(as_text=True)
    assert "Pas encore public" not in page
    assert "Non retenue" not in page and "En cours d’examen" in page


# ---------------------------------------------------------------- the service's predicates ----


def test_may_read_authors_organisers_and_assigned_jurors_without_conflict(app: Flask) -> None:
    campaign = make_campaign()
    owner = make_user()
    coauthor = make_user("lea.petit@francetravail.fr")
    organiser = make_user("orga@francetravail.fr")
    juror = make_user("jury@francetravail.fr")
    conflicted = make_user("jury2@francetravail.fr")
    unassigned = make_user("jury3@francetravail.fr")
    admin = make_user("admin@francetravail.fr", is_admin=True)
    stranger = make_user("paul@francetravail.fr")
    draft = make_proposal(owner, campaign, coauthors=(coauthor.email,))
    sent = make_proposal(owner, campaign, status="submitted", title="Envoyée")
    db.session.add_all(
        [
            Membership(
                campaign_id=campaign.id,
                email=organiser.email,
                user_id=organiser.id,
                role="organiser",
            ),
            *(
                Membership(campaign_id=campaign.id, email=u.email, user_id=u.id, role="juror")
                for u in (juror, conflicted, unassigned)
            ),
            *(
                ReviewAssignment(campaign_id=campaign.id, proposal_id=sent.id, juror_id=u.id)
                for u in (juror, conflicted)
            ),
            Conflict(campaign_id=campaign.id, juror_id=conflicted.id, proposal_id=sent.id),
        ]
    )
    db.session.commit()

    assert may_read(owner, draft) and may_read(coauthor, draft)
    for other in (organiser, juror, admin, stranger):
        assert not may_read(other, draft), "a draft is its authors' own"
    assert may_read(organiser, sent) and may_read(admin, sent)
    assert may_read(juror, sent)
    assert not may_read(conflicted, sent)
    assert not may_read(unassigned, sent)
    assert not may_read(stranger, sent)
    assert not may_read(None, sent)

    db.session.execute(
        ReviewAssignment.__table__.update()
        .where(ReviewAssignment.juror_id == juror.id)
        .values(state="removed")
    )
    db.session.commit()
    assert not may_read(juror, sent), "a removed assignment gives no access"


def test_a_conflict_on_the_administration_hides_the_proposal_from_the_juror(app: Flask) -> None:
    campaign = make_campaign()
    owner = make_user()
    juror = make_user("jury@francetravail.fr")
    sent = make_proposal(owner, campaign, status="submitted")
    db.session.add_all(
        [
            ReviewAssignment(campaign_id=campaign.id, proposal_id=sent.id, juror_id=juror.id),
            Conflict(
                campaign_id=campaign.id,
                juror_id=juror.id,
                administration="France Travail",
                source="administration",
            ),
        ]
    )
    db.session.commit()
    assert not may_read(juror, sent)


def test_visible_proposal_for_author_is_404_for_others(app: Flask) -> None:
    campaign = make_campaign()
    owner = make_user()
    proposal = make_proposal(owner, campaign)
    assert visible_proposal_for_author(proposal.id, owner).id == proposal.id
    with pytest.raises(NotFound) as raised:
        visible_proposal_for_author(proposal.id, make_user("x@francetravail.fr"))
    assert raised.value.status == 404
    with pytest.raises(NotFound):
        visible_proposal_for_author(123456, owner)


def test_authors_of_and_support_counts_answer_in_one_query(app: Flask) -> None:
    from tests.proposals.builders import count_queries

    campaign = make_campaign()
    owner = make_user()
    first = make_proposal(owner, campaign, status="submitted", coauthors=("b@francetravail.fr",))
    second = make_proposal(owner, campaign, status="submitted")
    first_id, second_id, owner_email = first.id, second.id, owner.email
    db.session.expire_all()
    with count_queries() as statements:
        authors = authors_of([first_id, second_id, 999])
        names = {
            pid: [(a.email, a.user.email if a.user else None) for a in rows]
            for pid, rows in authors.items()
        }
    assert len(statements) == 1
    assert names[first_id] == [(owner_email, owner_email), ("b@francetravail.fr", None)]
    assert names[second_id] == [(owner_email, owner_email)]
    assert names[999] == []
    with count_queries() as statements:
        assert support_counts([first_id, second_id]) == {first_id: 0, second_id: 0}
    assert len(statements) == 1
    assert authors_of([]) == {} and support_counts([]) == {}


def test_proposals_list_in_mes_propositions_only_for_their_authors(app: Flask) -> None:
    campaign = make_campaign()
    owner = make_user()
    make_proposal(owner, campaign, title="La mienne")
    make_proposal(make_user("autre@francetravail.fr"), campaign, title="Celle d’un autre")
    page = client_for(app, owner).get("/mes-propositions").get_data(as_text=True)
    assert "La mienne" in page and "Celle d’un autre" not in page
    assert db.session.scalar(select(Proposal.id).where(Proposal.title == "La mienne"))
