"""The published results as open data (JSON, validated by ``results.schema.json``).

Only what the public laureates page shows: the outcome, title, irritant and administration, and
the names of the authors who agreed to their publication (the results domain decides).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from flask_babel import gettext as _
from sqlalchemy import func, select

from challenge.campaigns.models import Campaign
from challenge.errors import NotFound
from challenge.exports.builders.cells import iso_paris
from challenge.exports.spec import NotAvailable, results_published
from challenge.extensions import db
from challenge.proposals.models import IN_COMPETITION, Proposal
from challenge.results.queries.public import public_laureates
from challenge.timeutils import PARIS

JSON_SCHEMA_VERSION: Final = "1.0"
JSON_LICENCE: Final = "etalab-2.0"
SCHEMA_PATH: Final = Path(__file__).with_name("results.schema.json")


def results_document(
    campaign: Campaign, now: datetime | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The published results: the header and the items (see results.schema.json)."""
    from challenge.notifications.rendering import external_url

    if not results_published(campaign):
        raise NotAvailable(_("Les résultats de cette campagne ne sont pas encore publiés."))
    try:
        page = public_laureates(campaign.slug)
    except NotFound as error:
        raise NotAvailable(
            _("Les résultats de cette campagne ne sont pas encore publiés.")
        ) from error
    generated = (now or datetime.now(UTC)).replace(microsecond=0)
    if generated.tzinfo is None:
        generated = generated.replace(tzinfo=UTC)
    header: dict[str, Any] = {
        "$schema": external_url("exports.results_schema"),
        "schema_version": JSON_SCHEMA_VERSION,
        "generated_at": generated.astimezone(PARIS).isoformat(),
        "licence": JSON_LICENCE,
        "campaign": {
            "slug": campaign.slug,
            "title": campaign.title,
            "administration": campaign.administration,
            "url": external_url("campaigns.public_page", slug=campaign.slug),
            "submission_deadline": iso_paris(campaign.deadline_at),
            "results_date": iso_paris(campaign.results_at),
        },
        "statistics": {
            "proposals_in_competition": _in_competition(campaign.id),
            "laureates": len(page.laureates),
            "mentions": len(page.mentions),
        },
    }
    items = [
        {
            "id": item.proposal_id,
            "outcome": item.outcome,
            "title": item.title,
            "irritant": item.irritant,
            "administration": item.administration,
            "authors": list(item.names),
        }
        for item in [*page.laureates, *page.mentions]
    ]
    return header, items


def _in_competition(campaign_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.count(Proposal.id)).where(
                Proposal.campaign_id == campaign_id, Proposal.status.in_(IN_COMPETITION)
            )
        )
        or 0
    )
