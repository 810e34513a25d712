"""The agent's answer page: the convocation's personal link, and the slot it names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from challenge.campaigns.models import Campaign, CampaignStatus
from challenge.errors import Refused
from challenge.extensions import db
from challenge.results.models import PitchSlot
from challenge.results.queries.proposals import titles_of

ANSWER_LINK_DAYS = 120


class InvalidLink(Refused):
    """A convocation link that was altered, expired, or names a slot that changed since."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # invalid | expired | outdated


@dataclass(frozen=True)
class AnswerPage:
    campaign_title: str
    title: str
    email: str
    starts_at: datetime
    ends_at: datetime
    location: str
    video_link: str
    confirmation: str
    confirmation_note: str
    answered_at: datetime | None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="pitch-slot-answer")


def answer_token(slot: PitchSlot, email: str) -> str:
    """The personal link's token: the slot as it is now (proposal and start) and the address."""
    return _serializer().dumps(
        {"s": slot.id, "p": slot.proposal_id, "t": slot.starts_at.isoformat(), "e": email}
    )


def slot_from_token(token: str, *, lock: bool = False) -> tuple[PitchSlot, str]:
    """The slot the link names and the address it was sent to; InvalidLink if it changed."""
    try:
        data = _serializer().loads(token, max_age=ANSWER_LINK_DAYS * 86400)
    except SignatureExpired as error:
        raise InvalidLink("expired") from error
    except BadSignature as error:
        raise InvalidLink("invalid") from error
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise InvalidLink("invalid")
    query = select(PitchSlot).where(PitchSlot.id == data["s"])
    slot = db.session.scalar(query.with_for_update() if lock else query)
    if (
        slot is None
        or slot.proposal_id is None
        or slot.proposal_id != data.get("p")
        or slot.starts_at.isoformat() != data.get("t")
    ):
        raise InvalidLink("outdated")
    campaign = db.session.get(Campaign, slot.campaign_id)
    if campaign is None or campaign.status != CampaignStatus.PITCH.value:
        raise InvalidLink("outdated")
    return slot, str(data.get("e", ""))


def answer_page(token: str) -> AnswerPage:
    slot, email = slot_from_token(token)
    campaign = db.session.get(Campaign, slot.campaign_id)
    return AnswerPage(
        campaign_title=campaign.title if campaign else "",
        title=titles_of([slot.proposal_id or 0]).get(slot.proposal_id or 0, ""),
        email=email,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        location=slot.location,
        video_link=slot.video_link,
        confirmation=slot.confirmation,
        confirmation_note=slot.confirmation_note,
        answered_at=slot.answered_at,
    )
