"""A proposal as one of its authors opens it, and the authors of many proposals at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from challenge.access.proposals import authorship, submits
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.errors import Forbidden, NotFound
from challenge.extensions import db
from challenge.proposals.models import AuthorRole, Proposal, ProposalAuthor
from challenge.proposals.queries.campaigns import ensure_open


@dataclass
class Authored:
    """A proposal and the asking person's author row in it."""

    proposal: Proposal
    author: ProposalAuthor

    @property
    def campaign(self) -> Campaign:
        return self.proposal.campaign

    @property
    def is_submitter(self) -> bool:
        return submits(self.author)


def load_proposal(proposal_id: int) -> Proposal | None:
    """The proposal with what its pages show: campaign and questions, files, authors."""
    return db.session.scalar(
        select(Proposal)
        .where(Proposal.id == proposal_id)
        .options(
            joinedload(Proposal.campaign).selectinload(Campaign.questions),
            selectinload(Proposal.attachments),
            selectinload(Proposal.authors).joinedload(ProposalAuthor.user),
        )
    )


def authored(proposal_id: int, user: User) -> Authored:
    """The proposal with the asking author's role in it (NotFound for non-authors)."""
    author = authorship(user, proposal_id)
    if author is None:
        raise NotFound
    proposal = load_proposal(proposal_id)
    if proposal is None:
        raise NotFound
    return Authored(proposal, author)


def authored_for_sending(proposal_id: int, user: User) -> Authored:
    """The proposal for its submitter, while the campaign is open (``may_send``, with the
    reason when not: NotFound for a stranger, Forbidden for a co-author, CampaignClosed)."""
    found = authored(proposal_id, user)
    if not found.is_submitter:
        raise Forbidden
    ensure_open(found.campaign)
    return found


def visible_proposal_for_author(proposal_id: int, user: User) -> Proposal:
    """The proposal if ``user`` wrote or co-writes it; NotFound (a 404) for everyone else."""
    return authored(proposal_id, user).proposal


def authors_of(proposal_ids: Iterable[int]) -> dict[int, list[ProposalAuthor]]:
    """Authors of many proposals in one query (submitter first), with their accounts loaded."""
    ids = list(set(proposal_ids))
    result: dict[int, list[ProposalAuthor]] = {pid: [] for pid in ids}
    if not ids:
        return result
    rows = db.session.scalars(
        select(ProposalAuthor)
        .where(ProposalAuthor.proposal_id.in_(ids))
        .options(joinedload(ProposalAuthor.user))
        .order_by(
            ProposalAuthor.proposal_id,
            (ProposalAuthor.role != AuthorRole.SUBMITTER.value),
            ProposalAuthor.id,
        )
    )
    for author in rows:
        result[author.proposal_id].append(author)
    return result
