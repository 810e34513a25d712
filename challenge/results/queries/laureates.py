"""The organisers' decision page: the pitches with their scores, and the recorded outcomes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from challenge.access.campaigns import campaign_for_organiser
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.extensions import db
from challenge.jury.queries.ranking_feed import campaign_ranking
from challenge.proposals.models import IN_COMPETITION, Proposal
from challenge.results.models import Outcome, ResultDecision
from challenge.results.queries.outbox import results_sent
from challenge.results.queries.phases import decision_refusal
from challenge.results.queries.pitch_list import PitchProposal, pitch_list

# What the organisers choose for each pitch; everything else follows.
PITCH_CHOICES = (Outcome.LAUREATE.value, Outcome.MENTION.value, "not_retained")


@dataclass(frozen=True)
class Candidate:
    proposal_id: int
    title: str
    administration: str
    pitch_rank: int | None
    pitch_mean: float | None
    pitch_normalised: float | None
    pitch_reviews: int
    written_rank: int | None
    outcome: str | None  # the recorded decision


@dataclass(frozen=True)
class LaureatesPage:
    campaign: Campaign
    candidates: list[Candidate]
    others: int  # proposals in competition that were not heard: not retained
    decided_at: datetime | None
    decided_by: str | None
    counts: dict[str, int]
    refusal: str | None
    locked: bool  # result messages already sent: the decision is final


def decisions_of(campaign_id: int) -> dict[int, ResultDecision]:
    """The recorded decision of each proposal of the campaign, by proposal id."""
    return {
        d.proposal_id: d
        for d in db.session.scalars(
            select(ResultDecision).where(ResultDecision.campaign_id == campaign_id)
        )
    }


def laureates_page(user: User, campaign_id: int) -> LaureatesPage:
    campaign = campaign_for_organiser(user, campaign_id)
    heard = pitch_list(campaign.id)
    decisions = decisions_of(campaign.id)
    in_competition = (
        db.session.scalar(
            select(func.count(Proposal.id)).where(
                Proposal.campaign_id == campaign.id, Proposal.status.in_(IN_COMPETITION)
            )
        )
        or 0
    )
    latest = max(decisions.values(), key=lambda d: d.decided_at, default=None)
    return LaureatesPage(
        campaign=campaign,
        candidates=_candidates(campaign.id, heard, decisions),
        others=max(in_competition - len(heard), 0),
        decided_at=latest.decided_at if latest else None,
        decided_by=_decided_by(latest),
        counts=dict(Counter(d.outcome for d in decisions.values())),
        refusal=decision_refusal(campaign),
        locked=results_sent(campaign.id) > 0,
    )


def _candidates(
    campaign_id: int, heard: Sequence[PitchProposal], decisions: Mapping[int, ResultDecision]
) -> list[Candidate]:
    """The pitches, best pitch rank first, each with its scores and its recorded outcome."""
    # One ranking gives both scores: ``by`` only changes the order, not the values.
    pitch = {r.proposal_id: r for r in campaign_ranking(campaign_id, "pitch", "raw", details=False)}
    candidates = []
    for p in heard:
        row = pitch.get(p.id)
        decision = decisions.get(p.id)
        outcome = decision.outcome if decision else None
        candidates.append(
            Candidate(
                proposal_id=p.id,
                title=p.title,
                administration=p.administration,
                pitch_rank=row.rank if row else None,
                pitch_mean=row.mean if row else None,
                pitch_normalised=row.normalised if row else None,
                pitch_reviews=row.review_count if row else 0,
                written_rank=p.written_rank,
                outcome=(
                    "not_retained" if outcome == Outcome.SHORTLISTED_NOT_RETAINED.value else outcome
                ),
            )
        )
    far = 10**9
    candidates.sort(key=lambda c: (c.pitch_rank or far, c.written_rank or far, c.proposal_id))
    return candidates


def _decided_by(latest: ResultDecision | None) -> str | None:
    if latest is None or not latest.decided_by_id:
        return None
    person = db.session.get(User, latest.decided_by_id)
    return person.display_name if person else None
