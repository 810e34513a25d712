"""In Chromium: an organiser configures a campaign, opens it, and the call is public."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from challenge.accounts.models import Role
from challenge.campaigns.models import Campaign
from challenge.extensions import db
from challenge.timeutils import utc_to_paris, utcnow
from tests.campaigns.builders import add_member, make_campaign, make_user

pytestmark = pytest.mark.e2e


def test_an_organiser_configures_a_campaign_and_opens_it(
    live_server, browser_page, browser_sign_in, axe
):
    page = browser_page
    with live_server.app.app_context():
        campaign = make_campaign("Appel de la DINUM", ready=False)
        organiser = make_user("olivia.orga@francetravail.fr", first_name="Olivia")
        add_member(campaign, organiser, Role.ORGANISER)
        campaign_id, slug = campaign.id, campaign.slug
        db.session.remove()
        db.engine.dispose()

    browser_sign_in(page, "olivia.orga@francetravail.fr")
    page.get_by_role("link", name="Organiser").first.click()
    page.get_by_role("link", name="Appel de la DINUM").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appel de la DINUM")
    # Not ready: the dashboard says what is missing and the button is disabled.
    expect(page.get_by_text("Fixez la date limite de dépôt.").first).to_be_visible()
    expect(page.get_by_role("button", name="Ouvrir la campagne")).to_be_disabled()
    assert axe(page) == []

    page.get_by_role("link", name="Paramètres").click()
    page.get_by_label("Texte de l’appel").fill(
        "## Votre idée\n\nUn **irritant** à résoudre ? <script>alert(1)</script>"
    )
    page.get_by_label("Domaines de messagerie autorisés à proposer").fill("pas un domaine")
    deadline = (utc_to_paris(utcnow()) + timedelta(days=30)).replace(hour=18, minute=0)
    page.get_by_label("Date limite de dépôt").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Enregistrer les paramètres").click()
    # A bad domain: the message sits beside the field, nothing is saved.
    expect(page.locator("#allowed_domains-error")).to_contain_text("« pas »")
    assert axe(page) == []
    page.get_by_label("Domaines de messagerie autorisés à proposer").fill("dinum.gouv.fr")
    page.get_by_role("button", name="Enregistrer les paramètres").click()
    expect(page.get_by_text("Les paramètres sont enregistrés.")).to_be_visible()

    page.get_by_role("link", name="Grille de l’évaluation écrite").click()
    expect(page.get_by_label("Intitulé du critère").first).to_have_value("Ampleur de l’irritant")
    assert axe(page) == []

    page.get_by_role("link", name="Tableau de bord").click()
    page.get_by_role("button", name="Ouvrir la campagne").click()
    expect(page.get_by_text("La campagne est passée à l’étape « Ouvert ».")).to_be_visible()
    expect(page.get_by_test_id("next-step")).to_contain_text(deadline.strftime("%H:%M"))

    page.get_by_role("link", name="Journal des modifications").click()
    expect(page.get_by_test_id("audit-events")).to_contain_text("Changement d’étape")
    expect(page.get_by_test_id("audit-events")).to_contain_text("Paramètres modifiés")
    assert axe(page) == []

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Appel de la DINUM").click()
    expect(page).to_have_url(live_server.url + f"/campagnes/{slug}")
    expect(page.get_by_role("heading", name="Votre idée", level=2)).to_be_visible()
    expect(page.get_by_test_id("call-text")).to_contain_text("<script>alert(1)</script>")
    expect(page.get_by_test_id("domains")).to_contain_text("@dinum.gouv.fr")
    assert axe(page) == []

    with live_server.app.app_context():
        assert db.session.get(Campaign, campaign_id).status == "open"
        db.session.remove()
