"""Helpers shared by the proposals' tests (no test here): campaigns, agents, sign-in, CSRF,
query counting. Imported by the ``test_proposal_*`` modules of this folder."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import func, select

from challenge.accounts.models import User
from challenge.audit.models import AuditEvent
from challenge.campaigns.models import Campaign, ProposalQuestion
from challenge.extensions import db
from challenge.notifications.models import OutboxMessage
from challenge.proposals.models import (
    Attachment,
    Proposal,
    ProposalAuthor,
    ProposalVersion,
    Support,
)
from challenge.timeutils import utcnow
from tests import factories
from tests.factories import count_queries  # noqa: F401  (for the proposals tests)
from tests.factories import csrf_token as csrf
from tests.factories import sign_in as login

VERSION = re.compile(r'<input[^>]*name="version"[^>]*value="(\d*)"')

COMPLETE = {
    "title": "Les demandeurs d’emploi ne trouvent pas les entreprises qui recrutent",
    "irritant": "Chaque semaine, 30 % des rendez-vous portent sur la même question.\nCela coûte "
    "une heure par conseiller et par jour.",
    "workaround": "Un tableur partagé entre agences, jamais à jour.",
    "solution": "Un service qui prédit les entreprises qui vont recruter, à partir des DPAE.",
    "impact": "Moins de candidatures perdues ; on mesure le taux de retour à l’emploi.",
    "first_users": "Trois agences de Lyon ; les conseillers le prescrivent.",
    "administration": "France Travail",
    "service": "Agence Lyon Part-Dieu",
    "region": "Auvergne-Rhône-Alpes",
    "commitment_released": "y",
    "commitment_manager_informed": "y",
}


@pytest.fixture(autouse=True)
def one_user_per_request(request: pytest.FixtureRequest) -> None:
    """The ``app`` fixture keeps one app context for the whole test, and Flask-Login (the user)
    and Flask-WTF (the CSRF token) cache in ``g``, which lives there: with two clients in one
    test, the second would be taken for the first. Forget both at each request, as a real
    server does."""
    name = "pg_app" if "pg_app" in request.fixturenames else "app"
    app: Flask = request.getfixturevalue(name)

    @app.url_value_preprocessor
    def _forget_previous_request(endpoint: str | None, values: dict | None) -> None:
        g.pop("_login_user", None)
        g.pop("csrf_token", None)


@pytest.fixture
def in_request(request: pytest.FixtureRequest) -> Iterator[None]:
    """For tests calling the service directly: its messages are translated for a request."""
    name = "pg_app" if "pg_app" in request.fixturenames else "app"
    with request.getfixturevalue(name).test_request_context():
        yield


def make_campaign(
    slug: str = "appel-2026",
    *,
    status: str = "open",
    deadline_in: timedelta | None = timedelta(days=10),
    domains: str = "francetravail.fr,pole-emploi.fr",
    allow_supports: bool = True,
    questions: list[dict[str, object]] | None = None,
) -> Campaign:
    return factories.make_campaign(
        commit=True,
        slug=slug,
        title=f"Appel {slug}",
        administration="France Travail",
        status=status,
        allowed_domains=domains,
        opens_at=utcnow() - timedelta(days=5),
        deadline_at=utcnow() + deadline_in if deadline_in is not None else None,
        allow_supports=allow_supports,
        questions=[
            ProposalQuestion(position=position, **spec)
            for position, spec in enumerate(questions or [])
        ],
    )


def make_user(email: str = "anne.martin@francetravail.fr", **profile: object) -> User:
    values: dict[str, object] = {
        "first_name": "Anne",
        "last_name": "Martin",
        "administration": "France Travail",
        "service": "Agence Lyon Part-Dieu",
        "region": "Auvergne-Rhône-Alpes",
    }
    values.update(profile)
    return factories.make_user(email, commit=True, **values)


def client_for(app: Flask, user: User) -> FlaskClient:
    return login(app.test_client(), user)


def version_on(client: FlaskClient, proposal_id: int) -> str:
    page = client.get(f"/propositions/{proposal_id}/modifier").get_data(as_text=True)
    match = VERSION.search(page)
    assert match, "no version field in the edit form"
    return match.group(1)


def post_new(
    client: FlaskClient, slug: str = "appel-2026", action: str = "save", **fields: str
) -> object:
    data = {"csrf_token": csrf(client), "action": action, **fields}
    return client.post(f"/campagnes/{slug}/proposer", data=data)


def post_edit(
    client: FlaskClient,
    proposal_id: int,
    action: str = "save",
    version: str | None = None,
    **fields: str,
) -> object:
    data = {
        "csrf_token": csrf(client),
        "action": action,
        "version": version if version is not None else version_on(client, proposal_id),
        **fields,
    }
    return client.post(f"/propositions/{proposal_id}/modifier", data=data)


def make_proposal(
    user: User,
    campaign: Campaign,
    *,
    status: str = "draft",
    title: str = "Un irritant",
    irritant: str = "Ce qui ne va pas",
    coauthors: tuple[str, ...] = (),
) -> Proposal:
    """A proposal written straight to the database, with its first version."""
    proposal = factories.make_proposal(
        campaign,
        user,
        title,
        coauthors=coauthors,
        status=status,
        irritant=irritant,
        solution="Une solution",
        impact="Un impact",
        administration=user.administration,
        commitment_released=True,
        commitment_manager_informed=True,
        answers={},
    )
    db.session.add(
        ProposalVersion(
            proposal_id=proposal.id,
            number=1,
            author_id=user.id,
            event="created",
            changed_fields=[],
            snapshot={"title": title, "irritant": irritant, "answers": {}},
            lock_version=proposal.version,
        )
    )
    db.session.commit()
    return proposal


def counts() -> dict[str, int]:
    """Rows of every table this domain writes: "nothing changed" means these are equal."""
    models = (Proposal, ProposalAuthor, ProposalVersion, Attachment, Support, OutboxMessage)
    result = {
        m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) or 0 for m in models
    }
    result["audit_event"] = db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    return result


def proposal_row(proposal_id: int) -> Proposal:
    db.session.expire_all()
    proposal = db.session.get(Proposal, proposal_id)
    assert proposal is not None
    return proposal
