"""The proposals heard on pitch day, in the jury's written-ranking order."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from challenge.access.jury import pitch_candidates
from challenge.extensions import db
from challenge.jury.models import ReviewPhase
from challenge.jury.queries.ranking_feed import campaign_ranking
from challenge.proposals.models import Proposal


@dataclass(frozen=True)
class PitchProposal:
    id: int
    title: str
    administration: str
    status: str
    written_rank: int | None


def pitch_list(campaign_id: int) -> list[PitchProposal]:
    """The proposals heard on pitch day, best written ranking first (then by id).

    The written ranking is the jury's (``jury.service.campaign_ranking``), so the slots follow
    the same order as the organisers' ranking page. A constant number of queries.
    """
    on_list = {pid for pid, _a in pitch_candidates(campaign_id)}
    if not on_list:
        return []
    ranking = campaign_ranking(campaign_id, ReviewPhase.WRITTEN.value, "raw", details=False)
    ordered = [
        PitchProposal(r.proposal_id, r.title, r.administration, r.status, r.rank)
        for r in ranking
        if r.proposal_id in on_list
    ]
    missing = on_list - {p.id for p in ordered}
    extra = []
    if missing:
        extra = db.session.execute(
            select(Proposal.id, Proposal.title, Proposal.administration, Proposal.status)
            .where(Proposal.id.in_(missing))
            .order_by(Proposal.id)
        ).all()
    ranked = [p for p in ordered if p.written_rank is not None]
    unranked = sorted((p for p in ordered if p.written_rank is None), key=lambda p: p.id)
    unranked += [PitchProposal(r.id, r.title, r.administration, r.status, None) for r in extra]
    return ranked + unranked
