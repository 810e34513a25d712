"""In Chromium: an agent signs in by the e-mail link, drafts a proposal, adds a co-author and a
file, submits it, receives the receipt on the loopback SMTP server, edits it and withdraws it."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage

import pytest
from playwright.sync_api import expect

from challenge.accounts.models import User
from challenge.campaigns.models import Campaign, ProposalQuestion
from challenge.extensions import db
from challenge.timeutils import utcnow
from tests.conftest import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.worker]

AGENT = "alice.agent@francetravail.fr"
COAUTHOR = "bruno.coauteur@francetravail.fr"
SLUG = "appel-2026"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def seed(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        campaign = Campaign(
            slug=SLUG,
            title="Y a-t-il un intrapreneur parmi nous ? 2026",
            administration="France Travail",
            status="open",
            allowed_domains="francetravail.fr",
            opens_at=utcnow() - timedelta(days=1),
            deadline_at=utcnow() + timedelta(days=10),
        )
        campaign.questions.append(
            ProposalQuestion(label="Avez-vous déjà un sponsor ?", kind="yes_no", required=True)
        )
        db.session.add(campaign)
        db.session.add(
            User(
                email=AGENT,
                first_name="Alice",
                last_name="Agent",
                administration="France Travail",
                service="Agence de Lyon Part-Dieu",
                region="Auvergne-Rhône-Alpes",
            )
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content().replace("\r\n", "\n") if part is not None else ""


def wait_for_mail(smtp_server, worker, to: str, subject: str) -> EmailMessage:  # type: ignore[no-untyped-def]
    found: list[EmailMessage] = []

    def arrived() -> bool:
        found[:] = [m for m in smtp_server.to(to) if subject in str(m["Subject"])]
        return bool(found)

    try:
        wait_until(arrived, timeout=40, interval=0.2, message=f"no e-mail '{subject}' to {to}")
    except AssertionError:
        print(worker.output())
        raise
    return found[-1]


def test_an_agent_drafts_submits_edits_and_withdraws_a_proposal(
    live_server,
    browser_page,
    axe,
    smtp_server,
    start_worker,  # type: ignore[no-untyped-def]
) -> None:
    seed(live_server.app)
    live_server.app.config["MAX_CONTENT_LENGTH"] = 50_000
    worker = start_worker({**live_server.env, "SMTP_URL": smtp_server.url})
    page = browser_page

    # Signing in: the form asks for a sign-in first, and comes back after it.
    page.goto(f"{live_server.url}/campagnes/{SLUG}/proposer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    page.get_by_label("Adresse électronique professionnelle").fill(AGENT)
    page.get_by_role("button", name="Recevoir un lien de connexion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
    mail = wait_for_mail(smtp_server, worker, AGENT, "Votre lien de connexion")
    link = re.search(r"https?://\S+/connexion/lien/\S+", body(mail)).group(0)
    page.goto(link)
    page.get_by_role("button", name="Me connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposer une idée")
    expect(page.get_by_role("textbox", name="Votre administration")).to_have_value("France Travail")
    assert axe(page) == [], "proposal form: serious or critical axe-core violations (printed above)"

    # Drafting: a counter follows the typing, a draft is saved incomplete.
    page.get_by_label("Titre de votre proposition").fill(
        "Les entreprises qui recrutent, près de chez soi"
    )
    irritant = page.get_by_label("L’irritant : quel problème voulez-vous résoudre ?")
    irritant.fill("Chaque semaine, un rendez-vous sur trois porte sur la même question.")
    expect(page.locator("#irritant-counter")).to_contain_text("68 / 4000")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Brouillon enregistré.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modifier ma proposition")
    edit_url = page.url

    # A co-author, invited by e-mail.
    page.get_by_label("Adresse électronique professionnelle du co-auteur").fill(COAUTHOR)
    page.get_by_role("button", name="Inviter").click()
    expect(page.get_by_text(f"Invitation envoyée à {COAUTHOR}.")).to_be_visible()
    expect(page.get_by_test_id("authors")).to_contain_text(COAUTHOR)
    invitation = wait_for_mail(smtp_server, worker, COAUTHOR, "vous invite à co-écrire")
    assert "Les entreprises qui recrutent" in body(invitation)

    # A file: the size is checked in the page before sending; unsaved text is saved first.
    upload = page.get_by_label("Ajouter un fichier")
    upload.set_input_files(
        {"name": "trop-gros.pdf", "mimeType": "application/pdf", "buffer": PDF + b"0" * 60_000}
    )
    expect(page.locator("#file-error")).to_contain_text("choisissez un fichier plus léger")
    page.get_by_role("button", name="Ajouter le fichier").click()
    expect(page.locator("#file-error")).to_be_visible()  # still here: nothing was sent
    page.get_by_label("Comment fait-on aujourd’hui ?").fill("Un tableur partagé, jamais à jour.")
    upload.set_input_files({"name": "étude.pdf", "mimeType": "application/pdf", "buffer": PDF})
    expect(page.locator("#file-error")).to_be_hidden()
    page.get_by_role("button", name="Ajouter le fichier").click()
    expect(page.get_by_text("Fichier ajouté : étude.pdf.")).to_be_visible()
    expect(page.get_by_label("Comment fait-on aujourd’hui ?")).to_have_value(
        "Un tableur partagé, jamais à jour."
    )

    # Submitting with a field missing: the error is beside it, the draft kept.
    page.get_by_label("Votre idée de solution").fill("Prédire les recrutements à partir des DPAE.")
    page.get_by_label("L’impact attendu et comment le mesurer").fill(
        "Le taux de retour à l’emploi."
    )
    page.get_by_label("Si ma proposition est retenue").check(force=True)
    page.get_by_label("J’ai informé mon ou ma responsable").check(force=True)
    page.get_by_role("button", name="Envoyer ma proposition").click()
    expect(page.get_by_test_id("error-summary")).to_contain_text("1 point à corriger")
    expect(page.get_by_text("Répondez à cette question.")).to_be_visible()
    page.get_by_text("Oui", exact=True).click()
    page.get_by_role("button", name="Envoyer ma proposition").click()
    expect(page.get_by_text("Votre proposition est envoyée.")).to_be_visible()
    expect(page.get_by_test_id("status-badge")).to_have_text("Envoyée")

    receipt = wait_for_mail(smtp_server, worker, AGENT, "est bien envoyée")
    text = body(receipt)
    assert "Chaque semaine, un rendez-vous sur trois" in text
    assert "Prédire les recrutements à partir des DPAE." in text
    assert "étude.pdf" in text and COAUTHOR in text
    assert "Avez-vous déjà un sponsor ?\nOui" in text
    assert wait_for_mail(smtp_server, worker, COAUTHOR, "est bien envoyée")

    # Editing after submission, until the deadline; the change is in the history.
    page.get_by_role("link", name="Modifier").click()
    expect(page).to_have_url(edit_url)
    page.get_by_label("Votre idée de solution").fill("Prédire les recrutements, agence par agence.")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_text("Vos modifications sont enregistrées.")).to_be_visible()
    expect(page.locator('[data-field="solution"]')).to_have_text(
        "Prédire les recrutements, agence par agence."
    )
    page.get_by_role("link", name="Historique").click()
    expect(page.get_by_test_id("history")).to_contain_text("Modification après envoi")
    page.get_by_role("link", name="Retour à la proposition").click()

    # Withdrawing, with a confirmation.
    page.get_by_role("link", name="Retirer ma proposition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retirer ma proposition ?")
    page.get_by_role("button", name="Oui, retirer ma proposition").click()
    expect(page.get_by_text("Votre proposition est retirée")).to_be_visible()
    expect(page.get_by_test_id("status-badge")).to_have_text("Retirée")
    expect(page.get_by_role("button", name="Envoyer de nouveau")).to_be_visible()

    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Mes propositions"
    ).click()
    expect(page.get_by_test_id("my-proposals")).to_contain_text(
        "Les entreprises qui recrutent, près de chez soi"
    )
    expect(page.get_by_test_id("status-badge")).to_have_text("Retirée")
    assert axe(page) == [], "Mes propositions: serious or critical axe-core violations"


def test_moi_aussi_and_a_conflict_between_two_tabs(  # type: ignore[no-untyped-def]
    live_server, browser_page, browser_sign_in, axe
) -> None:
    from challenge.proposals.models import Proposal, ProposalAuthor

    seed(live_server.app)
    with live_server.app.app_context():
        colleague = User(
            email="claire.collegue@francetravail.fr",
            first_name="Claire",
            last_name="Collègue",
            administration="France Travail",
        )
        db.session.add(colleague)
        db.session.flush()
        campaign = db.session.query(Campaign).one()
        for title, status in (
            ("Les courriers reviennent sans cesse", "submitted"),
            ("Un brouillon de Claire", "draft"),
        ):
            proposal = Proposal(
                campaign_id=campaign.id,
                submitter_id=colleague.id,
                status=status,
                title=title,
                irritant="30 % des courriers reviennent NPAI.",
                answers={},
            )
            proposal.authors.append(
                ProposalAuthor(email=colleague.email, user_id=colleague.id, role="submitter")
            )
            db.session.add(proposal)
        db.session.commit()
        db.session.remove()
    page = browser_page
    browser_sign_in(page, AGENT)

    page.goto(f"{live_server.url}/campagnes/{SLUG}/moi-aussi")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Moi aussi")
    expect(page.get_by_test_id("irritants")).to_contain_text("Les courriers reviennent sans cesse")
    expect(page.get_by_test_id("irritants")).not_to_contain_text("Un brouillon de Claire")
    assert axe(page) == [], "Moi aussi: serious or critical axe-core violations (printed above)"
    page.get_by_label("Rechercher un irritant").fill("npai")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_test_id("irritant-count")).to_contain_text("1 irritant correspond")
    page.get_by_role("link", name="Les courriers reviennent sans cesse").click()
    page.get_by_label("Votre témoignage").fill("À Lyon aussi, une dizaine par jour.")
    page.get_by_role("button", name="Moi aussi, je vis cet irritant").click()
    expect(page.get_by_text("votre soutien est enregistré")).to_be_visible()
    expect(page.get_by_test_id("irritants")).to_contain_text("Vous soutenez cet irritant")

    # Two tabs on one draft: the second save shows what the first changed, and keeps its text.
    page.goto(f"{live_server.url}/campagnes/{SLUG}/proposer")
    page.get_by_label("Titre de votre proposition").fill("Premier titre")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Brouillon enregistré.")).to_be_visible()
    other_tab = page.context.new_page()
    other_tab.goto(page.url)
    other_tab.get_by_label("Titre de votre proposition").fill("Titre de l’autre onglet")
    other_tab.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(other_tab.get_by_text("Brouillon enregistré.")).to_be_visible()
    other_tab.close()

    page.get_by_label("Votre idée de solution").fill("Mon texte, à ne pas perdre.")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    conflict = page.get_by_test_id("conflict")
    expect(conflict).to_contain_text("pendant que vous écriviez")
    expect(page.get_by_test_id("conflict-changes")).to_contain_text("Titre de l’autre onglet")
    expect(page.get_by_label("Votre idée de solution")).to_have_value("Mon texte, à ne pas perdre.")
    assert axe(page) == [], "conflict page: serious or critical axe-core violations (printed above)"
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Brouillon enregistré.")).to_be_visible()
    expect(page.get_by_label("Votre idée de solution")).to_have_value("Mon texte, à ne pas perdre.")
