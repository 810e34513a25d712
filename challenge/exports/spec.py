"""What an export is: its format, its view (CSV), its separator, and whose sight it is built for.

The catalogue of formats and views, their labels and file names, shared by the pages, the
builders, the task and the command line. No database here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from flask_babel import lazy_gettext as _l

from challenge.access.juror_view import ORGANISER, Sight
from challenge.access.outcomes import RESULTS_ANNOUNCED
from challenge.campaigns.models import Campaign
from challenge.errors import Refused
from challenge.timeutils import PARIS

CSV, XLSX, PDF, JSON = "csv", "xlsx", "pdf", "json"
FORMATS: Final = (CSV, XLSX, PDF, JSON)
JUROR_FORMATS: Final = (CSV, XLSX)
EXTENSIONS: Final = {CSV: "csv", XLSX: "xlsx", PDF: "pdf", JSON: "json"}
MIMETYPES: Final = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    PDF: "application/pdf",
    JSON: "application/json",
}

PROPOSALS, REVIEWS, PITCH_REVIEWS, RANKING, LAUREATES = (
    "proposals",
    "reviews",
    "pitch_reviews",
    "ranking",
    "laureates",
)
VIEWS: Final = (PROPOSALS, REVIEWS, PITCH_REVIEWS, RANKING, LAUREATES)
JUROR_VIEWS: Final = (PROPOSALS, REVIEWS)
VIEW_LABELS: Final = {
    PROPOSALS: _l("Propositions"),
    REVIEWS: _l("Évaluations"),
    PITCH_REVIEWS: _l("Notes des pitchs"),
    RANKING: _l("Classement"),
    LAUREATES: _l("Lauréats"),
}
# Short names used in file names (ASCII, French).
VIEW_SLUGS: Final = {
    PROPOSALS: "propositions",
    REVIEWS: "evaluations",
    PITCH_REVIEWS: "pitchs",
    RANKING: "classement",
    LAUREATES: "laureats",
}


class NotAvailable(Refused):
    """This export cannot be built now (e.g. results not published); ``str()`` says why."""


@dataclass(frozen=True)
class ExportSpec:
    """What to build: the format, the view (CSV), the CSV separator, for whose sight."""

    campaign_id: int
    format: str
    view: str = PROPOSALS
    separator: str = ";"
    sight: Sight = ORGANISER


def available_views(sight: Sight) -> tuple[str, ...]:
    return VIEWS if sight.is_organiser else JUROR_VIEWS


def available_formats(sight: Sight) -> tuple[str, ...]:
    return FORMATS if sight.is_organiser else JUROR_FORMATS


def views_of(spec: ExportSpec) -> tuple[str, ...]:
    """The views a tabular export holds: one for CSV, every available one for XLSX."""
    if spec.format == CSV:
        return (spec.view,)
    if spec.format == XLSX:
        return available_views(spec.sight)
    return ()


def results_published(campaign: Campaign) -> bool:
    """Whether the campaign's results are public (the JSON export needs them)."""
    return campaign.status in RESULTS_ANNOUNCED


def file_name(slug: str, spec: ExportSpec, at: datetime) -> str:
    """``<slug>-<view>-<YYYY-MM-DD>.<ext>`` (the date in Paris)."""
    local = at.replace(tzinfo=UTC).astimezone(PARIS)
    if spec.format == CSV:
        what = VIEW_SLUGS.get(spec.view, spec.view)
    elif spec.format == PDF:
        what = "dossier-laureats"
    elif spec.format == JSON:
        what = "resultats"
    else:
        what = "export"
    if not spec.sight.is_organiser:
        what = f"jury-{what}"
    return f"{slug}-{what}-{local:%Y-%m-%d}.{EXTENSIONS[spec.format]}"


def describe(spec: ExportSpec) -> Mapping[str, str]:
    """The spec as the short words stored in the job's options and the audit log."""
    if spec.format != CSV:
        return {}
    return {"view": spec.view, "separator": spec.separator}
