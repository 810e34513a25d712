"""A juror declares a conflict of interest (a proposal, a whole administration) or withdraws one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from challenge.access.campaigns import campaign_for_juror
from challenge.access.juror_view import juror_sight
from challenge.access.jury import normalise_administration
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.errors import Invalid, NotFound
from challenge.extensions import db
from challenge.jury.models import Conflict, ConflictSource
from challenge.jury.queries.conflicts_page import declared_conflicts
from challenge.jury.queries.review_page import visible_proposal
from challenge.unit_of_work import unit_of_work

REASON_MAX = 500
ADMINISTRATION_MAX = 200


def declare_administration_conflict(
    user: User, campaign_id: int, administration: str, reason: str = ""
) -> Conflict:
    """The juror will see no proposal of this administration (compared after normalisation)."""
    campaign = campaign_for_juror(user, campaign_id)
    administration = " ".join(administration.split())
    key = normalise_administration(administration)
    if not key:
        raise Invalid(
            {"administration": _l("Indiquez le nom de l’administration.")},
            _l("Le conflit n’est pas enregistré."),
        )
    if len(administration) > ADMINISTRATION_MAX or len(reason) > REASON_MAX:
        raise Invalid({"reason": _l("Texte trop long.")}, _l("Le conflit n’est pas enregistré."))
    for existing in declared_conflicts(campaign.id, user.id):
        if existing.administration and normalise_administration(existing.administration) == key:
            return existing
    conflict = Conflict(
        campaign_id=campaign.id,
        juror_id=user.id,
        administration=administration,
        source=ConflictSource.DECLARED.value,
        reason=reason.strip(),
    )
    return _save_conflict(user, campaign, conflict)


def declare_proposal_conflict(
    user: User, campaign_id: int, proposal_id: int, reason: str = ""
) -> Conflict:
    """The juror steps back from one proposal they were shown: it disappears from their pages."""
    campaign = campaign_for_juror(user, campaign_id)
    proposal = visible_proposal(juror_sight(campaign, user.id), campaign, proposal_id)
    if len(reason) > REASON_MAX:
        raise Invalid({"reason": _l("Texte trop long.")}, _l("Le conflit n’est pas enregistré."))
    conflict = Conflict(
        campaign_id=campaign.id,
        juror_id=user.id,
        proposal_id=proposal.id,
        source=ConflictSource.DECLARED.value,
        reason=reason.strip(),
    )
    return _save_conflict(user, campaign, conflict)


def _save_conflict(user: User, campaign: Campaign, conflict: Conflict) -> Conflict:
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        db.session.add(conflict)
        work.audit(
            "jury.conflict_declared",
            target=conflict,
            details={
                "proposal_id": conflict.proposal_id,
                "administration": conflict.administration,
                "reason": conflict.reason,
            },
        )
    return conflict


def withdraw_conflict(user: User, campaign_id: int, conflict_id: int) -> None:
    """A juror withdraws a conflict they declared (automatic ones cannot be withdrawn)."""
    campaign = campaign_for_juror(user, campaign_id)
    conflict = db.session.get(Conflict, conflict_id)
    if (
        conflict is None
        or conflict.campaign_id != campaign.id
        or conflict.juror_id != user.id
        or conflict.source != ConflictSource.DECLARED.value
    ):
        raise NotFound
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        work.audit(
            "jury.conflict_withdrawn",
            target=conflict,
            details={
                "proposal_id": conflict.proposal_id,
                "administration": conflict.administration,
            },
        )
        db.session.delete(conflict)
