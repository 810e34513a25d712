"""The organisers' live view of pitch day: who scored which pitch, and the pitch ranking."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from challenge.access.campaigns import campaign_for_organiser
from challenge.access.jury import Pair, campaign_jurors, conflict_pairs, pitch_candidates
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.extensions import db
from challenge.jury.models import Review, ReviewPhase, ReviewStatus
from challenge.jury.queries.ranking_feed import RankingRow, ranking_report
from challenge.results.models import PitchSlot
from challenge.results.queries.phases import scoring_refusal
from challenge.results.queries.proposals import titles_of


@dataclass(frozen=True)
class ProgressRow:
    proposal_id: int
    title: str
    starts_at: datetime | None
    scored: int
    expected: int  # jurors without a conflict with this proposal

    @property
    def percent(self) -> int:
        return round(100 * self.scored / self.expected) if self.expected else 0


@dataclass(frozen=True)
class PitchProgress:
    campaign: Campaign
    rows: list[ProgressRow]
    ranking: list[RankingRow]  # the jury's pitch ranking
    by: str
    scored: int
    expected: int
    jurors: int
    scale_min: float
    scale_max: float
    grid_ready: bool
    refusal: str | None

    @property
    def percent(self) -> int:
        return round(100 * self.scored / self.expected) if self.expected else 0


def pitch_progress(user: User, campaign_id: int, by: str = "raw") -> PitchProgress:
    """Who scored which pitch, and the pitch ranking (raw or normalised), for organisers.

    The ranking is the jury's (``jury.service.ranking_report`` with phase "pitch"): the same
    rules as the written ranking, conflicted reviews never counted. A constant number of queries.
    """
    campaign = campaign_for_organiser(user, campaign_id)
    by = "normalised" if by == "normalised" else "raw"
    candidates = pitch_candidates(campaign.id)
    jurors = campaign_jurors(campaign.id)
    conflicts = conflict_pairs(campaign, jurors, candidates)
    juror_ids = {j.id for j in jurors}
    rows = _progress_rows(campaign.id, [pid for pid, _a in candidates], juror_ids, conflicts)
    report = ranking_report(campaign.id, ReviewPhase.PITCH.value, by)
    return PitchProgress(
        campaign=campaign,
        rows=rows,
        ranking=list(report.rows),
        by=by,
        scored=sum(r.scored for r in rows),
        expected=sum(r.expected for r in rows),
        jurors=len(jurors),
        scale_min=report.scale_min,
        scale_max=report.scale_max,
        grid_ready=report.grid_ready,
        refusal=scoring_refusal(campaign),
    )


def _progress_rows(
    campaign_id: int, ids: list[int], juror_ids: set[int], conflicts: Collection[Pair]
) -> list[ProgressRow]:
    """One row a pitch, in slot order: the jurors who scored it among those who may."""
    done = _scored_by(campaign_id, juror_ids, conflicts)
    titles = titles_of(ids)
    starts = dict(
        db.session.execute(
            select(PitchSlot.proposal_id, PitchSlot.starts_at).where(
                PitchSlot.campaign_id == campaign_id, PitchSlot.proposal_id.is_not(None)
            )
        ).all()
    )
    rows = [
        ProgressRow(
            proposal_id=pid,
            title=titles.get(pid, ""),
            starts_at=starts.get(pid),
            scored=len(done[pid]),
            expected=sum(1 for j in juror_ids if (j, pid) not in conflicts),
        )
        for pid in ids
    ]
    far = datetime.max
    rows.sort(key=lambda r: (r.starts_at or far, r.proposal_id))
    return rows


def _scored_by(
    campaign_id: int, juror_ids: set[int], conflicts: Collection[Pair]
) -> dict[int, set[int]]:
    """Proposal -> the jurors (of the jury, without a conflict) who submitted its pitch score."""
    done: dict[int, set[int]] = defaultdict(set)
    for proposal_id, juror_id in db.session.execute(
        select(Review.proposal_id, Review.juror_id).where(
            Review.campaign_id == campaign_id,
            Review.phase == ReviewPhase.PITCH.value,
            Review.status == ReviewStatus.SUBMITTED.value,
        )
    ):
        if juror_id in juror_ids and (juror_id, proposal_id) not in conflicts:
            done[proposal_id].add(juror_id)
    return done


def _score(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def progress_as_json(progress: PitchProgress) -> dict[str, object]:
    """What the organiser's page polls (plain values only: no names of jurors)."""
    return {
        "scored": progress.scored,
        "expected": progress.expected,
        "percent": progress.percent,
        "by": progress.by,
        "rows": [
            {
                "proposal_id": r.proposal_id,
                "scored": r.scored,
                "expected": r.expected,
                "percent": r.percent,
            }
            for r in progress.rows
        ],
        "ranking": [
            {
                "rank": r.rank,
                "proposal_id": r.proposal_id,
                "title": r.title,
                "review_count": r.review_count,
                "mean": _score(r.mean),
                "median": _score(r.median),
                "stdev": _score(r.stdev),
                "normalised": _score(r.normalised),
                "disagreement": r.disagreement,
                "unnormalised": r.unnormalised_reviews > 0,
            }
            for r in progress.ranking
        ],
    }
