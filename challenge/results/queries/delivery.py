"""The organisers' delivery page: each recipient of the result messages and how it went."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from challenge.access.campaigns import campaign_for_organiser
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.extensions import db
from challenge.notifications.models import MessageStatus, OutboxMessage
from challenge.results.queries.outbox import KIND_RESULT
from challenge.results.queries.recipients import Recipient, recipients

STATUS_PAGE_SIZE = 100
DELIVERY_FILTERS = ("none", *(s.value for s in MessageStatus))


@dataclass(frozen=True)
class DeliveryRow:
    recipient: Recipient
    message_id: int | None
    status: str | None  # None: not queued yet
    attempts: int
    sent_at: datetime | None
    last_error: str


@dataclass(frozen=True)
class DeliveryPage:
    campaign: Campaign
    rows: list[DeliveryRow]  # this page
    counts: dict[str, int]  # by status ("none": not queued)
    total: int
    matching: int
    status: str
    page: int
    pages: int


def delivery_page(user: User, campaign_id: int, status: str = "", page: int = 1) -> DeliveryPage:
    """Each recipient of the result messages with the delivery of their message: four queries
    whatever the number of recipients."""
    campaign = campaign_for_organiser(user, campaign_id)
    rows = _delivery_rows(campaign.id, recipients(campaign.id))
    status = status if status in DELIVERY_FILTERS else ""
    shown = [r for r in rows if (r.status or "none") == status] if status else rows
    pages = max(1, -(-len(shown) // STATUS_PAGE_SIZE))
    page = min(max(page, 1), pages)
    return DeliveryPage(
        campaign=campaign,
        rows=shown[(page - 1) * STATUS_PAGE_SIZE : page * STATUS_PAGE_SIZE],
        counts=dict(Counter(row.status or "none" for row in rows)),
        total=len(rows),
        matching=len(shown),
        status=status,
        page=page,
        pages=pages,
    )


def _delivery_rows(campaign_id: int, everyone: Sequence[Recipient]) -> list[DeliveryRow]:
    messages = {
        m.dedup_key: m
        for m in db.session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.dedup_key,
                OutboxMessage.status,
                OutboxMessage.attempts,
                OutboxMessage.sent_at,
                OutboxMessage.last_error,
            ).where(OutboxMessage.campaign_id == campaign_id, OutboxMessage.kind == KIND_RESULT)
        )
    }
    rows = []
    for r in everyone:
        m = messages.get(r.dedup_key)
        rows.append(
            DeliveryRow(
                recipient=r,
                message_id=m.id if m else None,
                status=m.status if m else None,
                attempts=m.attempts if m else 0,
                sent_at=m.sent_at if m else None,
                last_error=(m.last_error or "")[:300] if m else "",
            )
        )
    return rows
