"""A laureate (or mentioned) author lets the public page show their name, or stops it."""

from __future__ import annotations

from sqlalchemy import select, update

from challenge.accounts.models import User
from challenge.extensions import db
from challenge.proposals.models import AuthorRole, Proposal
from challenge.results.models import NameConsent
from challenge.results.queries.consent import laureate_authorship
from challenge.timeutils import utcnow
from challenge.unit_of_work import unit_of_work


def set_name_consent(user: User, proposal_id: int, consent: bool) -> None:
    """A laureate (or mentioned) author lets the public page show their name, or stops it."""
    proposal, author, _outcome = laureate_authorship(user, proposal_id)
    with unit_of_work(actor=user, campaign_id=proposal.campaign_id) as work:
        row = db.session.scalar(
            select(NameConsent).where(NameConsent.author_id == author.author_id)
        )
        if row is None:
            row = NameConsent(proposal_id=proposal.id, author_id=author.author_id)
            db.session.add(row)
        row.consent = consent
        row.decided_at = utcnow()
        if author.role == AuthorRole.SUBMITTER.value and proposal.publish_name_consent != consent:
            # The proposal's own flag is the submitter's answer: keep it in step.
            db.session.execute(
                update(Proposal)
                .where(Proposal.id == proposal.id)
                .values(publish_name_consent=consent)
                .execution_options(synchronize_session="fetch")
            )
        work.audit(
            "results.name_consent",
            target=proposal,
            details={"author_id": author.author_id, "consent": consent},
        )
