"""The exports page of a campaign: the formats and views its reader may ask for, and their
latest jobs. Organisers get every format and view; a juror the tables of what they see."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from challenge.access.campaigns import campaign_for_juror, campaign_for_organiser
from challenge.access.juror_view import ORGANISER, Sight, juror_sight
from challenge.access.outcomes import FINAL_OUTCOMES
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.exports.models import ExportAudience, ExportFormat
from challenge.exports.queries.jobs import JobRow, latest_jobs, retention_days
from challenge.exports.queries.statements import count, laureates_statement
from challenge.exports.spec import (
    VIEW_LABELS,
    available_formats,
    available_views,
    results_published,
)
from challenge.exports.writers import CSV_SEPARATORS

FORMAT_LABELS = {
    ExportFormat.CSV.value: _l("CSV (tableur, une vue)"),
    ExportFormat.XLSX.value: _l("Excel (XLSX, une feuille par vue)"),
    ExportFormat.PDF.value: _l("PDF : dossier des lauréats"),
    ExportFormat.JSON.value: _l("JSON : résultats publiés (données ouvertes)"),
}
FORMAT_HINTS = {
    ExportFormat.CSV.value: _l("UTF-8, lisible par Excel, LibreOffice et les outils de données."),
    ExportFormat.XLSX.value: _l(
        "Propositions, évaluations, notes des pitchs, classement, lauréats."
    ),
    ExportFormat.PDF.value: _l(
        "Une couverture, puis chaque lauréat : irritant, solution, notes, avis."
    ),
    ExportFormat.JSON.value: _l(
        "Lauréats et mentions, sans donnée personnelle hors noms consentis."
    ),
}
JUROR_FORMAT_HINTS = {
    ExportFormat.XLSX.value: _l("Propositions et évaluations."),
}
SEPARATOR_LABELS = {";": _l("point-virgule"), ",": _l("virgule")}


@dataclass(frozen=True)
class FormatChoice:
    value: str
    label: str
    hint: str
    refusal: str | None  # why it cannot be chosen now, or None

    @property
    def available(self) -> bool:
        return self.refusal is None


@dataclass(frozen=True)
class ExportPage:
    campaign: Campaign
    audience: str
    formats: list[FormatChoice]
    views: list[tuple[str, str]]
    separators: list[tuple[str, str]]
    jobs: list[JobRow]
    retention_days: int
    blind: bool  # the authors and their administration are hidden from this reader


def organiser_page(user: User, campaign_id: int) -> ExportPage:
    campaign = campaign_for_organiser(user, campaign_id)
    return _page(campaign, ORGANISER, latest_jobs(campaign.id, None))


def juror_page(user: User, campaign_id: int) -> ExportPage:
    campaign = campaign_for_juror(user, campaign_id)
    return _page(campaign, juror_sight(campaign, user.id), latest_jobs(campaign.id, user.id))


def _page(campaign: Campaign, sight: Sight, jobs: list[JobRow]) -> ExportPage:
    organiser = sight.is_organiser
    hints = FORMAT_HINTS if organiser else {**FORMAT_HINTS, **JUROR_FORMAT_HINTS}
    return ExportPage(
        campaign=campaign,
        audience=(ExportAudience.ORGANISER if organiser else ExportAudience.JUROR).value,
        formats=[
            FormatChoice(
                value, str(FORMAT_LABELS[value]), str(hints[value]), refusal(campaign, value)
            )
            for value in available_formats(sight)
        ],
        views=[(v, str(VIEW_LABELS[v])) for v in available_views(sight)],
        separators=[(s, str(SEPARATOR_LABELS[s])) for s in CSV_SEPARATORS],
        jobs=jobs,
        retention_days=retention_days(),
        blind=sight.blind,
    )


def refusal(campaign: Campaign, format: str) -> str | None:
    """Why this format cannot be requested now, in words for the person, or None."""
    if format == ExportFormat.JSON.value and not results_published(campaign):
        return _("Disponible quand les résultats de la campagne sont publiés.")
    if format == ExportFormat.PDF.value and not _has_laureates(campaign.id):
        return _("Disponible quand les lauréats sont désignés.")
    return None


def _has_laureates(campaign_id: int) -> bool:
    return count(laureates_statement(campaign_id, FINAL_OUTCOMES)) > 0
