"""The proposals' titles and authors as the results pages and e-mails need them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from challenge.accounts.models import User
from challenge.extensions import db
from challenge.proposals.models import AuthorRole, Proposal, ProposalAuthor


@dataclass(frozen=True)
class AuthorContact:
    author_id: int
    proposal_id: int
    email: str
    first_name: str
    last_name: str
    role: str
    user_id: int | None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def titles_of(proposal_ids: Iterable[int]) -> dict[int, str]:
    ids = list(proposal_ids)
    if not ids:
        return {}
    return dict(
        db.session.execute(select(Proposal.id, Proposal.title).where(Proposal.id.in_(ids))).all()
    )


def authors_of(proposal_ids: Iterable[int]) -> dict[int, list[AuthorContact]]:
    """Every author of these proposals (submitter first), with their name if known: one query."""
    ids = list(proposal_ids)
    result: dict[int, list[AuthorContact]] = {pid: [] for pid in ids}
    if not ids:
        return result
    rows = db.session.execute(
        select(
            ProposalAuthor.id,
            ProposalAuthor.proposal_id,
            ProposalAuthor.email,
            ProposalAuthor.role,
            ProposalAuthor.user_id,
            User.first_name,
            User.last_name,
        )
        .outerjoin(User, User.id == ProposalAuthor.user_id)
        .where(ProposalAuthor.proposal_id.in_(ids))
        .order_by(ProposalAuthor.proposal_id, ProposalAuthor.id)
    ).all()
    for r in rows:
        result[r.proposal_id].append(
            AuthorContact(
                r.id,
                r.proposal_id,
                r.email.lower(),
                r.first_name or "",
                r.last_name or "",
                r.role,
                r.user_id,
            )
        )
    for contacts in result.values():
        contacts.sort(key=lambda a: (a.role != AuthorRole.SUBMITTER.value, a.author_id))
    return result
