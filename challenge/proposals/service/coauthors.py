"""Co-authors: the submitter invites them by e-mail; they are bound to their account at sign-in."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select, update

from challenge.access.domains import normalise_email
from challenge.access.proposals import (
    campaign_domains,
    is_agent_of,
    may_remove_author,
    submits,
)
from challenge.accounts.models import User
from challenge.errors import Forbidden, Invalid, NotFound
from challenge.extensions import db
from challenge.notifications.rendering import external_url
from challenge.proposals.models import AuthorRole, Proposal, ProposalAuthor
from challenge.proposals.queries.authorship import authored, authored_for_sending
from challenge.proposals.queries.campaigns import ensure_open
from challenge.proposals.service.versions import record_version
from challenge.unit_of_work import unit_of_work

MAX_COAUTHORS = 10


def _check_invitation(proposal: Proposal, email: str) -> None:
    """A valid address of the campaign's domains, not an author yet, within the limit."""
    campaign = proposal.campaign
    if "@" not in email or len(email) > 254:
        raise Invalid({"email": str(_l("Saisissez une adresse électronique valide."))})
    if not is_agent_of(campaign, email):
        raise Invalid(
            {
                "email": str(
                    _l(
                        "Cette campagne est ouverte aux adresses se terminant par : %(domains)s. "
                        "Invitez la personne avec son adresse professionnelle.",
                        domains=", ".join(campaign_domains(campaign)),
                    )
                )
            }
        )
    if any(a.email == email for a in proposal.authors):
        raise Invalid({"email": str(_l("Cette personne fait déjà partie des auteurs."))})
    if len(proposal.authors) > MAX_COAUTHORS:
        raise Invalid(
            {"email": str(_l("Pas plus de %(n)s co-auteurs par proposition.", n=MAX_COAUTHORS))}
        )


def invite_coauthor(proposal_id: int, user: User, email: str) -> ProposalAuthor:
    found = authored_for_sending(proposal_id, user)
    proposal, campaign = found.proposal, found.campaign
    email = normalise_email(email)
    _check_invitation(proposal, email)
    existing = db.session.scalar(select(User).where(User.email == email))
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        author = ProposalAuthor(
            proposal=proposal,
            email=email,
            user_id=existing.id if existing is not None else None,
            role=AuthorRole.COAUTHOR.value,
        )
        db.session.add(author)
        db.session.flush()
        record_version(proposal, user, "coauthor_added", ["authors"], note=email)
        work.audit("proposal.coauthor_invited", target=proposal, details={"email": email})
        work.mail(
            "proposal_coauthor_invitation",
            to=email,
            context={
                "inviter": user.display_name,
                "inviter_email": user.email,
                "proposal_title": proposal.title,
                "campaign_title": campaign.title,
                "deadline_at": campaign.deadline_at,
                "link": external_url("proposals.show_proposal", proposal_id=proposal.id),
            },
            locale=existing.locale if existing is not None else "fr",
            user_id=existing.id if existing is not None else None,
            dedup_key=f"proposal:{proposal.id}:coauthor:{author.id}",
        )
    return author


def remove_coauthor(proposal_id: int, user: User, author_id: int) -> ProposalAuthor:
    """The submitter removes a co-author; a co-author may also leave by themselves."""
    found = authored(proposal_id, user)
    proposal = found.proposal
    author = next((a for a in proposal.authors if a.id == author_id), None)
    if author is None or submits(author):
        raise NotFound
    if not may_remove_author(user, proposal, author):
        ensure_open(found.campaign)  # closed: say so; open: they have no right to
        raise Forbidden
    with unit_of_work(actor=user, campaign_id=proposal.campaign_id) as work:
        proposal.authors.remove(author)
        db.session.flush()
        record_version(proposal, user, "coauthor_removed", ["authors"], note=author.email)
        work.audit("proposal.coauthor_removed", target=proposal, details={"email": author.email})
    return author


def bind_authors(user: User) -> int:
    """Invitations sent to this address become the user's co-authorships (at sign-in)."""
    waiting = (
        ProposalAuthor.email == normalise_email(user.email),
        ProposalAuthor.user_id.is_(None),
    )
    if not db.session.scalar(select(exists().where(*waiting))):
        return 0  # the usual sign-in: nothing to write, the sign-in's own work left alone
    with unit_of_work(actor=user):
        bound = db.session.execute(
            update(ProposalAuthor)
            .where(*waiting)
            .values(user_id=user.id)
            .execution_options(synchronize_session=False)
        ).rowcount
    return bound
