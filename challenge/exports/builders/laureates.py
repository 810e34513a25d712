"""The laureates sheet: the final decisions (laureates, then mentions) with their pitch scores
(organisers only: see ``spec.available_views``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask_babel import gettext as _

from challenge.access.juror_view import Sight
from challenge.access.outcomes import FINAL_OUTCOMES, OUTCOME_LABELS
from challenge.exports.builders.cells import full_name, paris, rounded, yes_no
from challenge.exports.builders.columns import Slot, field, layout
from challenge.exports.queries.statements import count, laureates_statement, stream
from challenge.exports.spec import LAUREATES, VIEW_LABELS
from challenge.exports.writers import Column, ColumnType, Sheet
from challenge.jury.models import ReviewPhase
from challenge.jury.queries.ranking_feed import campaign_ranking


def laureates_count(campaign_id: int) -> int:
    return count(laureates_statement(campaign_id, FINAL_OUTCOMES))


def laureates_sheet(campaign_id: int, sight: Sight) -> Sheet:
    slots = [
        Slot(Column(_("N°"), ColumnType.INTEGER, 8)),
        Slot(Column(_("Résultat"), width=18)),
        Slot(Column(_("Titre"), width=40)),
        Slot(Column(_("Administration"), width=30), field("administration")),
        Slot(Column(_("Service ou direction"), width=30), field("service")),
        Slot(Column(_("Région"), width=18), field("region")),
        Slot(Column(_("Porteur"), width=25), field("submitter")),
        Slot(Column(_("E-mail du porteur"), width=30), field("submitter_email")),
        Slot(Column(_("Co-auteurs"), width=30), field("coauthor_emails")),
        Slot(Column(_("Accord pour publier le nom"), width=12), field("consents")),
        Slot(Column(_("Rang au pitch"), ColumnType.INTEGER, 10)),
        Slot(Column(_("Note du pitch"), ColumnType.DECIMAL, 10)),
        Slot(Column(_("Note normalisée du pitch"), ColumnType.DECIMAL, 12)),
        Slot(Column(_("Décidé le"), ColumnType.DATETIME)),
    ]
    kept, pick = layout(slots, sight)
    rows = (pick(row) for row in _laureate_rows(campaign_id))
    return Sheet(str(VIEW_LABELS[LAUREATES]), [slot.column for slot in kept], rows)


def _laureate_rows(campaign_id: int) -> Iterator[tuple[Any, ...]]:
    rows = list(stream(laureates_statement(campaign_id, FINAL_OUTCOMES)))  # a handful
    if not rows:
        return
    pitch = {
        r.proposal_id: r
        for r in campaign_ranking(campaign_id, ReviewPhase.PITCH.value, "raw", details=False)
    }
    outcomes = {key: str(label) for key, label in OUTCOME_LABELS.items()}
    for r in rows:
        ranked = pitch.get(r.id)
        yield (
            r.id,
            outcomes.get(r.outcome, r.outcome),
            r.title,
            r.administration,
            r.service,
            r.region,
            full_name(r.submitter_first_name, r.submitter_last_name),
            r.submitter_email,
            r.coauthors or "",
            yes_no(r.publish_name_consent),
            ranked.rank if ranked else None,
            rounded(ranked.mean) if ranked else None,
            rounded(ranked.normalised) if ranked else None,
            paris(r.decided_at),
        )
