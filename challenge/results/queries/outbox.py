"""The results' messages already in the outbox, found by their kind and dedup key.

A dedup key names what a message is about (a slot as it is now, a decision and its recipient),
so queueing the same message twice is a no-op and the pages can tell what was sent.
"""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import func, select

from challenge.extensions import db
from challenge.notifications.models import OutboxMessage
from challenge.results.models import PitchSlot

# Message kinds (templates/mail/<kind>.html).
KIND_CONVOCATION = "pitch_convocation"
KIND_CHANGE_REQUEST = "pitch_change_request"
KIND_RESULT = "result_message"
RESENDABLE_KINDS = (KIND_CONVOCATION, KIND_RESULT)


def email_key(email: str) -> str:
    return hashlib.sha256(email.lower().encode()).hexdigest()[:16]


def _slot_fingerprint(slot: PitchSlot) -> str:
    raw = f"{slot.duration_minutes}|{slot.location}|{slot.video_link}"
    return hashlib.sha256(raw.encode()).hexdigest()[:8]


def convocation_prefix(campaign_id: int, slot: PitchSlot) -> str:
    """Same slot, proposal, start and place: the same convocation, sent once per person."""
    return (
        f"pitch:c{campaign_id}:s{slot.id}:p{slot.proposal_id}:"
        f"{slot.starts_at:%Y%m%d%H%M}:{_slot_fingerprint(slot)}:"
    )


def result_key(campaign_id: int, proposal_id: int, email: str) -> str:
    key = f"result:c{campaign_id}:p{proposal_id}:{email.lower()}"
    if len(key) > 200:
        key = f"result:c{campaign_id}:p{proposal_id}:{email_key(email)}"
    return key


def existing_keys(campaign_id: int, kind: str) -> set[str]:
    return set(
        db.session.scalars(
            select(OutboxMessage.dedup_key).where(
                OutboxMessage.campaign_id == campaign_id,
                OutboxMessage.kind == kind,
                OutboxMessage.dedup_key.is_not(None),
            )
        )
    )


def convoked_proposals(campaign_id: int) -> set[int]:
    """Proposals already convoked once (a new convocation is then an update)."""
    result = set()
    for key in existing_keys(campaign_id, KIND_CONVOCATION):
        match = re.match(r"pitch:c\d+:s\d+:p(\d+):", key)
        if match:
            result.add(int(match.group(1)))
    return result


def results_sent(campaign_id: int) -> int:
    """How many result messages were queued: once one is, the decision is final."""
    return (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.campaign_id == campaign_id, OutboxMessage.kind == KIND_RESULT
            )
        )
        or 0
    )
