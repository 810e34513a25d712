"""The export builders: the same code for the Celery task, the command line and the benchmark.

A builder turns one campaign, read with one :class:`~challenge.access.juror_view.Sight`, into a
file: CSV (one view), XLSX (one sheet per view), PDF (the laureates' dossier, organisers only)
or JSON (the published results). One module per view or format:

- ``proposals.py``, ``reviews.py``, ``ranking.py``, ``laureates.py``: the tabular views, whose
  rows stream from the database (``queries/statements.py``) into the streaming writers
  (``writers.py``); ``columns.py`` keeps the columns the sight shows, for header and rows alike;
- ``dossier.py``: the PDF; ``results_json.py``: the JSON; ``cells.py``: how values read.

No permission check here: the service gives the sight (the CLI's is the organisers').
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from challenge.access.juror_view import ORGANISER, Sight
from challenge.campaigns.models import Campaign
from challenge.exports.builders.laureates import laureates_count, laureates_sheet
from challenge.exports.builders.proposals import proposals_count, proposals_sheet
from challenge.exports.builders.ranking import ranking_count, ranking_sheet
from challenge.exports.builders.results_json import results_document
from challenge.exports.builders.reviews import reviews_count, reviews_sheet
from challenge.exports.spec import (
    CSV,
    JSON,
    PDF,
    PITCH_REVIEWS,
    PROPOSALS,
    RANKING,
    REVIEWS,
    VIEW_LABELS,
    XLSX,
    ExportSpec,
    NotAvailable,
    available_views,
    views_of,
)
from challenge.exports.writers import Progress, Sheet, write_csv, write_json, write_xlsx
from challenge.jury.models import ReviewPhase


class CampaignViews:
    """The tabular views of one campaign for one sight: lazily-streamed sheets and counts."""

    def __init__(self, campaign: Campaign, sight: Sight = ORGANISER) -> None:
        self.campaign = campaign
        self.sight = sight

    def sheet(self, view: str) -> Sheet:
        if view not in available_views(self.sight):
            raise NotAvailable(_("Cette vue n’est pas disponible."))
        campaign_id, sight = self.campaign.id, self.sight
        if view == PROPOSALS:
            return proposals_sheet(campaign_id, sight)
        if view in (REVIEWS, PITCH_REVIEWS):
            name = str(VIEW_LABELS[view])
            return reviews_sheet(campaign_id, _phase(view), name, sight)
        if view == RANKING:
            return ranking_sheet(campaign_id, sight)
        return laureates_sheet(campaign_id, sight)

    def count(self, view: str) -> int:
        campaign_id = self.campaign.id
        if view in (REVIEWS, PITCH_REVIEWS):
            return reviews_count(campaign_id, _phase(view), self.sight)
        if view == PROPOSALS:
            return proposals_count(campaign_id, self.sight)
        if view == RANKING:
            return ranking_count(campaign_id)
        return laureates_count(campaign_id)


def _phase(view: str) -> str:
    return ReviewPhase.PITCH.value if view == PITCH_REVIEWS else ReviewPhase.WRITTEN.value


def rows_total(campaign: Campaign, spec: ExportSpec) -> int:
    """How many rows the export will write (the denominator of its progress)."""
    if spec.format in (CSV, XLSX):
        views = CampaignViews(campaign, spec.sight)
        return sum(views.count(view) for view in views_of(spec))
    return laureates_count(campaign.id)


def build(
    campaign: Campaign,
    spec: ExportSpec,
    path: Path,
    progress: Progress | None = None,
    locale: str | None = None,
) -> int:
    """Write the export to ``path`` in ``locale`` (the site's default when None); return the
    number of rows (or laureates) written."""
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _build(campaign, spec, path, progress)


def _build(campaign: Campaign, spec: ExportSpec, path: Path, progress: Progress | None) -> int:
    if spec.format == CSV:
        sheet = CampaignViews(campaign, spec.sight).sheet(spec.view)
        with path.open("wb") as out:
            return write_csv(sheet, out, spec.separator, progress)
    if spec.format == XLSX:
        views = CampaignViews(campaign, spec.sight)
        sheets = (views.sheet(view) for view in views_of(spec))  # one query open at a time
        return write_xlsx(sheets, path, progress)
    if not spec.sight.is_organiser:
        raise NotAvailable(_("Ce format est réservé aux organisateurs."))
    if spec.format == PDF:
        from challenge.exports.builders.dossier import write_dossier

        return write_dossier(campaign, path, progress)
    if spec.format == JSON:
        header, items = results_document(campaign)
        with path.open("wb") as out:
            return write_json(header, items, out, progress)
    raise NotAvailable(_("Format inconnu."))
