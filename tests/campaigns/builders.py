"""Helpers shared by the campaigns tests (no tests here): people, campaigns, forms, snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select, text

from challenge.accounts.models import Membership, Role, User
from challenge.campaigns.models import Campaign, CampaignStatus
from challenge.campaigns.service.addresses import slugify
from challenge.campaigns.service.creation import ensure_default_grids
from challenge.extensions import db
from challenge.timeutils import utcnow
from tests import factories
from tests.factories import csrf_token, sign_in

WATCHED_TABLES = (
    "campaign",
    "criterion",
    "proposal_question",
    "membership",
    "audit_event",
    "outbox_message",
)


def make_user(email: str, *, admin: bool = False, **fields: object) -> User:
    return factories.make_user(
        email,
        commit=True,
        is_admin=admin,
        first_name=fields.pop("first_name", "Camille"),
        last_name=fields.pop("last_name", "Martin"),
        administration=fields.pop("administration", "France Travail"),
        **fields,
    )


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
        "slug": slugify(title) + f"-{db.session.scalar(select(db.func.count(Campaign.id)))}",
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
    campaign = factories.make_campaign(**values)
    if grids:
        ensure_default_grids(campaign)
    db.session.commit()
    return campaign


def add_member(campaign: Campaign, user: User, role: Role) -> Membership:
    return factories.add_member(campaign, user, role, joined=False, commit=True)


def login(client: FlaskClient, user: User | None) -> None:
    """Sign ``user`` in, in a session of its own (None: sign out)."""
    sign_in(client, user, clear=True)


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
    with factories.count_queries() as statements:
        yield QueryCounter(statements)


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
