"""A proposal's history for its authors: every version, who wrote it, and the late copy."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from challenge.accounts.models import User
from challenge.extensions import db
from challenge.proposals.models import Proposal, ProposalVersion
from challenge.proposals.queries.authorship import Authored, authored


@dataclass(frozen=True)
class HistoryEntry:
    version: ProposalVersion
    who: str


def history(proposal_id: int, user: User) -> tuple[Authored, list[HistoryEntry]]:
    found = authored(proposal_id, user)
    rows = db.session.execute(
        select(ProposalVersion, User)
        .outerjoin(User, User.id == ProposalVersion.author_id)
        .where(ProposalVersion.proposal_id == proposal_id)
        .order_by(ProposalVersion.number.desc())
    ).all()
    return found, [
        HistoryEntry(version, author.display_name if author is not None else "")
        for version, author in rows
    ]


def latest_late_copy(proposal: Proposal) -> ProposalVersion | None:
    """The text an author wrote after the deadline (kept, never sent), if any."""
    return db.session.scalar(
        select(ProposalVersion)
        .where(ProposalVersion.proposal_id == proposal.id, ProposalVersion.event == "late_copy")
        .order_by(ProposalVersion.number.desc())
        .limit(1)
    )
