"""The organisers' pitch-day page: the slots, who is placed where, and the convocations' delivery."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from challenge.access.campaigns import campaign_for_organiser
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.errors import NotFound
from challenge.extensions import db
from challenge.notifications.models import MessageStatus, OutboxMessage
from challenge.results import slots as slot_algo
from challenge.results.models import PitchSlot, SlotConfirmation
from challenge.results.queries.outbox import KIND_CONVOCATION, convocation_prefix
from challenge.results.queries.phases import convocation_refusal, slot_refusal
from challenge.results.queries.pitch_list import PitchProposal, pitch_list
from challenge.results.queries.proposals import titles_of
from challenge.timeutils import utcnow


@dataclass(frozen=True)
class SlotRow:
    id: int
    starts_at: datetime  # naive UTC
    ends_at: datetime
    duration_minutes: int
    location: str
    video_link: str
    proposal_id: int | None
    title: str | None
    written_rank: int | None
    confirmation: str
    confirmation_note: str
    answered_at: datetime | None
    convoked_at: datetime | None
    convocation_status: str | None  # sent | pending | failed | None (none for these details)
    failed_messages: tuple[tuple[int, str], ...]  # (outbox id, address) that failed for good
    overlaps: bool
    past: bool


@dataclass(frozen=True)
class SlotsPage:
    campaign: Campaign
    rows: list[SlotRow]
    pitch_list: list[PitchProposal]
    unplaced: list[PitchProposal]
    edit_refusal: str | None
    convocation_refusal: str | None
    to_convoke: int  # slots with a proposal whose current details were not sent yet
    confirmed: int
    change_requested: int


def existing_slots(campaign_id: int) -> list[PitchSlot]:
    return list(
        db.session.scalars(
            select(PitchSlot)
            .where(PitchSlot.campaign_id == campaign_id)
            .order_by(PitchSlot.starts_at, PitchSlot.id)
        )
    )


def pure_slot(slot: PitchSlot) -> slot_algo.Slot:
    """The slot as the pure slot algorithms see it."""
    return slot_algo.Slot(slot.id, slot.starts_at, slot.duration_minutes, slot.proposal_id)


def campaign_slot(campaign: Campaign, slot_id: int) -> PitchSlot:
    slot = db.session.get(PitchSlot, slot_id)
    if slot is None or slot.campaign_id != campaign.id:
        raise NotFound
    return slot


def slot_for_edit(user: User, campaign_id: int, slot_id: int) -> tuple[Campaign, PitchSlot]:
    campaign = campaign_for_organiser(user, campaign_id)
    return campaign, campaign_slot(campaign, slot_id)


def slots_page(user: User, campaign_id: int) -> SlotsPage:
    campaign = campaign_for_organiser(user, campaign_id)
    slots = existing_slots(campaign.id)
    proposals = pitch_list(campaign.id)
    placed = {s.proposal_id for s in slots if s.proposal_id is not None}
    return SlotsPage(
        campaign=campaign,
        rows=_slot_rows(campaign, slots, proposals),
        pitch_list=proposals,
        unplaced=[p for p in proposals if p.id not in placed],
        edit_refusal=slot_refusal(campaign),
        convocation_refusal=convocation_refusal(campaign),
        to_convoke=sum(1 for s in slots if s.proposal_id and s.convoked_at is None),
        confirmed=sum(1 for s in slots if s.confirmation == SlotConfirmation.CONFIRMED.value),
        change_requested=sum(
            1 for s in slots if s.confirmation == SlotConfirmation.CHANGE_REQUESTED.value
        ),
    )


def _slot_rows(
    campaign: Campaign, slots: Sequence[PitchSlot], proposals: Sequence[PitchProposal]
) -> list[SlotRow]:
    by_id = {p.id: p for p in proposals}
    titles = titles_of({s.proposal_id for s in slots if s.proposal_id is not None} - set(by_id))
    overlapping = {i for pair in slot_algo.overlaps([pure_slot(s) for s in slots]) for i in pair}
    statuses, failed = _convocation_statuses(campaign.id, slots)
    now = utcnow()
    rows = []
    for slot in slots:
        proposal = by_id.get(slot.proposal_id) if slot.proposal_id else None
        rows.append(
            SlotRow(
                id=slot.id,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                duration_minutes=slot.duration_minutes,
                location=slot.location,
                video_link=slot.video_link,
                proposal_id=slot.proposal_id,
                title=proposal.title if proposal else titles.get(slot.proposal_id or 0),
                written_rank=proposal.written_rank if proposal else None,
                confirmation=slot.confirmation,
                confirmation_note=slot.confirmation_note,
                answered_at=slot.answered_at,
                convoked_at=slot.convoked_at,
                convocation_status=statuses.get(slot.id),
                failed_messages=tuple(failed.get(slot.id, ())),
                overlaps=slot.id in overlapping,
                past=slot.starts_at < now,
            )
        )
    return rows


def _convocation_statuses(
    campaign_id: int, slots: Sequence[PitchSlot]
) -> tuple[dict[int, str], dict[int, list[tuple[int, str]]]]:
    """Delivery of each slot's convocations for its current details, and the messages that
    failed for good (to resend): one query."""
    prefixes = {
        convocation_prefix(campaign_id, s): s.id for s in slots if s.proposal_id is not None
    }
    if not prefixes:
        return {}, {}
    messages = db.session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.dedup_key,
            OutboxMessage.status,
            OutboxMessage.to_address,
        ).where(OutboxMessage.campaign_id == campaign_id, OutboxMessage.kind == KIND_CONVOCATION)
    ).all()
    found: dict[int, set[str]] = defaultdict(set)
    failed: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for message in messages:
        prefix = (message.dedup_key or "").rpartition(":")[0] + ":"
        if prefix in prefixes:
            found[prefixes[prefix]].add(message.status)
            if message.status == MessageStatus.FAILED.value:
                failed[prefixes[prefix]].append((message.id, message.to_address))
    return {slot_id: _delivery(states) for slot_id, states in found.items()}, dict(failed)


def _delivery(states: set[str]) -> str:
    """One slot's convocations as one state: failed if any failed, sent once all were sent."""
    if MessageStatus.FAILED.value in states:
        return MessageStatus.FAILED.value
    if states == {MessageStatus.SENT.value}:
        return MessageStatus.SENT.value
    return MessageStatus.PENDING.value
