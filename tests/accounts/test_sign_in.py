"""Sign-in by e-mail link, end to end: the web app, a real worker and a real SMTP server.

One site for the module (SQLite, the embedded file-system broker, a worker process delivering the
outbox to an SMTP server on loopback); every test signs in with addresses of its own.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from challenge.accounts.models import LoginToken, User
from challenge.extensions import db
from challenge.notifications.models import OutboxMessage
from challenge.timeutils import utcnow
from tests.conftest import (
    Mailbox,
    WorkerProcess,
    csrf_token_in,
    free_port,
    make_app,
    start_smtp,
    wait_until,
)
from tests.conftest import test_env as environment

pytestmark = pytest.mark.worker


@dataclass
class Site:
    app: Flask
    mailbox: Mailbox
    worker: WorkerProcess

    def client(self) -> FlaskClient:
        return self.app.test_client()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    instance = tmp_path_factory.mktemp("sign-in") / "instance"
    instance.mkdir()
    shutil.copy(sqlite_template, instance / "challenge.sqlite3")
    mailbox = Mailbox(host="127.0.0.1", port=free_port())
    smtp = start_smtp(mailbox)
    env = environment(instance, SMTP_URL=mailbox.url, OUTBOX_RETRY_BASE_SECONDS="1")
    app = make_app(instance, SMTP_URL=mailbox.url)
    worker = WorkerProcess(env, instance.parent / "worker.log", "sign-in").start()
    try:
        yield Site(app, mailbox, worker)
    finally:
        worker.stop()
        smtp.stop()  # type: ignore[attr-defined]
        with app.app_context():
            db.engine.dispose()


# ---------------------------------------------------------------- helpers --------------------


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def post_with_token(
    client: FlaskClient, page: str, data: dict[str, str], action: str | None = None
):
    """Open ``page`` like a person, then send its form (with the page's CSRF token)."""
    response = client.get(page)
    assert response.status_code in (200, 410), response.status_code
    token = csrf_token_in(response.get_data(as_text=True))
    return client.post(action or page, data={"csrf_token": token, **data})


def mails_to(mailbox: Mailbox, address: str) -> list:
    return [m for m in mailbox.messages if str(m["To"]).strip().lower() == address]


def request_link(site: Site, client: FlaskClient, email: str, next_url: str = "") -> str:
    """Ask for a link and return its path once the e-mail has arrived."""
    address = email.strip().lower()
    before = len(mails_to(site.mailbox, address))
    response = post_with_token(client, "/connexion", {"email": email, "next": next_url})
    assert response.status_code == 302, page_text(response)
    assert response.headers["Location"] == "/connexion/lien-envoye"
    try:
        wait_until(lambda: len(mails_to(site.mailbox, address)) > before, timeout=30)
    except AssertionError:
        print(site.worker.output()[-5000:])
        raise
    return link_in(mails_to(site.mailbox, address)[-1])


def link_in(mail) -> str:
    text = mail.get_body(preferencelist=("plain",)).get_content()
    url = re.search(r"https?://\S+/connexion/lien/\S+", text).group(0)
    assert url.startswith("http://localhost/"), "links are built on PUBLIC_URL"
    return urlsplit(url).path


def confirm(client: FlaskClient, link: str):
    return post_with_token(client, link, {})


def sign_in(site: Site, client: FlaskClient, email: str, next_url: str = ""):
    return confirm(client, request_link(site, client, email, next_url))


def add_user(site: Site, email: str, **fields: object) -> None:
    with site.app.app_context():
        db.session.add(User(email=email, **fields))
        db.session.commit()


# ---------------------------------------------------------------- the link -------------------


def test_link_arrives_by_email_and_signs_in_once(site: Site) -> None:
    client = site.client()
    page = page_text(client.get("/connexion"))
    assert "<h1>Se connecter</h1>" in page
    assert 'type="email"' in page

    response = post_with_token(client, "/connexion", {"email": "Marie.Curie@FranceTravail.fr"})
    assert response.status_code == 302
    sent = page_text(client.get(response.headers["Location"]))
    assert "<h1>Vérifiez votre messagerie</h1>" in sent
    assert "Si l’adresse marie.curie@francetravail.fr peut se connecter" in sent

    wait_until(lambda: mails_to(site.mailbox, "marie.curie@francetravail.fr"), timeout=30)
    (mail,) = mails_to(site.mailbox, "marie.curie@francetravail.fr")
    assert mail["Subject"] == "Votre lien de connexion"
    assert mail["From"] == site.app.config["MAIL_FROM"]
    assert mail["Message-ID"]
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "valable 15 minutes et ne fonctionne qu’une fois" in text
    link = link_in(mail)
    assert f'href="http://localhost{link}"' in mail.get_body(preferencelist=("html",)).get_content()

    # Opening the link (as a mail scanner would) signs nobody in: it asks to confirm.
    confirm_page = client.get(link)
    assert confirm_page.status_code == 200
    body = page_text(confirm_page)
    assert "<h1>Confirmer la connexion</h1>" in body
    assert "Vous allez vous connecter avec l’adresse marie.curie@francetravail.fr." in body
    assert '<button type="submit" class="fr-btn">Me connecter</button>' in body
    with site.app.app_context():
        assert (
            db.session.scalar(select(User).where(User.email == "marie.curie@francetravail.fr"))
            is None
        )

    response = confirm(client, link)
    assert response.status_code == 302
    assert response.headers["Location"] == "/profil"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    with site.app.app_context():
        user = db.session.scalar(select(User).where(User.email == "marie.curie@francetravail.fr"))
        assert user is not None, "the account is created at the first sign-in"
        assert user.last_sign_in_at is not None
        assert not user.profile_complete

    profile = page_text(client.get("/profil"))
    assert "Bienvenue ! Présentez-vous en quelques mots pour commencer." in profile
    assert "<h1>Mon profil</h1>" in profile
    response = post_with_token(
        client,
        "/profil",
        {
            "first_name": "Marie",
            "last_name": "Curie",
            "administration": "France Travail",
            "service": "Agence de Lyon",
            "region": "Auvergne-Rhône-Alpes",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = page_text(client.get("/"))
    assert "Votre profil est enregistré." in home
    assert 'href="/profil">Marie Curie</a>' in home, "the header shows who is signed in"
    assert "Se déconnecter" in home

    # The link was used: it fails from now on, with a way to ask for a new one.
    other = site.client()
    again = other.get(link)
    assert again.status_code == 410
    body = page_text(again)
    assert "<h1>Ce lien de connexion ne fonctionne plus</h1>" in body
    assert "Ce lien a déjà été utilisé : chaque lien ne sert qu’une fois." in body
    assert "Recevoir un nouveau lien" in body
    assert 'value="marie.curie@francetravail.fr"' in body, "the address is filled in"
    assert confirm(other, link).status_code == 410
    assert 'href="/profil"' not in page_text(other.get("/")), "nobody signed in"

    # The button on that page sends a new link.
    token = csrf_token_in(again.get_data(as_text=True))
    response = other.post(
        "/connexion", data={"csrf_token": token, "email": "marie.curie@francetravail.fr"}
    )
    assert response.status_code == 302
    wait_until(lambda: len(mails_to(site.mailbox, "marie.curie@francetravail.fr")) == 2)
    new_link = link_in(mails_to(site.mailbox, "marie.curie@francetravail.fr")[-1])
    assert new_link != link
    response = confirm(other, new_link)
    assert response.status_code == 302
    assert response.headers["Location"] == "/", "a complete profile goes straight home"
    assert "Vous êtes connecté." in page_text(other.get("/"))


def test_expired_link_fails(site: Site) -> None:
    client = site.client()
    link = request_link(site, client, "expire@francetravail.fr")
    with site.app.app_context():
        token = db.session.scalar(
            select(LoginToken).where(LoginToken.email == "expire@francetravail.fr")
        )
        assert token.expires_at - utcnow() > timedelta(minutes=14)
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()

    response = client.get(link)
    assert response.status_code == 410
    assert "Ce lien a expiré : il n’était valable que 15 minutes." in page_text(response)
    assert confirm(client, link).status_code == 410
    with site.app.app_context():
        assert (
            db.session.scalar(select(User).where(User.email == "expire@francetravail.fr")) is None
        )


def test_altered_link_fails_and_does_not_burn_the_real_one(site: Site) -> None:
    client = site.client()
    link = request_link(site, client, "altere@francetravail.fr")
    token = link.rsplit("/", 1)[1]
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (f"/connexion/lien/{altered}", f"/connexion/lien/{token[:-5]}"):
        response = client.get(bad)
        assert response.status_code == 410
        body = page_text(response)
        assert "Ce lien est incomplet ou a été modifié." in body
        assert "altere@francetravail.fr" not in body, "an unknown link reveals no address"
        assert confirm(client, bad).status_code == 410

    assert confirm(client, link).status_code == 302


# ---------------------------------------------------------------- who may sign in ------------


def test_address_outside_the_administrations_gets_a_clear_message(site: Site) -> None:
    client = site.client()
    response = post_with_token(client, "/connexion", {"email": "jean.dupont@gmail.com"})
    assert response.status_code == 200
    body = page_text(response)
    error = re.search(r'<p id="email-error" class="fr-error-text">(.*?)</p>', body, re.S)
    assert error, "the message is beside the field"
    assert "Cette adresse n’appartient pas à une administration participante." in error.group(1)
    assert site.app.config["CONTACT_EMAIL"] in error.group(1)
    assert 'aria-invalid="true"' in body
    assert re.search(r'aria-describedby="[^"]*email-error', body)
    assert 'value="jean.dupont@gmail.com"' in body, "what was typed is kept"
    with site.app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(LoginToken)
                .where(LoginToken.email.like("%gmail.com"))
            )
            == 0
        )
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.to_address.like("%gmail.com"))
            )
            == 0
        )

    # A malformed address is refused by the form itself.
    response = post_with_token(client, "/connexion", {"email": "pas-une-adresse"})
    assert response.status_code == 200
    assert "Saisissez une adresse électronique valide" in page_text(response)

    # Once a later message has gone through the worker, still nothing for gmail.com.
    request_link(site, client, "apres-gmail@francetravail.fr")
    assert not mails_to(site.mailbox, "jean.dupont@gmail.com")


def test_known_and_unknown_accounts_get_the_same_answer(site: Site) -> None:
    add_user(
        site,
        "connu@francetravail.fr",
        first_name="Ada",
        last_name="Connue",
        administration="France Travail",
    )

    def answer(email: str) -> tuple[str, str]:
        client = site.client()
        response = post_with_token(client, "/connexion", {"email": email})
        assert response.status_code == 302
        page = page_text(client.get(response.headers["Location"]))
        page = re.sub(r'name="csrf_token" value="[^"]+"', "", page).replace(email, "ADDRESS")
        return response.headers["Location"], page

    assert answer("connu@francetravail.fr") == answer("inconnu@francetravail.fr")
    # Both got a link: the unknown account will be created when it is used.
    wait_until(lambda: mails_to(site.mailbox, "connu@francetravail.fr"))
    wait_until(lambda: mails_to(site.mailbox, "inconnu@francetravail.fr"))


def test_rate_limit_per_address(instance: Path, sqlite_template: Path) -> None:
    shutil.copy(sqlite_template, instance / "challenge.sqlite3")
    app = make_app(instance, LOGIN_RATE_LIMIT_PER_EMAIL="2 per minute")
    client = app.test_client()
    try:
        for _ in range(2):
            response = post_with_token(client, "/connexion", {"email": "presse@francetravail.fr"})
            assert response.status_code == 302
        response = post_with_token(client, "/connexion", {"email": " PRESSE@francetravail.fr"})
        assert response.status_code == 429
        body = page_text(response)
        assert '<html lang="fr"' in body
        assert "<h1>Trop de demandes</h1>" in body
        assert (
            "Trop de demandes de lien de connexion. Pour protéger votre compte, patientez" in body
        )
        assert "Retry-After" in response.headers

        # Another address is not held back by this one.
        response = post_with_token(client, "/connexion", {"email": "calme@francetravail.fr"})
        assert response.status_code == 302
        with app.app_context():
            emails = db.session.scalars(select(LoginToken.email)).all()
        assert sorted(emails) == ["calme@francetravail.fr", *["presse@francetravail.fr"] * 2]
    finally:
        with app.app_context():
            db.engine.dispose()


# ---------------------------------------------------------------- admin ----------------------


def test_create_admin_command_and_admin_pages(site: Site) -> None:
    runner = site.app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "Chef.Admin@Gmail.com"])
    assert result.exit_code == 0, result.output
    assert "Created admin chef.admin@gmail.com" in result.output
    result = runner.invoke(args=["create-admin", "chef.admin@gmail.com"])
    assert "Promoted admin chef.admin@gmail.com" in result.output
    result = runner.invoke(args=["create-admin", "pas-une-adresse"])
    assert result.exit_code != 0
    with site.app.app_context():
        admins = db.session.scalars(select(User.email).where(User.is_admin)).all()
    assert admins == ["chef.admin@gmail.com"]

    # Anonymous: sent to the sign-in page, which will come back here.
    anonymous = site.client()
    response = anonymous.get("/admin/messages")
    assert response.status_code == 302
    assert response.headers["Location"] == "/connexion?next=%2Fadmin%2Fmessages"
    assert 'name="next" type="hidden" value="/admin/messages"' in page_text(
        anonymous.get(response.headers["Location"])
    )

    # An agent may not see the messages.
    agent = site.client()
    sign_in(site, agent, "agent.simple@francetravail.fr")
    response = agent.get("/admin/messages")
    assert response.status_code == 403
    body = page_text(response)
    assert "<h1>Accès refusé</h1>" in body
    assert "Messages envoyés" not in body

    # The admin (a gmail.com address, allowed because the account exists) signs in and sees them.
    admin = site.client()
    response = sign_in(site, admin, "chef.admin@gmail.com", next_url="/admin/messages")
    assert response.status_code == 302
    assert response.headers["Location"] == "/profil?next=/admin/messages"
    response = post_with_token(
        admin,
        response.headers["Location"],
        {"first_name": "Chef", "last_name": "Admin", "administration": "DINUM"},
    )
    assert response.headers["Location"] == "/admin/messages"
    response = admin.get("/admin/messages")
    assert response.status_code == 200
    body = page_text(response)
    assert "<h1>Messages envoyés</h1>" in body
    assert "agent.simple@francetravail.fr" in body
    assert "Votre lien de connexion" in body
    assert 'href="/admin/messages" target="_self" aria-current="page">Messages envoyés</a>' in body


# ---------------------------------------------------------------- next, sign-out -------------


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("/dev/mail", "/dev/mail"),
        ("https://evil.example/phishing", "/"),
        ("//evil.example/phishing", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_is_followed_only_within_the_site(site: Site, next_url: str, lands_on: str) -> None:
    email = f"complet-{abs(hash(next_url)) % 10**8}@francetravail.fr"
    add_user(site, email, first_name="Paul", last_name="Complet", administration="DGFiP")
    client = site.client()
    response = sign_in(site, client, email, next_url=next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == lands_on


def test_profile_next_is_followed_only_within_the_site(site: Site) -> None:
    client = site.client()
    sign_in(site, client, "profil-next@francetravail.fr")
    data = {"first_name": "Léa", "last_name": "Nexte", "administration": "Urssaf"}
    response = post_with_token(client, "/profil?next=https://evil.example/", data)
    assert response.headers["Location"] == "/"
    response = post_with_token(client, "/profil?next=/plan-du-site", data)
    assert response.headers["Location"] == "/plan-du-site"


def test_sign_out_by_post(site: Site) -> None:
    client = site.client()
    sign_in(site, client, "sortie@francetravail.fr")
    assert client.get("/profil").status_code == 200
    post_with_token(client, "/", {"lang": "en", "next": "/"}, action="/langue")

    assert client.get("/deconnexion").status_code == 405, "a link cannot sign anyone out"
    response = post_with_token(client, "/", {}, action="/deconnexion")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = page_text(client.get("/"))
    assert 'href="/connexion">Sign in</a>' in home, "signed out, in the language chosen"
    assert '<html lang="en"' in home, "the language choice survives the sign-out"
    response = client.get("/profil")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")
