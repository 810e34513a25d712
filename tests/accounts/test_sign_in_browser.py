"""Sign-in in Chromium, through the development mailbox that a real worker fills."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.worker]


def test_sign_in_through_the_dev_mailbox(live_server, browser_page, axe, start_worker) -> None:
    # The worker of the embedded default: same instance folder, mail written to instance/mail.
    worker = start_worker(live_server.env)
    page = browser_page

    page.goto(live_server.url + "/")
    page.get_by_role("banner").get_by_role("link", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    assert axe(page) == [], "sign-in page: serious or critical axe-core violations (printed above)"

    email = page.get_by_label("Adresse électronique professionnelle")
    # An address outside the administrations: the message is shown beside the field.
    email.fill("marie.curie@gmail.com")
    page.get_by_role("button", name="Recevoir un lien de connexion").click()
    error = page.locator("#email-error")
    expect(error).to_contain_text("n’appartient pas à une administration participante")
    expect(email).to_have_attribute("aria-invalid", "true")
    assert axe(page) == [], "sign-in page with an error: axe-core violations (printed above)"

    email.fill("marie.curie@francetravail.fr")
    page.get_by_role("button", name="Recevoir un lien de connexion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
    expect(page.get_by_text("marie.curie@francetravail.fr")).to_be_visible()

    page.get_by_role("link", name="Ouvrir la boîte de réception de démonstration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Boîte de réception de démonstration")
    message = page.get_by_role("link", name="Votre lien de connexion")

    def arrived() -> bool:
        if message.count():
            return True
        page.reload()  # the page says: reload to see new mail
        return message.count() > 0

    try:
        wait_until(arrived, timeout=30, interval=0.3, message="the worker delivered no e-mail")
    except AssertionError:
        print(worker.output())
        raise
    expect(page.get_by_role("row").filter(has=message)).to_contain_text(
        "marie.curie@francetravail.fr"
    )
    message.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre lien de connexion")

    link = page.get_by_test_id("mail-text").get_by_role("link")
    expect(link).to_have_count(1)
    href = link.get_attribute("href")
    assert re.fullmatch(re.escape(live_server.url) + r"/connexion/lien/[\w-]{40,}", href), href
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer la connexion")
    expect(page.get_by_text("Vous allez vous connecter avec l’adresse")).to_contain_text(
        "marie.curie@francetravail.fr"
    )
    page.get_by_role("button", name="Me connecter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mon profil")
    expect(
        page.get_by_text("Bienvenue ! Présentez-vous en quelques mots pour commencer.")
    ).to_be_visible()
    assert axe(page) == [], "profile page: serious or critical axe-core violations (printed above)"

    page.get_by_role("textbox", name="Prénom", exact=True).fill("Marie")
    page.get_by_role("textbox", name="Nom", exact=True).fill("Curie")
    page.get_by_label("Administration").fill("France Travail")
    page.get_by_label("Service ou direction").fill("Agence de Lyon Part-Dieu")
    page.get_by_label("Région").select_option("Auvergne-Rhône-Alpes")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_text("Votre profil est enregistré.")).to_be_visible()
    header = page.get_by_role("banner")
    expect(header.get_by_role("link", name="Marie Curie")).to_be_visible()
    expect(header.get_by_role("button", name="Se déconnecter")).to_be_visible()
    expect(header.get_by_role("link", name="Se connecter")).to_have_count(0)
    assert axe(page) == [], "home page signed in: axe-core violations (printed above)"

    # The link has been used: opening it again from the mailbox says so.
    page.goto(live_server.url + "/dev/mail")
    page.get_by_role("link", name="Votre lien de connexion").first.click()
    page.get_by_test_id("mail-text").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ce lien de connexion ne fonctionne plus"
    )
    expect(page.get_by_text("Ce lien a déjà été utilisé")).to_be_visible()
