"""Who reviews what in a campaign: the rows every assignment page, run and reminder starts from."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from challenge.access.jury import JurorRef, campaign_jurors, conflict_pairs
from challenge.campaigns.models import Campaign
from challenge.extensions import db
from challenge.jury.models import (
    AssignmentState,
    Review,
    ReviewAssignment,
    ReviewPhase,
    ReviewStatus,
)
from challenge.proposals.models import IN_COMPETITION, Proposal

Pair = tuple[int, int]  # (juror id, proposal id)


@dataclass(frozen=True)
class AssignmentData:
    campaign: Campaign
    proposals: list[tuple[int, str, str]]  # (id, title, administration), by id
    jurors: list[JurorRef]
    conflicts: frozenset[Pair]
    active: dict[Pair, ReviewAssignment]
    removed: dict[Pair, ReviewAssignment]

    @property
    def proposal_ids(self) -> set[int]:
        return {p[0] for p in self.proposals}

    @property
    def juror_ids(self) -> set[int]:
        return {j.id for j in self.jurors}

    def effective(self) -> dict[Pair, ReviewAssignment]:
        """Active rows that hold: proposal in competition, juror still on the jury, no conflict."""
        proposals, jurors = self.proposal_ids, self.juror_ids
        return {
            pair: row
            for pair, row in self.active.items()
            if pair[0] in jurors and pair[1] in proposals and pair not in self.conflicts
        }


def assignment_data(campaign: Campaign) -> AssignmentData:
    proposals = [
        (r.id, r.title, r.administration)
        for r in db.session.execute(
            select(Proposal.id, Proposal.title, Proposal.administration)
            .where(Proposal.campaign_id == campaign.id, Proposal.status.in_(IN_COMPETITION))
            .order_by(Proposal.id)
        )
    ]
    jurors = campaign_jurors(campaign.id)
    conflicts = conflict_pairs(campaign, jurors, [(p[0], p[2]) for p in proposals])
    active: dict[Pair, ReviewAssignment] = {}
    removed: dict[Pair, ReviewAssignment] = {}
    for row in db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.campaign_id == campaign.id)
    ):
        target = active if row.state == AssignmentState.ACTIVE.value else removed
        target[(row.juror_id, row.proposal_id)] = row
    return AssignmentData(campaign, proposals, jurors, conflicts, active, removed)


def submitted_pairs(campaign_id: int) -> set[Pair]:
    """(juror, proposal) of every submitted written review of the campaign."""
    return {
        (r.juror_id, r.proposal_id)
        for r in db.session.execute(
            select(Review.juror_id, Review.proposal_id).where(
                Review.campaign_id == campaign_id,
                Review.phase == ReviewPhase.WRITTEN.value,
                Review.status == ReviewStatus.SUBMITTED.value,
            )
        )
    }
