"""The organisers select proposals for the pitch, or set them aside, each with a note."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from challenge.access.campaigns import campaign_for_organiser
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.errors import Refused
from challenge.extensions import db
from challenge.jury.models import ShortlistDecision
from challenge.jury.queries.phases import shortlist_refusal
from challenge.proposals.lifecycle import ProposalStatus
from challenge.proposals.models import Proposal
from challenge.proposals.service.status import set_status
from challenge.timeutils import utcnow
from challenge.unit_of_work import unit_of_work

NOTE_MAX = 2000
SHORTLISTABLE = (ProposalStatus.SUBMITTED.value, ProposalStatus.SHORTLISTED.value)


@dataclass(frozen=True)
class ShortlistChoice:
    proposal_id: int
    note: str = ""


def decide_shortlist(
    user: User, campaign_id: int, choices: Sequence[ShortlistChoice], *, selected: bool
) -> int:
    """Select (or set aside) proposals for the pitch, each with its note. All or nothing."""
    campaign = campaign_for_organiser(user, campaign_id, lock=True)
    refusal = shortlist_refusal(campaign)
    if refusal:
        raise Refused(refusal)
    if not choices:
        raise Refused(_l("Cochez au moins une proposition."))
    if any(len(c.note) > NOTE_MAX for c in choices):
        raise Refused(_l("Une note dépasse %(max)s caractères.", max=NOTE_MAX))
    ids = sorted({c.proposal_id for c in choices})
    proposals = _shortlistable(campaign, ids)
    decisions = {
        d.proposal_id: d
        for d in db.session.scalars(
            select(ShortlistDecision).where(ShortlistDecision.proposal_id.in_(ids))
        )
    }
    notes = {c.proposal_id: c.note.strip() for c in choices}
    target = ProposalStatus.SHORTLISTED if selected else ProposalStatus.SUBMITTED
    now = utcnow()
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        for proposal_id in ids:
            decision = decisions.get(proposal_id)
            if decision is None:
                decision = ShortlistDecision(campaign_id=campaign.id, proposal_id=proposal_id)
                db.session.add(decision)
            decision.selected = selected
            decision.note = notes[proposal_id]
            decision.decided_by_id = user.id
            decision.decided_at = now
            proposal = proposals[proposal_id]
            set_status(proposal, target, work)
            work.audit(
                "jury.shortlist_decided",
                target=proposal,
                details={"selected": selected, "note": decision.note},
            )
    return len(ids)


def _shortlistable(campaign: Campaign, ids: list[int]) -> dict[int, Proposal]:
    """The proposals, by id; refused unless every one is in the campaign and still in the running."""
    proposals = {
        p.id: p
        for p in db.session.scalars(
            select(Proposal).where(Proposal.id.in_(ids), Proposal.campaign_id == campaign.id)
        )
    }
    unusable = [i for i in ids if i not in proposals or proposals[i].status not in SHORTLISTABLE]
    if unusable:
        raise Refused(
            _l(
                "Rien n’est enregistré : %(count)s proposition(s) choisie(s) ne sont pas en lice "
                "(retirées ou inconnues).",
                count=len(unusable),
            )
        )
    return proposals
