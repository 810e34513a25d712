"""The laureates' dossier as a PDF: a Jinja template in the DSFR's look, printed by WeasyPrint.

A cover, then one section per laureate (then per honourable mention): the irritant, the solution,
the scores per criterion (written review and pitch) and the jury's comments. The dossier is for
the organisers and their management: it names the authors. Only reviews the ranking counts are
shown (submitted, by jurors not in conflict), as the jury's ranking decides. No juror gets it:
``builders.build`` refuses it to any sight but the organisers'.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flask import render_template
from flask_babel import gettext as _

from challenge.access.outcomes import FINAL_OUTCOMES, OUTCOME_LABELS
from challenge.campaigns.models import Campaign
from challenge.config import PROJECT_ROOT
from challenge.exports.queries.statements import laureates_statement, stream
from challenge.exports.writers import Progress
from challenge.jury.models import ReviewPhase
from challenge.jury.queries.ranking_feed import RankingReport, RankingRow, ranking_report
from challenge.proposals.queries.authorship import authors_of
from challenge.timeutils import PARIS

DSFR_DIST = PROJECT_ROOT / "node_modules" / "@gouvfr" / "dsfr" / "dist"
FONTS = DSFR_DIST / "fonts"


@dataclass(frozen=True)
class CriterionScore:
    label: str
    weight: float
    mean: float | None
    juror_scores: tuple[float | None, ...]


@dataclass(frozen=True)
class GridScores:
    title: str
    rank: int | None
    mean: float | None
    normalised: float | None
    review_count: int
    scale_min: float
    scale_max: float
    criteria: tuple[CriterionScore, ...]
    juror_names: tuple[str, ...]

    @property
    def has_scores(self) -> bool:
        return self.review_count > 0


@dataclass(frozen=True)
class Comment:
    phase: str
    text: str


@dataclass(frozen=True)
class LaureateSheet:
    proposal_id: int
    outcome: str
    outcome_label: str
    title: str
    administration: str
    service: str
    region: str
    authors: tuple[str, ...]
    irritant: str
    workaround: str
    solution: str
    impact: str
    grids: tuple[GridScores, ...]
    comments: tuple[Comment, ...] = field(default=())


@dataclass(frozen=True)
class Dossier:
    campaign: Campaign
    generated_at: datetime  # Paris
    laureates: tuple[LaureateSheet, ...]
    mentions: tuple[LaureateSheet, ...]
    fonts_url: str


def dossier(campaign: Campaign, now: datetime | None = None) -> Dossier:
    """Everything the template shows, gathered in a constant number of queries."""
    rows = list(stream(laureates_statement(campaign.id, FINAL_OUTCOMES)))
    ids = {r.id for r in rows}
    authors = authors_of(ids) if ids else {}
    reports = {}
    for phase in (ReviewPhase.WRITTEN.value, ReviewPhase.PITCH.value) if ids else ():
        report = ranking_report(campaign.id, phase, "raw", details=ids)
        reports[phase] = (report, {r.proposal_id: r for r in report.rows if r.proposal_id in ids})
    outcomes = {key: str(label) for key, label in OUTCOME_LABELS.items()}
    sheets = []
    for r in rows:
        names = tuple(
            (a.user.display_name if a.user is not None else "") or a.email
            for a in authors.get(r.id, [])
        )
        grids, comments = _scores(r.id, reports)
        sheets.append(
            LaureateSheet(
                proposal_id=r.id,
                outcome=r.outcome,
                outcome_label=outcomes.get(r.outcome, r.outcome),
                title=r.title,
                administration=r.administration,
                service=r.service,
                region=r.region,
                authors=names,
                irritant=r.irritant,
                workaround=r.workaround,
                solution=r.solution,
                impact=r.impact,
                grids=grids,
                comments=comments,
            )
        )
    generated = (now or datetime.now(UTC)).replace(tzinfo=UTC).astimezone(PARIS)
    laureate = FINAL_OUTCOMES[0]
    return Dossier(
        campaign=campaign,
        generated_at=generated,
        laureates=tuple(s for s in sheets if s.outcome == laureate),
        mentions=tuple(s for s in sheets if s.outcome != laureate),
        fonts_url=FONTS.as_uri(),
    )


def _scores(
    proposal_id: int,
    reports: Mapping[str, tuple[RankingReport, Mapping[int, RankingRow]]],
) -> tuple[tuple[GridScores, ...], tuple[Comment, ...]]:
    titles = {
        ReviewPhase.WRITTEN.value: _("Évaluation écrite"),
        ReviewPhase.PITCH.value: _("Pitch"),
    }
    grids: list[GridScores] = []
    comments: list[Comment] = []
    for phase, (report, by_id) in reports.items():
        row = by_id.get(proposal_id)
        if row is None or not report.criteria:
            continue
        jurors = row.juror_scores
        grids.append(
            GridScores(
                title=titles[phase],
                rank=row.rank,
                mean=row.mean,
                normalised=row.normalised,
                review_count=row.review_count,
                scale_min=report.scale_min,
                scale_max=report.scale_max,
                criteria=tuple(
                    CriterionScore(
                        c.label,
                        c.weight,
                        row.criterion_means.get(c.id),
                        tuple(j.scores.get(c.id) for j in jurors),
                    )
                    for c in report.criteria
                ),
                juror_names=tuple(j.juror_name for j in jurors),
            )
        )
        comments += [
            Comment(titles[phase], j.comment_for_jury.strip())
            for j in jurors
            if j.comment_for_jury and j.comment_for_jury.strip()
        ]
    return tuple(grids), tuple(comments)


def render_html(data: Dossier) -> str:
    return render_template("exports/dossier.html", dossier=data, score=fmt_score)


def write_dossier(
    campaign: Campaign, path: Path, progress: Progress | None = None, now: datetime | None = None
) -> int:
    """Print the dossier to ``path``; return the number of laureates and mentions in it."""
    from weasyprint import HTML  # heavy: imported only when a dossier is printed

    data = dossier(campaign, now)
    count = len(data.laureates) + len(data.mentions)
    html = render_html(data)
    HTML(string=html, base_url=str(DSFR_DIST)).write_pdf(str(path))
    if progress is not None:
        progress(count)
    return count


def fmt_score(value: float | None, decimals: int = 2) -> str:
    """A score as French readers write it (``3,25``), or a dash."""
    if value is None:
        return "—"
    return f"{value:.{decimals}f}".rstrip("0").rstrip(",.").replace(".", ",") or "0"
