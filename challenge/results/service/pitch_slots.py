"""Pitch day's slots: generate, add, change, delete, fill in ranking order, move, free.

Each change of a slot's time, place or occupant resets its convocation: the agent must be told
again and answer again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from flask_babel import gettext as _

from challenge.access.campaigns import campaign_for_organiser
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.errors import Refused
from challenge.extensions import db
from challenge.results import slots as slot_algo
from challenge.results.models import PitchSlot, SlotConfirmation
from challenge.results.queries.phases import slot_refusal
from challenge.results.queries.pitch_list import pitch_list
from challenge.results.queries.slots import campaign_slot, existing_slots, pure_slot
from challenge.results.service.checks import nothing_saved
from challenge.results.service.slot_input import (
    GenerateInput,
    Place,
    SlotInput,
    checked_plan,
    checked_slot,
    format_paris,
    past_error,
)
from challenge.timeutils import paris_to_utc, utcnow
from challenge.unit_of_work import unit_of_work


def _slots_campaign(user: User, campaign_id: int) -> Campaign:
    """The campaign, locked, for an organiser changing its slots while :func:`slot_refusal`
    allows it (Refused otherwise)."""
    campaign = campaign_for_organiser(user, campaign_id, lock=True)
    refusal = slot_refusal(campaign)
    if refusal:
        raise Refused(refusal)
    return campaign


def _new_slot(campaign_id: int, starts_at: datetime, duration: int, place: Place) -> PitchSlot:
    """A new slot (no proposal on it yet), its confirmation pending."""
    return PitchSlot(
        campaign_id=campaign_id,
        starts_at=starts_at,
        duration_minutes=duration,
        location=place.location,
        video_link=place.video_link,
        confirmation=SlotConfirmation.PENDING.value,
        confirmation_note="",
    )


def _reset_convocation(slot: PitchSlot) -> None:
    """The slot's details or proposal changed: the agent must be told again and answer again."""
    slot.convoked_at = None
    slot.answered_at = None
    slot.confirmation = SlotConfirmation.PENDING.value
    slot.confirmation_note = ""


def _free_starts(campaign_id: int, starts: Sequence[datetime], duration: int) -> None:
    """Invalid if the first start is past or any new slot overlaps an existing one."""
    if starts[0] < utcnow():
        raise nothing_saved({"day": past_error()})
    existing = [pure_slot(s) for s in existing_slots(campaign_id)]
    for index, start in enumerate(starts):
        clash = slot_algo.overlapping(slot_algo.Slot(-1 - index, start, duration), existing)
        if clash:
            message = _(
                "Ces créneaux chevauchent le créneau existant du %(when)s : changez "
                "l’heure de début ou le nombre de créneaux.",
                when=format_paris(clash[0].starts_at),
            )
            raise nothing_saved({"start": message})


def generate_slots(user: User, campaign_id: int, data: GenerateInput) -> int:
    """Create ``count`` slots of ``duration`` minutes from the given Paris time, with breaks."""
    campaign = _slots_campaign(user, campaign_id)
    plan, place, first = checked_plan(data)
    starts = [paris_to_utc(s) for s in slot_algo.generate_starts(first, plan)]
    _free_starts(campaign.id, starts, plan.duration)
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        db.session.add_all(_new_slot(campaign.id, s, plan.duration, place) for s in starts)
        work.audit(
            "results.slots_generated",
            target=campaign,
            details={
                "count": plan.count,
                "first": starts[0].isoformat(),
                "duration": plan.duration,
                "gap": plan.gap,
                "break_every": plan.break_every,
                "break_minutes": plan.break_minutes,
                "location": place.location,
                "video_link": place.video_link,
            },
        )
    return len(starts)


def add_slot(user: User, campaign_id: int, data: SlotInput) -> PitchSlot:
    campaign = _slots_campaign(user, campaign_id)
    starts_at, duration, place = checked_slot(campaign.id, data, None)
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        slot = _new_slot(campaign.id, starts_at, duration, place)
        db.session.add(slot)
        db.session.flush()
        work.audit(
            "results.slot_added",
            target=slot,
            details={"starts_at": starts_at.isoformat(), "duration": duration},
        )
    return slot


def update_slot(user: User, campaign_id: int, slot_id: int, data: SlotInput) -> PitchSlot:
    campaign = _slots_campaign(user, campaign_id)
    slot = campaign_slot(campaign, slot_id)
    starts_at, duration, place = checked_slot(campaign.id, data, slot)
    before = (slot.starts_at, slot.duration_minutes, slot.location, slot.video_link)
    after = (starts_at, duration, place.location, place.video_link)
    if before == after:
        return slot
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        slot.starts_at, slot.duration_minutes, slot.location, slot.video_link = after
        _reset_convocation(slot)
        work.audit(
            "results.slot_updated",
            target=slot,
            details={
                "before": [before[0].isoformat(), *before[1:]],
                "after": [starts_at.isoformat(), *after[1:]],
            },
        )
    return slot


def delete_slot(user: User, campaign_id: int, slot_id: int) -> None:
    campaign = _slots_campaign(user, campaign_id)
    slot = campaign_slot(campaign, slot_id)
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        work.audit(
            "results.slot_deleted",
            target=slot,
            details={"starts_at": slot.starts_at.isoformat(), "proposal_id": slot.proposal_id},
        )
        db.session.delete(slot)


def _apply_assignment(slots: Sequence[PitchSlot], changes: Mapping[int, int | None]) -> None:
    """Write new occupants; empty the changing slots first (a proposal holds one slot at most)."""
    by_id = {s.id: s for s in slots}
    for slot_id in changes:
        by_id[slot_id].proposal_id = None
    db.session.flush()
    for slot_id, proposal_id in changes.items():
        slot = by_id[slot_id]
        slot.proposal_id = proposal_id
        _reset_convocation(slot)


def fill_slots(user: User, campaign_id: int, *, reset: bool = False) -> slot_algo.Filling:
    """Place the pitch list into the slots in written-ranking order (earliest slot: best).

    Without ``reset`` the proposals already placed (maybe by hand) stay where they are.
    """
    campaign = _slots_campaign(user, campaign_id)
    rows = existing_slots(campaign.id)
    if not rows:
        raise Refused(_("Créez d’abord des créneaux."))
    ranked = [p.id for p in pitch_list(campaign.id)]
    if not ranked:
        raise Refused(_("Aucune proposition n’est présélectionnée pour les pitchs."))
    pure = [pure_slot(s) for s in rows]
    filling = slot_algo.fill(pure, ranked, keep=not reset)
    changes = filling.changed(pure)
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        _apply_assignment(rows, changes)
        work.audit(
            "results.slots_filled",
            target=campaign,
            details={
                "reset": reset,
                "changes": {str(k): v for k, v in changes.items()},
                "unplaced": list(filling.unplaced),
            },
        )
    return filling


def move_proposal(user: User, campaign_id: int, proposal_id: int, slot_id: int) -> None:
    """Put a proposal in a slot; the slot's occupant takes the proposal's former slot (swap)."""
    campaign = _slots_campaign(user, campaign_id)
    rows = existing_slots(campaign.id)
    if slot_id not in {s.id for s in rows}:
        raise nothing_saved({"slot_id": _("Choisissez un créneau de cette campagne.")})
    if proposal_id not in {p.id for p in pitch_list(campaign.id)}:
        raise nothing_saved({"proposal_id": _("Choisissez une proposition présélectionnée.")})
    changes = slot_algo.move([pure_slot(s) for s in rows], proposal_id, slot_id)
    if not changes:
        return
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        _apply_assignment(rows, changes)
        work.audit(
            "results.slot_moved",
            target=campaign,
            details={
                "proposal_id": proposal_id,
                "changes": {str(k): v for k, v in changes.items()},
            },
        )


def free_slot(user: User, campaign_id: int, slot_id: int) -> None:
    """Take the proposal out of a slot (it goes back to the proposals without a slot)."""
    campaign = _slots_campaign(user, campaign_id)
    slot = campaign_slot(campaign, slot_id)
    if slot.proposal_id is None:
        return
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        work.audit("results.slot_freed", target=slot, details={"proposal_id": slot.proposal_id})
        slot.proposal_id = None
        _reset_convocation(slot)
