"""The application factory in both configurations, and the public pages a person sees."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from challenge import create_app
from challenge.campaigns.models import Campaign, CampaignStatus
from challenge.config import build_config
from challenge.extensions import db
from challenge.notifications import service as outbox
from challenge.notifications.models import MessageStatus, OutboxMessage
from challenge.timeutils import utcnow
from tests.conftest import csrf_token_in


@pytest.fixture
def client(isolated_client: FlaskClient) -> FlaskClient:
    """Each request in its own application context, as in production (see conftest)."""
    return isolated_client


def text(response) -> str:
    """The page as a person reads it: entities decoded."""
    return html.unescape(response.get_data(as_text=True))


def assert_dsfr_page(page: str, lang: str = "fr") -> None:
    assert f'<html lang="{lang}" data-fr-scheme="system">' in page
    assert '<header role="banner" class="fr-header">' in page
    assert '<p class="fr-logo">République<br>Française</p>' in page
    assert 'class="fr-footer"' in page
    assert "dsfr.min.css" in page


def title(page: str) -> str:
    match = re.search(r"<title>(.*?)</title>", page, re.S)
    assert match, "no <title>"
    return " ".join(match.group(1).split())


# ---------------------------------------------------------------- configurations ------------


def test_embedded_default_app(app: Flask, client: FlaskClient, instance: Path) -> None:
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert db.engine.url.database == str(instance / "challenge.sqlite3")
    celery = app.extensions["celery"]
    assert celery.conf.broker_url == "filesystem://localhost/"
    assert celery.conf.result_backend == f"file://{instance / 'results'}"
    assert app.config["SMTP_URL"] is None
    assert app.config["DEV_MAIL_VIEWER"] is True

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}

    # The session cookie: HttpOnly and SameSite=Lax, and not Secure (served over plain HTTP).
    response = switch_language(client, "en")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


@pytest.fixture
def production_app(
    instance: Path, pg_migrated: str, redis_url: str, celery_queue: str
) -> Iterator[Flask]:
    env = {
        "CHALLENGE_ENV": "production",
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": pg_migrated,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_QUEUE": celery_queue,
        "SMTP_URL": "smtp://127.0.0.1:2525",
        "SECRET_KEY": "production-secret-for-tests",
        "PUBLIC_URL": "https://intrapreneurs.example.gouv.fr",
    }
    application = create_app(build_config(env))
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.mark.postgres
@pytest.mark.redis
def test_production_app(production_app: Flask, pg_migrated: str, redis_url: str) -> None:
    app = production_app
    assert app.config["ENV_NAME"] == "production"
    assert app.config["TESTING"] is False
    assert app.config["SECRET_KEY"] == "production-secret-for-tests"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == pg_migrated
    assert app.extensions["celery"].conf.broker_url == redis_url
    assert app.extensions["celery"].conf.result_backend == redis_url
    assert app.config["SMTP_URL"] == "smtp://127.0.0.1:2525"
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"

    client = app.test_client()
    site = "https://intrapreneurs.example.gouv.fr"
    response = client.get(f"{site}/healthz")
    assert response.status_code == 200, "the PostgreSQL database answers"
    assert response.get_json() == {"status": "ok"}

    home = client.get(f"{site}/")
    assert home.status_code == 200
    assert_dsfr_page(text(home))

    # No development mailbox in production.
    response = client.get(f"{site}/dev/mail")
    assert response.status_code == 404
    assert_dsfr_page(text(response))

    # The session cookie is Secure, HttpOnly and SameSite=Lax.
    token = csrf_token_in(home.get_data(as_text=True))
    response = client.post(
        f"{site}/langue",
        data={"csrf_token": token, "lang": "en", "next": "/"},
        headers={"Referer": f"{site}/"},
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert flag in cookie


# ---------------------------------------------------------------- home -----------------------


def test_home_in_french_by_default(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = text(response)
    assert_dsfr_page(page, "fr")
    assert title(page) == "Accueil — Y a-t-il un intrapreneur parmi nous ?"
    assert '<p class="fr-header__service-title">Y a-t-il un intrapreneur parmi nous ?</p>' in page
    assert '<a class="fr-link" href="#contenu">Contenu</a>' in page
    assert '<main id="contenu"' in page
    # Footer: the mandatory links, and the accessibility conformity status.
    assert (
        '<a class="fr-footer__bottom-link" href="/accessibilite">Accessibilité : non conforme</a>'
        in page
    )
    assert '<a class="fr-footer__bottom-link" href="/mentions-legales">Mentions légales</a>' in page
    assert (
        '<a class="fr-footer__bottom-link" href="/donnees-personnelles">Données personnelles</a>'
        in page
    )
    assert '<a class="fr-footer__bottom-link" href="/cookies">Gestion des cookies</a>' in page
    assert '<a class="fr-footer__bottom-link" href="/plan-du-site">Plan du site</a>' in page
    # Anonymous: a way to sign in and to switch to English.
    assert 'href="/connexion">Se connecter</a>' in page
    assert "EN — English" in page


def test_home_without_campaign_says_so(client: FlaskClient) -> None:
    page = text(client.get("/"))
    assert 'data-testid="empty-campaigns"' in page
    assert "Aucun appel n’est ouvert pour le moment" in page


def test_home_lists_public_campaigns_only(client: FlaskClient) -> None:
    now = utcnow()
    db.session.add_all(
        [
            Campaign(
                slug="ft-2026",
                title="Appel France Travail 2026",
                administration="France Travail",
                status=CampaignStatus.OPEN.value,
                deadline_at=now + timedelta(days=10),
            ),
            Campaign(slug="brouillon", title="Appel encore en brouillon", status="draft"),
            Campaign(slug="ancien", title="Appel archivé", status="archived"),
            Campaign(slug="jury", title="Appel en évaluation", status="review"),
        ]
    )
    db.session.commit()

    page = text(client.get("/"))
    assert "Aucun appel n’est ouvert pour le moment" not in page
    assert "Appel France Travail 2026" in page
    assert "Appel en évaluation" in page
    assert "Évaluation en cours" in page
    assert "Dépôt jusqu’au" in page
    assert "Appel encore en brouillon" not in page
    assert "Appel archivé" not in page
    assert page.index("Appel France Travail 2026") < page.index("Appel en évaluation"), (
        "open campaigns come first"
    )


def switch_language(client: FlaskClient, lang: str, next_url: str = "/"):
    home = client.get("/")
    token = csrf_token_in(home.get_data(as_text=True))
    return client.post("/langue", data={"csrf_token": token, "lang": lang, "next": next_url})


def test_language_switch_to_english_and_back(client: FlaskClient) -> None:
    response = switch_language(client, "en", "/mentions-legales")
    assert response.status_code == 302
    assert response.headers["Location"] == "/mentions-legales"

    page = text(client.get("/"))
    assert_dsfr_page(page, "en")
    assert "FR — Français" in page, "the switch now offers French"
    page = text(client.get("/mentions-legales"))
    assert "<h1>Legal notice</h1>" in page, "the choice is kept for the next pages"

    switch_language(client, "fr")
    assert_dsfr_page(text(client.get("/")), "fr")


def test_language_switch_ignores_unknown_languages_and_foreign_next(client: FlaskClient) -> None:
    response = switch_language(client, "de", "https://evil.example/phishing")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert_dsfr_page(text(client.get("/")), "fr")


def test_english_by_query_string(client: FlaskClient) -> None:
    page = text(client.get("/?lang=en"))
    assert_dsfr_page(page, "en")
    assert "FR — Français" in page
    assert_dsfr_page(text(client.get("/?lang=xx")), "fr")


def test_home_interface_is_translated_to_english(client: FlaskClient) -> None:
    page = text(client.get("/?lang=en"))
    assert "Aucun appel n’est ouvert pour le moment" not in page
    assert "Mentions légales" not in page
    assert "Se connecter" not in page
    assert "Sign in" in page and "Legal notice" in page


# ---------------------------------------------------------------- legal pages ----------------

LEGAL_PAGES = {
    "/accessibilite": ("Déclaration d'accessibilité", "Accessibility statement"),
    "/mentions-legales": ("Mentions légales", "Legal notice"),
    "/donnees-personnelles": ("Données personnelles", "Personal data"),
    "/cookies": ("Gestion des cookies", "Cookie management"),
}
LEGAL_CONTENT = {
    "/accessibilite": (
        "est <strong>non conforme</strong> avec le RGAA version 4.1.2",
        "is <strong>not compliant</strong>",
    ),
    "/mentions-legales": ("Directeur de la publication", "Publication director"),
    "/donnees-personnelles": ("Vos droits", "Your rights"),
    "/cookies": ("Un seul cookie, strictement nécessaire", "A single, strictly necessary cookie"),
}


@pytest.mark.parametrize("path", LEGAL_PAGES)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_legal_pages(app: Flask, client: FlaskClient, path: str, lang: str) -> None:
    response = client.get(path if lang == "fr" else f"{path}?lang={lang}")
    assert response.status_code == 200
    page = text(response)
    assert_dsfr_page(page, lang)
    heading = LEGAL_PAGES[path][0 if lang == "fr" else 1]
    assert f"<h1>{heading}</h1>" in page
    assert title(page).startswith(heading)
    assert LEGAL_CONTENT[path][0 if lang == "fr" else 1] in page
    assert len(re.sub(r"<[^>]+>", "", page)) > 2500, "a real page, not a placeholder"
    if path in ("/accessibilite", "/mentions-legales"):
        assert app.config["OPERATOR_NAME"] in page
        assert app.config["CONTACT_EMAIL"] in page
    if path == "/accessibilite":
        assert ("24 novembre 2026" if lang == "fr" else "November 24, 2026") in page
    if path == "/mentions-legales":
        assert app.config["HOST_NAME"] in page
        assert app.config["PUBLICATION_DIRECTOR"] in page
    if path == "/donnees-personnelles":
        assert app.config["DPO_EMAIL"] in page


def test_site_map(client: FlaskClient) -> None:
    response = client.get("/plan-du-site")
    assert response.status_code == 200
    page = text(response)
    assert "<h1>Plan du site</h1>" in page
    for href in (
        "/",
        "/connexion",
        "/accessibilite",
        "/mentions-legales",
        "/donnees-personnelles",
        "/cookies",
    ):
        assert f'href="{href}"' in page


# ---------------------------------------------------------------- errors ---------------------


def test_unknown_page_is_a_dsfr_404(client: FlaskClient) -> None:
    response = client.get("/cette-page-n-existe-pas")
    assert response.status_code == 404
    page = text(response)
    assert_dsfr_page(page, "fr")
    assert title(page) == "Page non trouvée — Y a-t-il un intrapreneur parmi nous ?"
    assert "<h1>Page non trouvée</h1>" in page
    assert "Erreur 404" in page
    assert 'href="/">Page d’accueil</a>' in page


def test_unexpected_error_is_a_dsfr_500_without_traceback(instance: Path, sqlite_template) -> None:
    import shutil

    from tests.conftest import make_app

    shutil.copy(sqlite_template, instance / "challenge.sqlite3")
    app = make_app(instance)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def explode() -> str:
        raise RuntimeError("secret internals: password=hunter2")

    app.add_url_rule("/boom", "boom", explode)
    response = app.test_client().get("/boom")
    with app.app_context():
        db.engine.dispose()

    assert response.status_code == 500
    page = text(response)
    assert_dsfr_page(page, "fr")
    assert "<h1>Erreur inattendue</h1>" in page
    assert "Erreur 500" in page
    assert "Contactez-nous" in page
    for leak in ("Traceback", "RuntimeError", "hunter2", "secret internals", 'File "'):
        assert leak not in page


def test_post_without_csrf_token_is_refused(client: FlaskClient) -> None:
    response = client.post("/langue", data={"lang": "en", "next": "/"})
    assert response.status_code == 400
    page = text(response)
    assert_dsfr_page(page, "fr")
    assert "<h1>Requête incorrecte</h1>" in page
    assert "Le formulaire a expiré ou n’a pas été envoyé depuis ce site" in page
    assert_dsfr_page(text(client.get("/")), "fr")  # the language did not change

    response = client.post("/langue", data={"csrf_token": "forged", "lang": "en"})
    assert response.status_code == 400


def test_wrong_method_is_a_dsfr_405(client: FlaskClient) -> None:
    response = client.get("/deconnexion")
    assert response.status_code == 405
    assert "<h1>Méthode non autorisée</h1>" in text(response)


# ---------------------------------------------------------------- /dev/mail, /healthz -------


def test_dev_mailbox_lists_delivered_messages(client: FlaskClient) -> None:
    response = client.get("/dev/mail")
    assert response.status_code == 200
    assert "Aucun courriel pour l’instant" in text(response)

    message = outbox.queue(
        "sign_in_link",
        "marie.curie@francetravail.fr",
        {"link": "http://localhost/connexion/lien/abc", "minutes": 15},
    )
    db.session.commit()
    assert outbox.deliver(message.id).status == "sent"
    assert db.session.get(OutboxMessage, message.id).status == MessageStatus.SENT.value

    page = text(client.get("/dev/mail"))
    assert "marie.curie@francetravail.fr" in page
    link = re.search(
        r'<a class="fr-link" href="(/dev/mail/[^"]+)">Votre lien de connexion</a>', page
    )
    assert link, page
    mail = client.get(link.group(1))
    assert mail.status_code == 200
    assert "http://localhost/connexion/lien/abc" in text(mail)
    assert client.get("/dev/mail/..%2Fsecret_key").status_code == 404
    assert client.get("/dev/mail/nope").status_code == 404


def test_dev_mailbox_is_404_when_switched_off(app: Flask, client: FlaskClient) -> None:
    app.config["DEV_MAIL_VIEWER"] = False
    response = client.get("/dev/mail")
    assert response.status_code == 404
    assert "<h1>Page non trouvée</h1>" in text(response)
    assert client.get("/dev/mail/anything").status_code == 404


def test_health_check(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
