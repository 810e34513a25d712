"""The recipients of the result messages: every author of every decided proposal."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from challenge.extensions import db
from challenge.proposals.models import Proposal
from challenge.results.models import Outcome, ResultDecision
from challenge.results.queries.outbox import result_key
from challenge.results.queries.proposals import AuthorContact, authors_of

OUTCOME_ORDER = tuple(o.value for o in Outcome)


@dataclass(frozen=True)
class Recipient:
    key: str  # "<proposal id>:<author id>", for the preview
    proposal_id: int
    title: str
    outcome: str
    author: AuthorContact
    dedup_key: str


def recipients(campaign_id: int) -> list[Recipient]:
    """Every author of every decided proposal, by outcome then proposal: two queries."""
    rows = db.session.execute(
        select(ResultDecision.proposal_id, ResultDecision.outcome, Proposal.title)
        .join(Proposal, Proposal.id == ResultDecision.proposal_id)
        .where(ResultDecision.campaign_id == campaign_id)
        .order_by(Proposal.id)
    ).all()
    authors = authors_of(r.proposal_id for r in rows)
    order = {o: i for i, o in enumerate(OUTCOME_ORDER)}
    result = [
        Recipient(
            key=f"{r.proposal_id}:{a.author_id}",
            proposal_id=r.proposal_id,
            title=r.title,
            outcome=r.outcome,
            author=a,
            dedup_key=result_key(campaign_id, r.proposal_id, a.email),
        )
        for r in rows
        for a in authors.get(r.proposal_id, [])
    ]
    result.sort(key=lambda x: (order.get(x.outcome, 9), x.proposal_id, x.author.author_id))
    return result
