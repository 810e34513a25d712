"""Each juror's scores and comments on one proposal, for its organisers."""

from __future__ import annotations

from dataclasses import dataclass

from challenge.access.campaigns import campaign_for_organiser
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.errors import NotFound
from challenge.jury.models import ReviewPhase
from challenge.jury.queries.ranking_feed import CriterionRef, RankingRow, ranking_report


@dataclass(frozen=True)
class ProposalScoresPage:
    campaign: Campaign
    row: RankingRow
    criteria: list[CriterionRef]
    scale_min: float
    scale_max: float
    by: str


def proposal_scores(
    user: User, campaign_id: int, proposal_id: int, *, by: str = "raw"
) -> ProposalScoresPage:
    """Each juror's scores and comments on one proposal (organisers only)."""
    campaign = campaign_for_organiser(user, campaign_id)
    report = ranking_report(campaign.id, ReviewPhase.WRITTEN.value, by, details=[proposal_id])
    row = next((r for r in report.rows if r.proposal_id == proposal_id), None)
    if row is None:
        raise NotFound
    return ProposalScoresPage(
        campaign, row, report.criteria, report.scale_min, report.scale_max, by
    )
