"""Who may see and do what: an organiser of one campaign, a juror or an agent get nothing of
another campaign's organiser pages and actions; nothing they send changes anything."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from challenge.accounts.models import Membership, Role, User
from challenge.campaigns.models import Campaign
from challenge.extensions import db
from tests.campaigns.builders import (
    add_member,
    login,
    make_campaign,
    make_user,
    post,
    snapshot,
)

PAGES = (
    "",
    "/parametres",
    "/questions",
    "/grilles/review",
    "/grilles/pitch",
    "/jury",
    "/journal",
    "/journal?action=campaign.created&page=2",
)


def actions(campaign: Campaign, juror_membership: Membership, organiser_membership: Membership):
    return (
        ("/parametres", {"version": campaign.version, "title": "Volé"}),
        (
            "/questions",
            {
                "version": campaign.version,
                "action": "save",
                "questions-0-label": "Q",
                "questions-0-kind": "yes_no",
            },
        ),
        (
            "/grilles/review",
            {
                "version": campaign.version,
                "action": "save",
                "scale_min": 0,
                "scale_max": 4,
                "criteria-0-label": "X",
                "criteria-0-weight": "1",
            },
        ),
        (
            "/jury",
            {"version": campaign.version, "reviews_per_proposal": 2, "scores_visibility": "always"},
        ),
        ("/jury/invitations", {"jury-emails": "intrus@x.fr"}),
        (f"/jury/{juror_membership.id}/retirer", {}),
        ("/organisateurs", {"org-emails": "intrus@x.fr"}),
        (f"/organisateurs/{organiser_membership.id}/retirer", {}),
        ("/etape", {"source": "draft", "target": "open"}),
    )


@pytest.fixture
def world(app: Flask) -> dict[str, object]:
    campaign = make_campaign("Campagne A")
    other = make_campaign("Campagne B")
    organiser = make_user("orga.a@francetravail.fr")
    organiser_membership = add_member(campaign, organiser, Role.ORGANISER)
    other_organiser = make_user("orga.b@francetravail.fr")
    add_member(other, other_organiser, Role.ORGANISER)
    juror = make_user("jure@beta.gouv.fr")
    juror_membership = add_member(campaign, juror, Role.JUROR)
    agent = make_user("agent@francetravail.fr")
    return {
        "campaign": campaign,
        "organiser": organiser,
        "intruders": {"other organiser": other_organiser, "juror": juror, "agent": agent},
        "juror_membership": juror_membership,
        "organiser_membership": organiser_membership,
    }


def base(campaign: Campaign) -> str:
    return f"/organisation/campagnes/{campaign.id}"


@pytest.mark.parametrize("who", ["other organiser", "juror", "agent"])
def test_no_organiser_page_of_another_campaign_is_shown(client: FlaskClient, world: dict, who: str):
    login(client, world["intruders"][who])
    campaign = world["campaign"]
    for page in PAGES:
        response = client.get(base(campaign) + page)
        assert response.status_code in (403, 404), (who, page, response.status_code)
        assert campaign.title not in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["other organiser", "juror", "agent"])
def test_no_organiser_action_on_another_campaign_is_done(
    client: FlaskClient, world: dict, who: str
):
    login(client, world["intruders"][who])
    campaign = world["campaign"]
    before = snapshot()
    for path, data in actions(campaign, world["juror_membership"], world["organiser_membership"]):
        response = post(client, base(campaign) + path, data)
        assert response.status_code in (403, 404), (who, path, response.status_code)
    assert snapshot() == before


@pytest.mark.parametrize("who", ["juror", "agent"])
def test_jurors_and_agents_have_no_organiser_space(client: FlaskClient, world: dict, who: str):
    login(client, world["intruders"][who])
    assert client.get("/organisation").status_code == 403
    assert client.get("/organisation/campagnes/nouvelle").status_code == 403
    before = snapshot()
    assert post(client, "/organisation/campagnes/nouvelle", {"title": "X"}).status_code == 403
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, world: dict):
    campaign = world["campaign"]
    for page in (
        "/organisation",
        "/organisation/campagnes/nouvelle",
        *(base(campaign) + p for p in PAGES),
    ):
        response = client.get(page)
        assert response.status_code == 302 and "/connexion" in response.headers["Location"], page
    before = snapshot()
    for path, data in actions(campaign, world["juror_membership"], world["organiser_membership"]):
        response = post(client, base(campaign) + path, data)
        assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    assert snapshot() == before


def test_the_organiser_sees_every_page_of_their_campaign(client: FlaskClient, world: dict):
    login(client, world["organiser"])
    for page in PAGES:
        assert client.get(base(world["campaign"]) + page).status_code == 200, page


def test_unknown_or_malformed_ids_are_not_found(client: FlaskClient, world: dict):
    login(client, world["organiser"])
    for page in (
        "/organisation/campagnes/999999",
        "/organisation/campagnes/abc/jury",
        "/organisation/campagnes/-1",
    ):
        assert client.get(page).status_code == 404, page
    membership_of_b = db.session.scalar(
        db.select(Membership).where(Membership.email == "orga.b@francetravail.fr")
    )
    before = snapshot()
    # A membership of campaign B, reached through campaign A's page: not found.
    response = post(
        client, base(world["campaign"]) + f"/organisateurs/{membership_of_b.id}/retirer"
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_posts_without_csrf_token_are_refused(client: FlaskClient, world: dict):
    login(client, world["organiser"])
    before = snapshot()
    response = client.post(
        base(world["campaign"]) + "/etape", data={"source": "draft", "target": "open"}
    )
    assert response.status_code == 400
    assert snapshot() == before


def test_admins_organise_every_campaign(client: FlaskClient, world: dict):
    admin: User = make_user("admin@demo.gouv.fr", admin=True)
    login(client, admin)
    for page in PAGES:
        assert client.get(base(world["campaign"]) + page).status_code == 200, page
