"""What the organisers' pages share: the campaign they open, the form glue, the layout."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import render_template
from flask_login import current_user
from wtforms import Field

from challenge.access.campaigns import campaign_for_organiser
from challenge.campaigns.models import Campaign
from challenge.errors import Invalid, NotFound, Refused
from challenge.timeutils import paris_to_utc, utc_to_paris

ORGANISER_PREFIX = "/organisation/campagnes/<int:campaign_id>"


def organised_campaign(campaign_id: int) -> Campaign:
    """The campaign, if the person signed in organises it (404 / 403 otherwise)."""
    return campaign_for_organiser(current_user, campaign_id)


def organiser_page(template: str, campaign: Campaign, active: str, **context: object) -> str:
    return render_template(template, campaign=campaign, active=active, **context)


def int_or_none(value: object) -> int | None:
    text = str(value or "").strip()
    if text.lstrip("-").isdigit() and len(text) < 10:
        return int(text)
    return None


def form_version(form: Any) -> int | None:
    return int_or_none(form.version.data)


def entry_id(value: object) -> int | None:
    """The id of a question or criterion sent back by the page (404 for a forged one)."""
    if value in (None, ""):
        return None
    number = int_or_none(value)
    if number is None:
        raise NotFound
    return number


def refusal_messages(form: Any, refused: Refused) -> list[str]:
    """Put the service's messages beside their fields; return those that belong to no field."""
    if not isinstance(refused, Invalid):
        return [str(refused.message)]
    page_errors: list[str] = []
    for path, messages in refused.errors.items():
        messages = messages if isinstance(messages, list) else [messages]
        target: Any = form
        try:
            for part in path.split(".") if path else []:
                target = target[int(part)] if part.isdigit() else target[part]
        except (KeyError, IndexError, TypeError):
            target = None
        if isinstance(target, Field) and not hasattr(target, "entries"):
            target.errors = [*target.errors, *messages]
        else:
            page_errors.extend(str(m) for m in messages)
    return page_errors


def paris_input(value: datetime | None) -> datetime | None:
    return utc_to_paris(value).replace(tzinfo=None) if value else None


def utc(value: datetime | None) -> datetime | None:
    return paris_to_utc(value) if value else None
