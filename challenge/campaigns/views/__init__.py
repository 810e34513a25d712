"""Pages of the campaigns domain (thin: parse, call the service, render or redirect).

The blueprint is made here; each module of this package adds the routes of one page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app
from flask_babel import lazy_gettext as _l

from challenge.campaigns.markdown import render_markdown
from challenge.campaigns.models import GridKind

bp = Blueprint("campaigns", __name__)

GRID_LABELS = {
    GridKind.REVIEW.value: _l("Grille de l’évaluation écrite"),
    GridKind.PITCH.value: _l("Grille du pitch"),
}

# Pages of other domains linked from the organiser menu, once they are installed.
ORGANISER_MENU_EXTRAS = (
    ("assignments", "jury.assignments", _l("Attributions")),
    ("ranking", "jury.ranking", _l("Classement")),
    ("shortlist", "jury.shortlist", _l("Présélection")),
    ("pitch_slots", "results.pitch_slots", _l("Journée de pitch")),
    ("laureates", "results.laureates", _l("Lauréats")),
    ("messages", "results.messages", _l("Messages de résultats")),
    ("exports", "exports.index", _l("Exports")),
)


@bp.app_template_global("endpoint_available")
def endpoint_available(endpoint: str) -> bool:
    """Whether a page is installed (other domains' pages appear as they are built)."""
    return endpoint in current_app.view_functions


@bp.app_template_filter("markdown")
def markdown_filter(source: str | None) -> Any:
    return render_markdown(source)


@bp.app_context_processor
def _organiser_menu() -> dict[str, object]:
    return {"organiser_menu_extras": ORGANISER_MENU_EXTRAS, "grid_labels": GRID_LABELS}


from challenge.campaigns.views import (  # noqa: E402  (the routes need the blueprint)
    audit_log,
    grids,
    jury,
    members,
    organiser,
    public,
    questions,
    settings,
)

__all__ = [
    "audit_log",
    "bp",
    "grids",
    "jury",
    "members",
    "organiser",
    "public",
    "questions",
    "settings",
]
