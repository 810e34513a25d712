"""In Chromium: a juror signs in and scores two proposals; the organiser ranks and shortlists."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from challenge.extensions import db
from challenge.proposals.models import Proposal
from tests.jury.builders import (
    add_review,
    add_role,
    assign,
    make_campaign,
    make_proposal,
    make_user,
    review_criteria,
)

pytestmark = pytest.mark.e2e


def seed(app) -> dict[str, object]:
    with app.app_context():
        campaign = make_campaign("pitch-2026", ends_in=timedelta(days=5), reviews_per_proposal=2)
        organiser = make_user("olivia.orga@francetravail.fr", "Olivia", "Orga", "France Travail")
        add_role(campaign, organiser, "organiser")
        juror = make_user("jules.jure@francetravail.fr", "Jules", "Juré", "Ministère des Armées")
        colleague = make_user("carla.col@francetravail.fr", "Carla", "Collègue", "Urssaf")
        agent = make_user("alice.agent@francetravail.fr", "Alice", "Agent", "France Travail")
        for person in (juror, colleague):
            add_role(campaign, person)
        titles = ["Simplifier les attestations", "Un guichet unique pour les aides", "Autre idée"]
        proposals = [
            make_proposal(campaign, agent, title, administration="Agence de Lyon")
            for title in titles
        ]
        criteria = review_criteria(campaign)
        for proposal in proposals[:2]:
            assign(campaign, proposal, juror)
        for proposal in proposals:
            assign(campaign, proposal, colleague)
            add_review(campaign, proposal, colleague, dict.fromkeys(criteria, 2))
        db.session.commit()
        data = {
            "campaign_id": campaign.id,
            "criteria": [(c.id, c.label) for c in criteria],
            "proposal_ids": [p.id for p in proposals],
            "titles": titles,
        }
        db.engine.dispose()
        return data


def choose(page, criterion_id: int, level: int) -> None:
    """Click the level's label, as a person does (the DSFR draws the radio button over it)."""
    page.locator(f"label[for='criterion-{criterion_id}-{level}']").click()
    expect(page.locator(f"#criterion-{criterion_id}-{level}")).to_be_checked()


def score(page, criteria, levels) -> None:
    for (criterion_id, _label), level in zip(criteria, levels, strict=True):
        choose(page, criterion_id, level)


def test_juror_scores_two_proposals_and_the_organiser_shortlists(
    live_server, browser_page, browser_sign_in, chromium, axe
) -> None:
    data = seed(live_server.app)
    page = browser_page
    criteria = data["criteria"]
    first, second, _third = data["titles"]

    browser_sign_in(page, "jules.jure@francetravail.fr")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Espace juré"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Espace juré")
    expect(page.get_by_text("Avancement : 0 évaluation(s) envoyée(s) sur 2")).to_be_visible()
    expect(page.get_by_text("Autre idée")).to_have_count(0)  # not assigned to this juror
    assert axe(page) == [], "workspace: serious or critical axe-core violations (printed above)"

    page.get_by_role("link", name=f"Évaluer — {first}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first)
    expect(page.get_by_text("Impact niveau 4")).to_be_visible()  # the level descriptions
    assert axe(page) == [], "review page: serious or critical axe-core violations (printed above)"

    # Submitting with a criterion missing: refused, the message is beside the criterion.
    choose(page, criteria[0][0], 4)
    page.get_by_role("button", name="Envoyer l’évaluation").click()
    expect(page.get_by_text("Choisissez une note pour ce critère.")).to_be_visible()

    score(page, criteria, [4, 3])
    page.get_by_label("Commentaire pour le jury").fill("Un vrai irritant, bien documenté.")
    page.get_by_role("button", name="Envoyer et passer à la suivante").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(second)
    expect(page.get_by_text("Évaluation envoyée.")).to_be_visible()

    score(page, criteria, [1, 2])
    page.get_by_role("button", name="Envoyer l’évaluation").click()
    expect(page.get_by_text("Évaluation envoyée.")).to_be_visible()
    # after_own: once submitted, the colleague's scores appear.
    expect(page.get_by_role("heading", name=re.compile("Carla Collègue"))).to_be_visible()

    page.goto(live_server.url + "/jury")
    expect(page.get_by_text("Avancement : 2 évaluation(s) envoyée(s) sur 2")).to_be_visible()
    page.get_by_role("link", name=re.compile("Déclarer un conflit d’intérêts")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes conflits d’intérêts")
    assert axe(page) == [], "conflicts page: axe-core violations (printed above)"

    # The organiser, in another browser context.
    context = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(15_000)
    organiser = context.new_page()
    try:
        browser_sign_in(organiser, "olivia.orga@francetravail.fr")
        organiser.goto(
            f"{live_server.url}/organisation/campagnes/{data['campaign_id']}/affectations"
        )
        expect(organiser.get_by_role("heading", level=1)).to_have_text(
            "Affectation des évaluations"
        )
        assert axe(organiser) == [], "assignment page: axe-core violations (printed above)"
        organiser.goto(f"{live_server.url}/organisation/campagnes/{data['campaign_id']}/classement")
        expect(organiser.get_by_role("heading", level=1)).to_have_text(
            "Classement des propositions"
        )
        rows = organiser.locator("#ranking-table tbody tr")
        expect(rows).to_have_count(3)
        expect(rows.nth(0)).to_contain_text(first)  # (4*2 + 3) / 3 = 3.67 and 2: mean 2.83
        expect(rows.nth(0)).to_contain_text("2,83")
        assert axe(organiser) == [], "ranking page: axe-core violations (printed above)"
        organiser.get_by_role("button", name=re.compile("Comment lire ce classement")).click()
        expect(organiser.get_by_text("La note normalisée corrige")).to_be_visible()
        organiser.get_by_label("Classer selon").select_option("normalisee")
        organiser.get_by_role("button", name="Appliquer").click()
        expect(organiser.get_by_role("table")).to_contain_text("note normalisée")

        organiser.get_by_role("link", name="Préparer la présélection pour les pitchs").click()
        expect(organiser.get_by_role("heading", level=1)).to_have_text(
            "Présélection pour les pitchs"
        )
        checkbox = organiser.get_by_label(f"Choisir « {first} »")
        checkbox.focus()
        organiser.keyboard.press("Space")  # with the keyboard
        expect(checkbox).to_be_checked()
        organiser.get_by_label(f"Note pour « {first} »").fill("Le jury est unanime")
        organiser.get_by_role("button", name="Retenir les propositions cochées").click()
        expect(
            organiser.get_by_text("1 proposition(s) retenue(s) pour les pitchs.")
        ).to_be_visible()
        expect(organiser.get_by_text("Retenue", exact=True)).to_be_visible()
        assert axe(organiser) == [], "shortlist page: axe-core violations (printed above)"
    finally:
        context.close()

    with live_server.app.app_context():
        statuses = dict(
            db.session.execute(
                select(Proposal.title, Proposal.status).where(Proposal.id.in_(data["proposal_ids"]))
            ).all()
        )
        db.session.remove()
    assert statuses == {first: "shortlisted", second: "submitted", "Autre idée": "submitted"}
