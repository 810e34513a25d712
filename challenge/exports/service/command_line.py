"""The ``challenge export`` command: the same builders, with the organisers' sight, into a
file of the operator's choosing (no job, no audit: the operator has the database anyway)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from flask_babel import gettext as _

from challenge.access.juror_view import ORGANISER
from challenge.errors import Refused
from challenge.exports import builders
from challenge.exports.queries.campaigns import find_campaign
from challenge.exports.spec import (
    CSV,
    FORMATS,
    JSON,
    PROPOSALS,
    VIEWS,
    ExportSpec,
    file_name,
    results_published,
)
from challenge.exports.writers import CSV_SEPARATORS, Progress
from challenge.timeutils import utcnow


def export_to_file(
    reference: str,
    format: str,
    output: Path,
    *,
    view: str = PROPOSALS,
    separator: str = ";",
    progress_factory: Callable[[int], Progress] | None = None,
) -> int:
    """Build an export with an organiser's rights into ``output``;
    ``progress_factory(rows_total)`` returns the progress callback."""
    campaign = find_campaign(reference)
    if format not in FORMATS:
        raise Refused(_("Format inconnu : %(format)s", format=format), "format")
    if format == CSV and view not in VIEWS:
        raise Refused(_("Vue inconnue : %(view)s", view=view), "view")
    if separator not in CSV_SEPARATORS:
        raise Refused(_("Séparateur inconnu : %(sep)s", sep=separator), "separator")
    spec = ExportSpec(campaign.id, format, view, separator, ORGANISER)
    if format == JSON and not results_published(campaign):
        raise Refused(_("Les résultats de cette campagne ne sont pas encore publiés."))
    progress = progress_factory(builders.rows_total(campaign, spec)) if progress_factory else None
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".part")
    try:
        rows = builders.build(campaign, spec, partial, progress)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return rows


def default_file_name(reference: str, format: str, view: str = PROPOSALS) -> str:
    campaign = find_campaign(reference)
    return file_name(campaign.slug, ExportSpec(campaign.id, format, view), utcnow())
