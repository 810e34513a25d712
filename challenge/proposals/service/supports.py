""" "Moi aussi": an agent shares an irritant another agent already reported."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from challenge.accounts.models import User
from challenge.errors import Invalid
from challenge.extensions import db
from challenge.proposals.fields import clean_text
from challenge.proposals.models import MAX_TESTIMONY_LENGTH, Support
from challenge.proposals.queries.irritants import irritant
from challenge.unit_of_work import unit_of_work


def support(slug: str, proposal_id: int, user: User, testimony: str = "") -> Support:
    """The agent shares this irritant (once; a second time updates the testimony)."""
    found = irritant(slug, proposal_id, user)
    testimony = clean_text(testimony)
    if len(testimony) > MAX_TESTIMONY_LENGTH:
        raise Invalid(
            {
                "testimony": str(
                    _l(
                        "Ce texte fait %(length)s caractères : %(limit)s au maximum.",
                        length=len(testimony),
                        limit=MAX_TESTIMONY_LENGTH,
                    )
                )
            }
        )
    with unit_of_work(actor=user, campaign_id=found.campaign_id) as work:
        row = db.session.scalar(
            select(Support).where(Support.proposal_id == found.id, Support.user_id == user.id)
        )
        if row is None:
            row = Support(proposal_id=found.id, user_id=user.id, testimony=testimony)
            db.session.add(row)
            action = "proposal.support_added"
        else:
            row.testimony = testimony
            action = "proposal.support_updated"
        db.session.flush()
        work.audit(action, target=row, details={"proposal_id": found.id})
    return row


def withdraw_support(slug: str, proposal_id: int, user: User) -> None:
    found = irritant(slug, proposal_id, user)
    with unit_of_work(actor=user, campaign_id=found.campaign_id) as work:
        removed = db.session.execute(
            delete(Support).where(Support.proposal_id == found.id, Support.user_id == user.id)
        ).rowcount
        if removed:
            work.audit("proposal.support_removed", details={"proposal_id": found.id})
