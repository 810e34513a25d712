"""The reviews sheets (written reviews, pitch reviews): one row per juror and proposal.

A juror's sheet holds their own reviews and the other jurors' reviews their sight shows; the
other jurors' messages to the agents and e-mail addresses are the organisers' alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from flask_babel import gettext as _

from challenge.access.juror_view import Sight
from challenge.exports.builders.cells import ParisClock, rounded
from challenge.exports.builders.columns import Slot, layout, organisers
from challenge.exports.queries.statements import count, reviews_statement, stream
from challenge.exports.writers import Column, ColumnType, Sheet
from challenge.jury import ranking as ranking_algo
from challenge.jury.models import ReviewStatus
from challenge.jury.queries.grid import review_grid


def reviews_count(campaign_id: int, phase: str, sight: Sight) -> int:
    return count(reviews_statement(campaign_id, phase, [], sight))


def reviews_sheet(campaign_id: int, phase: str, name: str, sight: Sight) -> Sheet:
    criteria = review_grid(campaign_id, phase)
    slots = [
        Slot(Column(_("N° de la proposition"), ColumnType.INTEGER, 12)),
        Slot(Column(_("Titre"), width=40)),
        Slot(Column(_("Juré"), width=25)),
        Slot(Column(_("E-mail du juré"), width=30), organisers),
        Slot(Column(_("État"), width=12)),
        Slot(Column(_("Envoyée le"), ColumnType.DATETIME)),
        *(
            Slot(
                Column(
                    _("%(label)s (poids %(weight)s)", label=c.label, weight=f"{c.weight:g}"),
                    ColumnType.DECIMAL,
                    14,
                )
            )
            for c in criteria
        ),
        Slot(Column(_("Note pondérée"), ColumnType.DECIMAL, 12)),
        Slot(Column(_("Commentaire pour le jury"), width=60)),
        Slot(Column(_("Message pour l’agent"), width=50)),
    ]
    kept, pick = layout(slots, sight)
    statement = reviews_statement(campaign_id, phase, [c.id for c in criteria], sight)
    rows = (pick(row) for row in _review_rows(statement, criteria, sight))
    return Sheet(name, [slot.column for slot in kept], rows)


def _review_rows(
    statement: Any, criteria: Sequence[Any], sight: Sight
) -> Iterator[tuple[Any, ...]]:
    scores_of = ReviewScorer(criteria)
    states = {
        ReviewStatus.SUBMITTED.value: str(_("Envoyée")),
        ReviewStatus.DRAFT.value: str(_("Brouillon")),
    }
    me, organiser = sight.juror_id, sight.is_organiser
    unnamed = str(_("Juré"))  # a juror reads no e-mail address, not even as a name
    paris = ParisClock()
    for (
        _review_id, proposal_id, title, juror_id, first_name, last_name, email, status,
        submitted_at, comment, message, *scores,
    ) in stream(statement):  # fmt: skip
        own = juror_id == me
        if not organiser and not sight.sees_review(juror_id, proposal_id):
            continue
        yield (
            proposal_id,
            title,
            sight.name_of(first_name, last_name, email, unnamed),
            email,
            states.get(status, status),
            paris(submitted_at),
            *scores_of(scores),
            comment,
            message if organiser or own else "",
        )


class ReviewScorer:
    """``scorer(scores)``: a review's criterion scores (rounded) and its weighted score, by the
    jury's rule (:func:`ranking.score_review`). Scores are levels of a small scale, so results
    are memoised: the same tuple of scores is scored once."""

    CACHE_SIZE = 10_000

    def __init__(self, criteria: Sequence[Any]) -> None:
        self.grid = ranking_algo.grid_of(criteria)
        self.ids = [str(c.id) for c in criteria]
        self.cache: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def __call__(self, scores: Sequence[float | None]) -> tuple[Any, ...]:
        key = tuple(scores)
        result = self.cache.get(key)
        if result is None:
            if len(self.cache) >= self.CACHE_SIZE:
                self.cache.clear()  # memory stays bounded whatever the scores
            result = self.cache[key] = (*(rounded(s) for s in key), rounded(self._weighted(key)))
        return result

    def _weighted(self, scores: tuple[float | None, ...]) -> float | None:
        if self.grid is None:
            return None
        given = {cid: s for cid, s in zip(self.ids, scores, strict=True) if s is not None}
        return ranking_algo.score_review(self.grid, ranking_algo.Review(0, 0, 0, given)).score
