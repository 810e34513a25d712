"""The ranking sheet: the jury's lean ranking, one row per proposal in competition, with its
rank by raw and by normalised score (organisers only: see ``spec.available_views``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from challenge.access.juror_view import Sight
from challenge.exports.builders.cells import rounded, status_labels, yes_no
from challenge.exports.builders.columns import Slot, field, layout
from challenge.exports.spec import RANKING, VIEW_LABELS
from challenge.exports.writers import Column, ColumnType, Sheet
from challenge.extensions import db
from challenge.jury.models import ReviewPhase
from challenge.jury.queries.ranking_feed import RankingReport, ranking_report
from challenge.proposals.models import IN_COMPETITION, Proposal


def ranking_count(campaign_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.count(Proposal.id)).where(
                Proposal.campaign_id == campaign_id, Proposal.status.in_(IN_COMPETITION)
            )
        )
        or 0
    )


def ranking_sheet(campaign_id: int, sight: Sight) -> Sheet:
    report = ranking_report(campaign_id, ReviewPhase.WRITTEN.value, "raw", details=False)
    slots = [
        Slot(Column(_("Rang (note brute)"), ColumnType.INTEGER, 10)),
        Slot(Column(_("Rang (note normalisée)"), ColumnType.INTEGER, 10)),
        Slot(Column(_("N°"), ColumnType.INTEGER, 8)),
        Slot(Column(_("Titre"), width=40)),
        Slot(Column(_("Administration"), width=30), field("administration")),
        Slot(Column(_("Statut"), width=16)),
        Slot(Column(_("Soutiens"), ColumnType.INTEGER, 10)),
        Slot(Column(_("Évaluations"), ColumnType.INTEGER, 10)),
        Slot(Column(_("Moyenne"), ColumnType.DECIMAL, 10)),
        Slot(Column(_("Médiane"), ColumnType.DECIMAL, 10)),
        Slot(Column(_("Écart-type"), ColumnType.DECIMAL, 10)),
        Slot(Column(_("Désaccord"), width=10)),
        Slot(Column(_("Note normalisée"), ColumnType.DECIMAL, 12)),
        Slot(Column(_("Évaluations non normalisées"), ColumnType.INTEGER, 12)),
        *(
            Slot(Column(_("Moyenne : %(label)s", label=c.label), ColumnType.DECIMAL, 14))
            for c in report.criteria
        ),
        Slot(Column(_("Présélection"), width=12)),
        Slot(Column(_("Note de présélection"), width=40)),
    ]
    kept, pick = layout(slots, sight)
    rows = (pick(row) for row in _ranking_rows(report))
    return Sheet(str(VIEW_LABELS[RANKING]), [slot.column for slot in kept], rows)


def _ranking_rows(report: RankingReport) -> Iterator[tuple[Any, ...]]:
    statuses = status_labels()
    for row in report.rows:
        shortlisted = "" if row.shortlisted is None else yes_no(row.shortlisted)
        yield (
            row.rank,
            row.normalised_rank,
            row.proposal_id,
            row.title,
            row.administration,
            statuses.get(row.status, row.status),
            row.supports,
            row.review_count,
            rounded(row.mean),
            rounded(row.median),
            rounded(row.stdev),
            yes_no(row.disagreement) if row.review_count else "",
            rounded(row.normalised),
            row.unnormalised_reviews,
            *[rounded(row.criterion_means.get(c.id)) for c in report.criteria],
            shortlisted,
            row.shortlist_note,
        )
