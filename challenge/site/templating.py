"""Template globals and filters shared by every page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, request, url_for
from flask_babel import format_datetime, get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


def main_navigation() -> list[NavItem]:
    """The main menu: what the person signed in may do (nothing but the public pages otherwise)."""
    from challenge.access.roles import (
        may_see_every_message,
        may_see_jury_pages,
        may_see_organiser_pages,
    )

    entries: list[tuple[str, str]] = [(str(_l("Accueil")), "site.home")]
    if current_user.is_authenticated:
        entries.append((str(_l("Mes propositions")), "proposals.my_proposals"))
        if may_see_jury_pages(current_user):
            entries.append((str(_l("Espace juré")), "jury.workspace"))
        if may_see_organiser_pages(current_user):
            entries.append((str(_l("Organiser")), "campaigns.organiser_index"))
        if may_see_every_message(current_user):
            entries.append((str(_l("Messages envoyés")), "notifications.admin_messages"))
    items = []
    for label, endpoint in entries:
        if endpoint not in current_app.view_functions:
            continue  # a domain whose pages are not installed
        url = url_for(endpoint)
        current = request.path == url or (url != "/" and request.path.startswith(url))
        items.append(NavItem(label=label, url=url, current=current))
    return items


def paris_datetime(value: datetime | None, format: str | None = None) -> str:
    """Format a UTC datetime in Europe/Paris (Flask-Babel's default timezone)."""
    if value is None:
        return ""
    # The pattern itself is translated: "15 décembre 2026 à 14:00" / "15 December 2026, 14:00".
    return format_datetime(value, format or gettext("d MMMM y 'à' HH:mm"))


CAMPAIGN_STATUS_LABELS = {
    "draft": _l("Brouillon"),
    "open": _l("Ouvert"),
    "review": _l("Évaluation en cours"),
    "shortlist": _l("Présélection"),
    "pitch": _l("Pitchs"),
    "results": _l("Résultats"),
    "archived": _l("Archivé"),
}


def campaign_status_label(status: str) -> str:
    return str(CAMPAIGN_STATUS_LABELS.get(status, status))


def register(app: Flask) -> None:
    app.jinja_env.globals["main_navigation"] = main_navigation
    app.jinja_env.globals["campaign_status_label"] = campaign_status_label
    app.jinja_env.filters["paris_datetime"] = paris_datetime

    @app.context_processor
    def _locale() -> dict[str, object]:
        return {"current_locale": str(get_locale() or "fr")}
