"""Who may read, edit, send or support a proposal: declared once, asked by every surface.

- Its authors (the submitter and the co-authors invited by e-mail, matched on the address they
  sign in with) always read it; any author edits it while the campaign takes submissions (a
  draft stays editable after the deadline: its text is kept, it can no longer be sent).
- Only the submitter sends it, withdraws it and invites co-authors, while the campaign is open.
- Once sent, the campaign's organisers read it (a withdrawn one too), and so do the jurors who
  may see it per :mod:`challenge.access.jury` (assigned or on the pitch list, no conflict).
- An agent of the campaign (an address of its domains) who is not an author supports a
  proposal in competition, while the campaign is open and takes supports.

Nobody else, ever: the pages answer 404, as if the proposal did not exist.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from challenge.access.domains import domain_allowed, normalise_email
from challenge.access.jury import may_see_proposal
from challenge.access.roles import is_organiser
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign, CampaignStatus
from challenge.extensions import db
from challenge.proposals.models import (
    IN_COMPETITION,
    AuthorRole,
    Proposal,
    ProposalAuthor,
    ProposalStatus,
)
from challenge.timeutils import utcnow


def _signed_in(user: User | None) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


# ---------------------------------------------------------------- the campaign ---------------


def accepts_submissions(campaign: Campaign, now: datetime | None = None) -> bool:
    """Open, and before the deadline (checked at the time of the write, to the second)."""
    if campaign.status != CampaignStatus.OPEN.value:
        return False
    return campaign.deadline_at is None or (now or utcnow()) < campaign.deadline_at


def campaign_domains(campaign: Campaign) -> list[str]:
    """The campaign's allowed domains, or the platform's when the campaign names none."""
    return campaign.domains or list(current_app.config["ALLOWED_EMAIL_DOMAINS"])


def is_agent_of(campaign: Campaign, email: str) -> bool:
    """An address of the campaign's domains: who may write, co-write or support there."""
    return domain_allowed(email, campaign_domains(campaign))


# ---------------------------------------------------------------- authors --------------------


def author_clause(user: User) -> ColumnElement[bool]:
    """SQL: ``ProposalAuthor`` rows of this person, bound or still waiting on their address."""
    return or_(
        ProposalAuthor.user_id == user.id,
        and_(ProposalAuthor.user_id.is_(None), ProposalAuthor.email == normalise_email(user.email)),
    )


def authorship(user: User | None, proposal_id: int) -> ProposalAuthor | None:
    """The person's author row on the proposal (submitter or co-author), if they have one."""
    if user is None or not _signed_in(user):
        return None
    return db.session.scalar(
        select(ProposalAuthor).where(ProposalAuthor.proposal_id == proposal_id, author_clause(user))
    )


def is_author(user: User | None, proposal: Proposal) -> bool:
    return authorship(user, proposal.id) is not None


def submits(author: ProposalAuthor | None) -> bool:
    """Whether this author row is the submitter's (who created the proposal and sends it)."""
    return author is not None and author.role == AuthorRole.SUBMITTER.value


def is_submitter(user: User | None, proposal: Proposal) -> bool:
    return submits(authorship(user, proposal.id))


# ---------------------------------------------------------------- the predicates -------------


def may_read(user: User | None, proposal: Proposal) -> bool:
    """Authors always; once sent, the campaign's organisers and the jurors who may see it.
    Nobody else, ever (drafts stay their authors' own)."""
    if user is None or not _signed_in(user):
        return False
    if is_author(user, proposal):
        return True
    if proposal.status not in IN_COMPETITION and proposal.status != ProposalStatus.WITHDRAWN:
        return False
    if is_organiser(user, proposal.campaign_id):
        return True
    if proposal.status not in IN_COMPETITION:
        return False
    return may_see_proposal(user, proposal) or may_see_proposal(user, proposal, "pitch")


def editable_now(proposal: Proposal) -> bool:
    """While the campaign takes submissions; a draft stays editable after the deadline."""
    return accepts_submissions(proposal.campaign) or proposal.status == ProposalStatus.DRAFT.value


def may_edit(user: User | None, proposal: Proposal) -> bool:
    """Any author (co-authors included) edits its text and attachments, while editable."""
    return is_author(user, proposal) and editable_now(proposal)


def may_send(user: User | None, proposal: Proposal) -> bool:
    """The submitter alone sends, withdraws and invites co-authors, while the campaign is open."""
    return is_submitter(user, proposal) and accepts_submissions(proposal.campaign)


def may_remove_author(user: User | None, proposal: Proposal, author: ProposalAuthor) -> bool:
    """The submitter removes a co-author; a co-author may leave by themselves (while open)."""
    if submits(author) or not accepts_submissions(proposal.campaign):
        return False
    mine = authorship(user, proposal.id)
    if mine is None:
        return False
    return submits(mine) or mine.id == author.id


def may_support(user: User | None, proposal: Proposal) -> bool:
    """An agent of the campaign, not an author, on a proposal in competition, while the
    campaign is open and takes supports ("moi aussi")."""
    if user is None or not _signed_in(user):
        return False
    campaign = proposal.campaign
    return (
        campaign.allow_supports
        and accepts_submissions(campaign)
        and is_agent_of(campaign, user.email)
        and proposal.status in IN_COMPETITION
        and not is_author(user, proposal)
    )
