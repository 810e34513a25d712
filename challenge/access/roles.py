"""Who may do what in a campaign: predicates used by every service, page and export.

Declared once here, as pretalx does, so that pages, exports and e-mails agree.
"""

from __future__ import annotations

from sqlalchemy import exists, select

from challenge.accounts.models import Membership, Role, User
from challenge.extensions import db


def has_role(user: User | None, campaign_id: int, role: Role) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Membership.campaign_id == campaign_id,
                    Membership.user_id == user.id,
                    Membership.role == role.value,
                )
            )
        )
    )


def is_admin(user: User | None) -> bool:
    """The platform's admins: they create campaigns, organise every one, see every message."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_admin)


def is_organiser(user: User | None, campaign_id: int) -> bool:
    """Organisers of the campaign, and global admins (who create campaigns)."""
    if is_admin(user):
        return True
    return has_role(user, campaign_id, Role.ORGANISER)


def is_juror(user: User | None, campaign_id: int) -> bool:
    return has_role(user, campaign_id, Role.JUROR)


def campaign_ids_with_role(user: User | None, role: Role) -> list[int]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(
        db.session.scalars(
            select(Membership.campaign_id).where(
                Membership.user_id == user.id, Membership.role == role.value
            )
        )
    )


def may_create_campaigns(user: User | None) -> bool:
    return is_admin(user)


def may_see_every_message(user: User | None) -> bool:
    """The outbox of the whole platform (``/admin/messages``), and retrying a failed message."""
    return is_admin(user)


def may_see_organiser_pages(user: User | None) -> bool:
    return is_admin(user) or bool(campaign_ids_with_role(user, Role.ORGANISER))


def may_see_jury_pages(user: User | None) -> bool:
    return bool(campaign_ids_with_role(user, Role.JUROR))
