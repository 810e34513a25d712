"""The proposals sheet: one row per proposal (drafts excluded), its answers, its authors as
the reader's sight shows them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from flask_babel import gettext as _

from challenge.access.juror_view import Sight
from challenge.campaigns.models import QuestionKind
from challenge.exports.builders.cells import ParisClock, full_name, status_labels
from challenge.exports.builders.columns import Slot, field, field_instead_of, layout
from challenge.exports.queries.statements import (
    QuestionRef,
    count,
    proposals_statement,
    questions,
    stream,
)
from challenge.exports.spec import PROPOSALS, VIEW_LABELS
from challenge.exports.writers import Column, ColumnType, Sheet

COAUTHOR_NAMES = "coauthor_names"


def _slots() -> list[Slot]:
    """Every column the sheet can hold, in order, before the campaign's extra questions."""
    return [
        Slot(Column(_("N°"), ColumnType.INTEGER, 8)),
        Slot(Column(_("Statut"), width=16)),
        Slot(Column(_("Titre"), width=40)),
        Slot(Column(_("L’irritant"), width=60)),
        Slot(Column(_("Comment on fait aujourd’hui"), width=40)),
        Slot(Column(_("L’idée de solution"), width=60)),
        Slot(Column(_("L’impact attendu et sa mesure"), width=40)),
        Slot(Column(_("Premiers utilisateurs et partenaires"), width=40)),
        Slot(Column(_("Administration"), width=30), field("administration")),
        Slot(Column(_("Service ou direction"), width=30), field("service")),
        Slot(Column(_("Région"), width=18), field("region")),
        Slot(Column(_("Disponible six mois"), width=10)),
        Slot(Column(_("Responsable informé"), width=10)),
        Slot(Column(_("Porteur"), width=25), field("submitter")),
        Slot(Column(_("E-mail du porteur"), width=30), field("submitter_email")),
        # Organisers read the co-authors' e-mails; a juror who may know the authors, their names.
        Slot(Column(_("Co-auteurs"), width=30), field("coauthor_emails")),
        Slot(
            Column(_("Co-auteurs"), width=30),
            field_instead_of("coauthors", "coauthor_emails"),
            COAUTHOR_NAMES,
        ),
        Slot(Column(_("Accord pour publier le nom"), width=12), field("consents")),
        Slot(Column(_("Soutiens"), ColumnType.INTEGER, 10)),
        Slot(Column(_("Créée le"), ColumnType.DATETIME)),
        Slot(Column(_("Déposée le"), ColumnType.DATETIME)),
        Slot(Column(_("Retirée le"), ColumnType.DATETIME)),
        Slot(Column(_("Modifiée le"), ColumnType.DATETIME)),
    ]


def proposals_count(campaign_id: int, sight: Sight) -> int:
    return count(proposals_statement(campaign_id, sight.proposal_ids))


def proposals_sheet(campaign_id: int, sight: Sight) -> Sheet:
    asked = questions(campaign_id)
    slots, pick = layout([*_slots(), *(Slot(Column(q.label, width=30)) for q in asked)], sight)
    statement = proposals_statement(
        campaign_id,
        sight.proposal_ids,
        coauthor_names=any(slot.key == COAUTHOR_NAMES for slot in slots),
    )
    rows = (pick(row) for row in _full_rows(statement, asked))
    return Sheet(str(VIEW_LABELS[PROPOSALS]), [slot.column for slot in slots], rows)


def _full_rows(statement: Any, asked: Sequence[QuestionRef]) -> Iterator[tuple[Any, ...]]:
    """Every cell :func:`_slots` names, then the answers: what an organiser reads."""
    statuses = status_labels()
    yes, no = str(_("Oui")), str(_("Non"))
    answer_keys = [(str(q.id), q.kind == QuestionKind.YES_NO.value) for q in asked]
    paris = ParisClock()
    for (
        id_, status, title, irritant, workaround, solution, impact, first_users,
        administration, service, region, released, informed, consent, answers, created,
        submitted, withdrawn, updated, first_name, last_name, email, coauthors, coauthor_names,
        supports,
    ) in stream(statement):  # fmt: skip
        row: list[Any] = [
            id_, statuses.get(status, status), title, irritant, workaround, solution,
            impact, first_users, administration, service, region,
            yes if released else no, yes if informed else no,
            full_name(first_name, last_name), email, coauthors or "", coauthor_names or "",
            yes if consent else no, supports or 0,
            paris(created), paris(submitted), paris(withdrawn), paris(updated),
        ]  # fmt: skip
        answers = answers or {}
        for key, yes_no in answer_keys:
            value = answers.get(key)
            if yes_no and value in ("yes", "no", True, False):
                value = yes if value in ("yes", True) else no
            row.append(value if isinstance(value, str) or value is None else str(value))
        yield tuple(row)
