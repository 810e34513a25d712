"""Template globals and filters shared by every page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Flask, request, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


def main_navigation() -> list[NavItem]:
    """The main menu: what the person signed in may do (nothing but the public pages otherwise)."""
    entries: list[tuple[str, str]] = [(str(_l("Accueil")), "site.home")]
    if current_user.is_authenticated:
        if current_user.is_admin:
            entries.append((str(_l("Messages envoyés")), "notifications.admin_messages"))
    items = []
    for label, endpoint in entries:
        url = url_for(endpoint)
        items.append(NavItem(label=label, url=url, current=request.path == url))
    return items


def paris_datetime(value: datetime | None, format: str = "d MMMM y 'à' HH:mm") -> str:
    """Format a UTC datetime in Europe/Paris (Flask-Babel's default timezone)."""
    if value is None:
        return ""
    return format_datetime(value, format)


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
