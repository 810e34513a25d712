"""The export builders: the same code for the Celery task, the command line and the benchmark.

A builder turns one campaign, seen by one :class:`~challenge.exports.queries.Audience`, into a
file: CSV (one view), XLSX (one sheet per view), PDF (the laureates' dossier) or JSON (the
published results). Tabular views stream their rows from the database (see ``queries.py``) into
the streaming writers (``writers.py``); ``progress(rows_done)`` is called as rows are written.

No permission check here: the service decides the audience, the CLI is the operator's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from challenge.campaigns.models import Campaign, QuestionKind
from challenge.exports import queries
from challenge.exports.queries import ORGANISER, Audience
from challenge.exports.writers import Column, ColumnType, Progress, Sheet
from challenge.exports.writers import write_csv as _write_csv
from challenge.exports.writers import write_json as _write_json
from challenge.exports.writers import write_xlsx as _write_xlsx
from challenge.extensions import db
from challenge.jury import ranking as ranking_algo
from challenge.jury import service as jury
from challenge.jury.models import ReviewPhase, ReviewStatus
from challenge.proposals.models import IN_COMPETITION, Proposal
from challenge.results import service as results
from challenge.timeutils import PARIS

FORMATS: Final = ("csv", "xlsx", "pdf", "json")
EXTENSIONS: Final = {"csv": "csv", "xlsx": "xlsx", "pdf": "pdf", "json": "json"}
MIMETYPES: Final = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "json": "application/json",
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
STATUS_LABELS: Final = {
    "draft": _l("Brouillon"),
    "submitted": _l("Déposée"),
    "withdrawn": _l("Retirée"),
    "shortlisted": _l("Présélectionnée"),
    "not_retained": _l("Non retenue"),
    "laureate": _l("Lauréate"),
    "mention": _l("Mention du jury"),
}
SCORE_DECIMALS: Final = 3
JSON_SCHEMA_VERSION: Final = "1.0"
JSON_LICENCE: Final = "etalab-2.0"
SCHEMA_PATH: Final = Path(__file__).with_name("results.schema.json")


class NotAvailable(Exception):
    """This export cannot be built now (e.g. results not published); ``str()`` says why."""


@dataclass(frozen=True)
class ExportSpec:
    """What to build: the format, the view (CSV), the CSV separator, for whom."""

    campaign_id: int
    format: str
    view: str = PROPOSALS
    separator: str = ";"
    audience: Audience = ORGANISER


def _paris(value: datetime | None) -> datetime | None:
    """Naive UTC (the database) → naive Europe/Paris wall-clock time (what people read)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(PARIS).replace(tzinfo=None)


class ParisClock:
    """``clock(utc)``: naive UTC → naive Paris time, as :func:`_paris` but ~5x faster.

    The year's two offset changes are found once (by bisection on the time zone database), so
    converting a row's dates is a dictionary lookup, two comparisons and an addition.
    """

    def __init__(self) -> None:
        self._years: dict[int, tuple[datetime, datetime, timedelta, timedelta, timedelta]] = {}

    def __call__(self, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        bounds = self._years.get(value.year)
        if bounds is None:
            bounds = self._years[value.year] = _year_offsets(value.year)
        first_change, second_change, before, between, after = bounds
        if value < first_change:
            return value + before
        return value + (between if value < second_change else after)


def _utc_offset(utc: datetime) -> timedelta:
    return utc.replace(tzinfo=UTC).astimezone(PARIS).utcoffset() or timedelta(0)


def _first_change(low: datetime, high: datetime) -> datetime:
    """The first instant (to the second) in (low, high] whose Paris offset is high's."""
    target = _utc_offset(high)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if _utc_offset(middle) == target:
            high = middle
        else:
            low = middle
    return high


def _year_offsets(year: int) -> tuple[datetime, datetime, timedelta, timedelta, timedelta]:
    """The offsets of one UTC year and the two instants where they change (DST, if any)."""
    start, middle, end = datetime(year, 1, 1), datetime(year, 7, 1), datetime(year + 1, 1, 1)
    before, between, after = _utc_offset(start), _utc_offset(middle), _utc_offset(end)
    first = _first_change(start, middle) if between != before else middle
    second = _first_change(middle, end) if after != between else end
    return first, second, before, between, after


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return str(_("Oui")) if value else str(_("Non"))


def _round(value: float | None) -> float | int | None:
    """A score rounded to SCORE_DECIMALS, as an integer when it is one (``4``, not ``4.0``)."""
    if value is None:
        return None
    rounded = round(value, SCORE_DECIMALS)
    return int(rounded) if rounded.is_integer() else rounded


def _name(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip()


# ---------------------------------------------------------------- the views ------------------


def available_views(audience: Audience) -> tuple[str, ...]:
    return VIEWS if audience.is_organiser else JUROR_VIEWS


class CampaignViews:
    """The tabular views of one campaign for one audience: lazily-streamed sheets and counts."""

    def __init__(self, campaign: Campaign, audience: Audience = ORGANISER) -> None:
        self.campaign = campaign
        self.audience = audience

    def sheet(self, view: str) -> Sheet:
        if view not in available_views(self.audience):
            raise NotAvailable(_("Cette vue n’est pas disponible."))
        return getattr(self, f"_{view}_sheet")()

    def count(self, view: str) -> int:
        if view in (REVIEWS, PITCH_REVIEWS):
            phase = ReviewPhase.PITCH.value if view == PITCH_REVIEWS else ReviewPhase.WRITTEN.value
            return queries.count(
                queries.reviews_statement(self.campaign.id, phase, [], self.audience)
            )
        if view == PROPOSALS:
            return queries.count(queries.proposals_statement(self.campaign.id, self.audience))
        if view == RANKING:
            return int(
                db.session.scalar(
                    select(func.count(Proposal.id)).where(
                        Proposal.campaign_id == self.campaign.id,
                        Proposal.status.in_(IN_COMPETITION),
                    )
                )
                or 0
            )
        return queries.count(queries.laureates_statement(self.campaign.id, results.FINAL_OUTCOMES))

    # --- proposals

    def _proposals_sheet(self) -> Sheet:
        audience = self.audience
        questions = queries.questions(self.campaign.id)
        columns = [
            Column(_("N°"), ColumnType.INTEGER, 8),
            Column(_("Statut"), width=16),
            Column(_("Titre"), width=40),
            Column(_("L’irritant"), width=60),
            Column(_("Comment on fait aujourd’hui"), width=40),
            Column(_("L’idée de solution"), width=60),
            Column(_("L’impact attendu et sa mesure"), width=40),
            Column(_("Premiers utilisateurs et partenaires"), width=40),
            Column(_("Administration"), width=30),
            Column(_("Service ou direction"), width=30),
            Column(_("Région"), width=18),
            Column(_("Disponible six mois"), width=10),
            Column(_("Responsable informé"), width=10),
        ]
        if audience.show_authors:
            columns.append(Column(_("Porteur"), width=25))
            if audience.show_contacts:
                columns.append(Column(_("E-mail du porteur"), width=30))
            columns.append(Column(_("Co-auteurs"), width=30))
            if audience.show_contacts:
                columns.append(Column(_("Accord pour publier le nom"), width=12))
        columns += [
            Column(_("Soutiens"), ColumnType.INTEGER, 10),
            Column(_("Créée le"), ColumnType.DATETIME),
            Column(_("Déposée le"), ColumnType.DATETIME),
            Column(_("Retirée le"), ColumnType.DATETIME),
            Column(_("Modifiée le"), ColumnType.DATETIME),
        ]
        columns += [Column(q.label, width=30) for q in questions]
        statement = queries.proposals_statement(self.campaign.id, audience)
        return Sheet(
            str(VIEW_LABELS[PROPOSALS]), columns, self._proposal_rows(statement, questions)
        )

    def _proposal_rows(
        self, statement: Any, questions: Sequence[queries.QuestionRef]
    ) -> Iterator[tuple[Any, ...]]:
        statuses = {key: str(label) for key, label in STATUS_LABELS.items()}
        yes, no = str(_("Oui")), str(_("Non"))
        answer_keys = [(str(q.id), q.kind == QuestionKind.YES_NO.value) for q in questions]
        show_authors, show_contacts = self.audience.show_authors, self.audience.show_contacts
        paris = ParisClock()
        for (
            id_, status, title, irritant, workaround, solution, impact, first_users,
            administration, service, region, released, informed, consent, answers, created,
            submitted, withdrawn, updated, first_name, last_name, email, coauthors, supports,
        ) in queries.stream(statement):  # fmt: skip
            row: list[Any] = [
                id_, statuses.get(status, status), title, irritant, workaround, solution,
                impact, first_users, administration, service, region,
                yes if released else no, yes if informed else no,
            ]  # fmt: skip
            if show_authors:
                row.append(f"{first_name or ''} {last_name or ''}".strip())
                if show_contacts:
                    row.append(email)
                row.append(coauthors or "")
                if show_contacts:
                    row.append(yes if consent else no)
            row += [
                supports or 0,
                paris(created),
                paris(submitted),
                paris(withdrawn),
                paris(updated),
            ]
            answers = answers or {}
            for key, yes_no in answer_keys:
                value = answers.get(key)
                if yes_no and value in ("yes", "no", True, False):
                    value = yes if value in ("yes", True) else no
                row.append(value if isinstance(value, str) or value is None else str(value))
            yield tuple(row)

    # --- reviews

    def _reviews_sheet(self) -> Sheet:
        return self._review_sheet(ReviewPhase.WRITTEN.value, str(VIEW_LABELS[REVIEWS]))

    def _pitch_reviews_sheet(self) -> Sheet:
        return self._review_sheet(ReviewPhase.PITCH.value, str(VIEW_LABELS[PITCH_REVIEWS]))

    def _review_sheet(self, phase: str, name: str) -> Sheet:
        criteria = jury.review_grid(self.campaign.id, phase)
        organiser = self.audience.is_organiser
        columns = [
            Column(_("N° de la proposition"), ColumnType.INTEGER, 12),
            Column(_("Titre"), width=40),
            Column(_("Juré"), width=25),
        ]
        if organiser:
            columns.append(Column(_("E-mail du juré"), width=30))
        columns += [
            Column(_("État"), width=12),
            Column(_("Envoyée le"), ColumnType.DATETIME),
        ]
        columns += [
            Column(
                _("%(label)s (poids %(weight)s)", label=c.label, weight=f"{c.weight:g}"),
                ColumnType.DECIMAL,
                14,
            )
            for c in criteria
        ]
        columns += [
            Column(_("Note pondérée"), ColumnType.DECIMAL, 12),
            Column(_("Commentaire pour le jury"), width=60),
            Column(_("Message pour l’agent"), width=50),
        ]
        statement = queries.reviews_statement(
            self.campaign.id, phase, [c.id for c in criteria], self.audience
        )
        return Sheet(name, columns, self._review_rows(statement, criteria))

    def _review_rows(self, statement: Any, criteria: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
        scores_of = _ReviewScorer(criteria)
        states = {
            ReviewStatus.SUBMITTED.value: str(_("Envoyée")),
            ReviewStatus.DRAFT.value: str(_("Brouillon")),
        }
        audience = self.audience
        me, organiser, hidden = audience.juror_id, audience.is_organiser, audience.hidden_pairs
        paris = ParisClock()
        for (
            _review_id, proposal_id, title, juror_id, first_name, last_name, email, status,
            submitted_at, comment, message, *scores,
        ) in queries.stream(statement):  # fmt: skip
            own = juror_id == me
            if hidden and not own and (juror_id, proposal_id) in hidden:
                continue
            name = f"{first_name or ''} {last_name or ''}".strip() or email
            head = (proposal_id, title, name, email) if organiser else (proposal_id, title, name)
            yield (
                *head,
                states.get(status, status),
                paris(submitted_at),
                *scores_of(scores),
                comment,
                message if organiser or own else "",
            )

    # --- ranking

    def _ranking_sheet(self) -> Sheet:
        # The lean ranking (no juror details): one row per proposal, with its rank in both orders.
        report = jury.ranking_report(
            self.campaign.id, ReviewPhase.WRITTEN.value, "raw", details=False
        )
        columns = [
            Column(_("Rang (note brute)"), ColumnType.INTEGER, 10),
            Column(_("Rang (note normalisée)"), ColumnType.INTEGER, 10),
            Column(_("N°"), ColumnType.INTEGER, 8),
            Column(_("Titre"), width=40),
            Column(_("Administration"), width=30),
            Column(_("Statut"), width=16),
            Column(_("Soutiens"), ColumnType.INTEGER, 10),
            Column(_("Évaluations"), ColumnType.INTEGER, 10),
            Column(_("Moyenne"), ColumnType.DECIMAL, 10),
            Column(_("Médiane"), ColumnType.DECIMAL, 10),
            Column(_("Écart-type"), ColumnType.DECIMAL, 10),
            Column(_("Désaccord"), width=10),
            Column(_("Note normalisée"), ColumnType.DECIMAL, 12),
            Column(_("Évaluations non normalisées"), ColumnType.INTEGER, 12),
        ]
        columns += [
            Column(_("Moyenne : %(label)s", label=c.label), ColumnType.DECIMAL, 14)
            for c in report.criteria
        ]
        columns += [
            Column(_("Présélection"), width=12),
            Column(_("Note de présélection"), width=40),
        ]
        return Sheet(str(VIEW_LABELS[RANKING]), columns, self._ranking_rows(report))

    def _ranking_rows(self, report: jury.RankingReport) -> Iterator[tuple[Any, ...]]:
        statuses = {key: str(label) for key, label in STATUS_LABELS.items()}
        for row in report.rows:
            shortlisted = "" if row.shortlisted is None else _yes_no(row.shortlisted)
            yield (
                row.rank,
                row.normalised_rank,
                row.proposal_id,
                row.title,
                row.administration,
                statuses.get(row.status, row.status),
                row.supports,
                row.review_count,
                _round(row.mean),
                _round(row.median),
                _round(row.stdev),
                _yes_no(row.disagreement) if row.review_count else "",
                _round(row.normalised),
                row.unnormalised_reviews,
                *[_round(row.criterion_means.get(c.id)) for c in report.criteria],
                shortlisted,
                row.shortlist_note,
            )

    # --- laureates

    def _laureates_sheet(self) -> Sheet:
        columns = [
            Column(_("N°"), ColumnType.INTEGER, 8),
            Column(_("Résultat"), width=18),
            Column(_("Titre"), width=40),
            Column(_("Administration"), width=30),
            Column(_("Service ou direction"), width=30),
            Column(_("Région"), width=18),
            Column(_("Porteur"), width=25),
            Column(_("E-mail du porteur"), width=30),
            Column(_("Co-auteurs"), width=30),
            Column(_("Accord pour publier le nom"), width=12),
            Column(_("Rang au pitch"), ColumnType.INTEGER, 10),
            Column(_("Note du pitch"), ColumnType.DECIMAL, 10),
            Column(_("Note normalisée du pitch"), ColumnType.DECIMAL, 12),
            Column(_("Décidé le"), ColumnType.DATETIME),
        ]
        return Sheet(str(VIEW_LABELS[LAUREATES]), columns, self._laureate_rows())

    def _laureate_rows(self) -> Iterator[tuple[Any, ...]]:
        statement = queries.laureates_statement(self.campaign.id, results.FINAL_OUTCOMES)
        rows = list(queries.stream(statement))  # a handful: the final decisions
        if not rows:
            return
        pitch = {
            r.proposal_id: r
            for r in jury.campaign_ranking(
                self.campaign.id, ReviewPhase.PITCH.value, "raw", details=False
            )
        }
        outcomes = {key: str(label) for key, label in results.OUTCOME_LABELS.items()}
        for r in rows:
            ranked = pitch.get(r.id)
            yield (
                r.id,
                outcomes.get(r.outcome, r.outcome),
                r.title,
                r.administration,
                r.service,
                r.region,
                _name(r.submitter_first_name, r.submitter_last_name),
                r.submitter_email,
                r.coauthors or "",
                _yes_no(r.publish_name_consent),
                ranked.rank if ranked else None,
                _round(ranked.mean) if ranked else None,
                _round(ranked.normalised) if ranked else None,
                _paris(r.decided_at),
            )


class _ReviewScorer:
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
            result = self.cache[key] = (*(_round(s) for s in key), _round(self._weighted(key)))
        return result

    def _weighted(self, scores: tuple[float | None, ...]) -> float | None:
        if self.grid is None:
            return None
        given = {cid: s for cid, s in zip(self.ids, scores, strict=True) if s is not None}
        return ranking_algo.score_review(self.grid, ranking_algo.Review(0, 0, 0, given)).score


# ---------------------------------------------------------------- planning and building ------


def views_of(spec: ExportSpec) -> tuple[str, ...]:
    """The views a tabular export holds: one for CSV, every available one for XLSX."""
    if spec.format == "csv":
        return (spec.view,)
    if spec.format == "xlsx":
        return available_views(spec.audience)
    return ()


def rows_total(campaign: Campaign, spec: ExportSpec) -> int:
    """How many rows the export will write (the denominator of its progress)."""
    if spec.format in ("csv", "xlsx"):
        views = CampaignViews(campaign, spec.audience)
        return sum(views.count(view) for view in views_of(spec))
    return queries.count(queries.laureates_statement(campaign.id, results.FINAL_OUTCOMES))


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
    if spec.format == "csv":
        sheet = CampaignViews(campaign, spec.audience).sheet(spec.view)
        with path.open("wb") as out:
            return _write_csv(sheet, out, spec.separator, progress)
    if spec.format == "xlsx":
        views = CampaignViews(campaign, spec.audience)
        sheets = (views.sheet(view) for view in views_of(spec))  # one query open at a time
        return _write_xlsx(sheets, path, progress)
    if not spec.audience.is_organiser:
        raise NotAvailable(_("Ce format est réservé aux organisateurs."))
    if spec.format == "pdf":
        from challenge.exports.pdf import write_dossier

        return write_dossier(campaign, path, progress)
    if spec.format == "json":
        header, items = results_document(campaign)
        with path.open("wb") as out:
            return _write_json(header, items, out, progress)
    raise NotAvailable(_("Format inconnu."))


def file_name(campaign: Campaign, spec: ExportSpec, at: datetime) -> str:
    """``<slug>-<view>-<YYYY-MM-DD>.<ext>`` (the date in Paris)."""
    local = _paris(at) or at
    if spec.format == "csv":
        what = VIEW_SLUGS.get(spec.view, spec.view)
    elif spec.format == "pdf":
        what = "dossier-laureats"
    elif spec.format == "json":
        what = "resultats"
    else:
        what = "export"
    if not spec.audience.is_organiser:
        what = f"jury-{what}"
    return f"{campaign.slug}-{what}-{local:%Y-%m-%d}.{EXTENSIONS[spec.format]}"


# ---------------------------------------------------------------- JSON of results ------------


def results_published(campaign: Campaign) -> bool:
    return campaign.status in results.RESULTS_ANNOUNCED


def results_document(
    campaign: Campaign, now: datetime | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The published results as open data: the header and the items (see results.schema.json).

    Only what the public laureates page shows: the outcome, title, irritant and administration,
    and the names of the authors who agreed to their publication (the results domain decides).
    """
    from challenge.notifications.rendering import external_url

    if not results_published(campaign):
        raise NotAvailable(_("Les résultats de cette campagne ne sont pas encore publiés."))
    try:
        page = results.public_laureates(campaign.slug)
    except results.NotFound as error:
        raise NotAvailable(
            _("Les résultats de cette campagne ne sont pas encore publiés.")
        ) from error
    in_competition = int(
        db.session.scalar(
            select(func.count(Proposal.id)).where(
                Proposal.campaign_id == campaign.id, Proposal.status.in_(IN_COMPETITION)
            )
        )
        or 0
    )
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
            "submission_deadline": _iso_paris(campaign.deadline_at),
            "results_date": _iso_paris(campaign.results_at),
        },
        "statistics": {
            "proposals_in_competition": in_competition,
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


def _iso_paris(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(PARIS).replace(microsecond=0).isoformat()


def describe(spec: ExportSpec) -> Mapping[str, str]:
    """The spec as the short words stored in the job's options and the audit log."""
    values = {"view": spec.view} if spec.format == "csv" else {}
    if spec.format == "csv":
        values["separator"] = spec.separator
    return values
