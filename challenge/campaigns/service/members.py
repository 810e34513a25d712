"""Organisers and jurors of a campaign: invited by e-mail (the role binds to the account at its
first sign-in), removed while they have nothing under way."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import exists, or_, select

from challenge.access.campaigns import valid_id
from challenge.accounts.models import Membership, Role, User
from challenge.campaigns.models import Campaign
from challenge.campaigns.service.addresses import parse_emails
from challenge.campaigns.service.versioned import ensure_editable
from challenge.campaigns.texts import _, quoted
from challenge.errors import ConcurrentChange, Invalid, NotFound, Refused
from challenge.extensions import db
from challenge.jury.models import AssignmentState, Review, ReviewAssignment
from challenge.notifications.rendering import external_url
from challenge.timeutils import utcnow
from challenge.unit_of_work import Work, unit_of_work

MAX_INVITES = 200


@dataclass(frozen=True)
class InviteResult:
    invited: list[str]
    already: list[str]


def invite_members(campaign: Campaign, raw_emails: str, role: Role, actor: User) -> InviteResult:
    """Invite jurors (or co-organisers) by e-mail; addresses already invited are skipped."""
    ensure_editable(campaign, actor)
    emails, bad = parse_emails(raw_emails)
    if bad:
        message = _("Ces adresses ne sont pas valides : %(list)s.", list=quoted(bad))
        raise Invalid({"emails": [message]})
    if not emails:
        raise Invalid({"emails": [_("Saisissez au moins une adresse électronique.")]})
    if len(emails) > MAX_INVITES:
        raise Invalid({"emails": [_("Invitez au plus 200 personnes à la fois.")]})
    try:
        with unit_of_work(actor=actor, campaign_id=campaign.id) as work:
            return invite(work, campaign, emails, role)
    except ConcurrentChange:
        # A double click: the other request invited them first; nothing is sent twice.
        return InviteResult([], emails)


def invite(work: Work, campaign: Campaign, emails: list[str], role: Role) -> InviteResult:
    """Add the memberships, their invitations and audit events to ``work``."""
    if not emails:
        return InviteResult([], [])
    already = set(
        db.session.scalars(
            select(Membership.email).where(
                Membership.campaign_id == campaign.id,
                Membership.role == role.value,
                Membership.email.in_(emails),
            )
        )
    )
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
    context = {
        "campaign_title": campaign.title,
        "administration": campaign.administration,
        "inviter": work.actor.display_name if work.actor is not None else "",
        "link": _invitation_link(campaign, role),
        "public_link": external_url("campaigns.public_page", slug=campaign.slug),
    }
    invited = []
    for email in emails:
        if email not in already:
            _add_member(work, campaign, email, users.get(email), role, context)
            invited.append(email)
    return InviteResult(invited, sorted(already))


def _add_member(
    work: Work,
    campaign: Campaign,
    email: str,
    user: User | None,
    role: Role,
    context: dict[str, object],
) -> None:
    now = utcnow()
    # An existing account gets the role at once; otherwise at its first sign-in.
    membership = Membership(
        campaign_id=campaign.id,
        email=email,
        role=role.value,
        user_id=user.id if user else None,
        invited_at=now,
        joined_at=now if user else None,
    )
    db.session.add(membership)
    db.session.flush()
    work.mail(
        f"campaign_{role.value}_invitation",
        to=email,
        context=context,
        locale=user.locale if user else "fr",
        user_id=user.id if user else None,
        campaign_id=campaign.id,
        dedup_key=f"invite:campaign:{campaign.id}:{role.value}:{email}:{membership.id}",
    )
    work.audit(
        f"campaign.{role.value}_invited",
        target=membership,
        details={"email": email},
        campaign_id=campaign.id,
    )


def _local_path(endpoint: str, **values: object) -> str:
    url = urlsplit(external_url(endpoint, **values))
    return url.path + (f"?{url.query}" if url.query else "")


def _invitation_link(campaign: Campaign, role: Role) -> str:
    if role is Role.ORGANISER:
        target = _local_path("campaigns.dashboard", campaign_id=campaign.id)
    elif "jury.workspace" in current_app.view_functions:
        target = _local_path("jury.workspace")
    else:
        target = _local_path("campaigns.public_page", slug=campaign.slug)
    return external_url("accounts.sign_in", next=target)


def remove_member(campaign: Campaign, membership_id: int, role: Role, actor: User) -> None:
    ensure_editable(campaign, actor)
    if not valid_id(membership_id):
        raise NotFound
    membership = db.session.scalar(
        select(Membership).where(
            Membership.id == membership_id,
            Membership.campaign_id == campaign.id,
            Membership.role == role.value,
        )
    )
    if membership is None:
        raise NotFound
    if role is Role.ORGANISER and membership.user_id == actor.id:
        raise Refused(_("Vous ne pouvez pas vous retirer vous-même de l’organisation."))
    if role is Role.JUROR and _juror_busy(campaign, membership):
        raise Refused(
            _(
                "Ce juré a des propositions attribuées ou des évaluations : retirez d’abord "
                "ses attributions."
            )
        )
    with unit_of_work(actor=actor, campaign_id=campaign.id) as work:
        work.audit(
            f"campaign.{role.value}_removed", target=membership, details={"email": membership.email}
        )
        db.session.delete(membership)


def _juror_busy(campaign: Campaign, membership: Membership) -> bool:
    if membership.user_id is None:
        return False
    return bool(
        db.session.scalar(
            select(
                or_(
                    exists().where(
                        ReviewAssignment.campaign_id == campaign.id,
                        ReviewAssignment.juror_id == membership.user_id,
                        ReviewAssignment.state == AssignmentState.ACTIVE.value,
                    ),
                    exists().where(
                        Review.campaign_id == campaign.id, Review.juror_id == membership.user_id
                    ),
                )
            )
        )
    )
