"""Helpers shared by the campaigns tests (no tests here): people, campaigns, forms, snapshots."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import g
from flask.testing import FlaskClient
from sqlalchemy import event, select, text

from challenge.accounts.models import Membership, Role, User
from challenge.campaigns import service
from challenge.campaigns.models import Campaign, CampaignStatus
from challenge.extensions import db
from challenge.timeutils import utcnow

TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
WATCHED_TABLES = (
    "campaign",
    "criterion",
    "proposal_question",
    "membership",
    "audit_event",
    "outbox_message",
)


def make_user(email: str, *, admin: bool = False, **fields: object) -> User:
    user = User(
        email=email,
        is_admin=admin,
        first_name=fields.pop("first_name", "Camille"),
        last_name=fields.pop("last_name", "Martin"),
        administration=fields.pop("administration", "France Travail"),
        **fields,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_campaign(
    title: str = "Appel 2026",
    *,
    status: str = CampaignStatus.DRAFT.value,
    ready: bool = True,
    grids: bool = True,
    **fields: object,
) -> Campaign:
    """A campaign; ``ready`` gives it what opening needs (deadline in 30 days, a domain)."""
    now = utcnow()
    values: dict[str, object] = {
        "slug": service.slugify(title)
        + f"-{db.session.scalar(select(db.func.count(Campaign.id)))}",
        "title": title,
        "administration": "France Travail",
        "status": status,
        "call_text": "Proposez vos idées.",
    }
    if ready:
        values.update(
            allowed_domains="francetravail.fr",
            opens_at=now - timedelta(days=1),
            deadline_at=now + timedelta(days=30),
        )
    values.update(fields)
    campaign = Campaign(**values)
    db.session.add(campaign)
    db.session.flush()
    if grids:
        service.ensure_default_grids(campaign)
    db.session.commit()
    return campaign


def add_member(campaign: Campaign, user: User, role: Role) -> Membership:
    membership = Membership(
        campaign_id=campaign.id, email=user.email, user_id=user.id, role=role.value
    )
    db.session.add(membership)
    db.session.commit()
    return membership


def login(client: FlaskClient, user: User | None) -> None:
    """Sign ``user`` in (None: sign out). Requests share the test's app context, hence its ``g``,
    where Flask-Login caches the current user: forget it too."""
    g.pop("_login_user", None)
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True


def csrf_token(client: FlaskClient) -> str:
    page = client.get("/").get_data(as_text=True)
    match = TOKEN_RE.search(page)
    assert match, "no CSRF token on the home page"
    return match.group(1)


def post(client: FlaskClient, url: str, data: dict[str, object] | None = None, **kwargs: object):
    payload = {"csrf_token": csrf_token(client), **(data or {})}
    return client.post(url, data=payload, **kwargs)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of the tables the campaigns domain writes, to prove a refusal changed nothing."""
    db.session.rollback()
    return {
        table: [
            tuple(row)
            for row in db.session.execute(text(f"SELECT * FROM {table} ORDER BY id"))  # noqa: S608
        ]
        for table in WATCHED_TABLES
    }


@dataclass
class QueryCounter:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries() -> Iterator[QueryCounter]:
    counter = QueryCounter()

    def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        counter.statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)


def paris_input(value: datetime) -> str:
    """How a datetime-local field sends a Paris wall-clock time."""
    return value.strftime("%Y-%m-%dT%H:%M")


def settings_form(campaign: Campaign, **overrides: object) -> dict[str, object]:
    """The settings form as the page would send it back unchanged, with ``overrides``."""
    from challenge.timeutils import utc_to_paris

    data: dict[str, object] = {
        "version": campaign.version,
        "title": campaign.title,
        "slug": campaign.slug,
        "administration": campaign.administration,
        "call_text": campaign.call_text,
        "allowed_domains": "\n".join(campaign.domains),
    }
    for name in ("opens_at", "deadline_at", "review_ends_at", "pitch_at", "results_at"):
        value = getattr(campaign, name)
        data[name] = paris_input(utc_to_paris(value)) if value else ""
    data.update(overrides)
    return data
