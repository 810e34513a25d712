"""The admin's list of the messages the platform sent, or tries to send."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from challenge.extensions import db
from challenge.notifications.models import MessageStatus, OutboxMessage

PAGE_SIZE = 50
STATUSES = tuple(s.value for s in MessageStatus)


@dataclass(frozen=True)
class MessagesPage:
    messages: list[OutboxMessage]
    counts: dict[str, int]
    status: str  # the filter ("": every status)
    page: int
    pages: int


def sent_messages(status: str, page: int) -> MessagesPage:
    """One page of the messages, newest first, of one status (an unknown one: all)."""
    status = status if status in STATUSES else ""
    page = max(page, 1)
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status:
        query = query.where(OutboxMessage.status == status)
    messages = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    counts = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    total = counts.get(status, 0) if status else sum(counts.values())
    return MessagesPage(
        messages=list(messages),
        counts=counts,
        status=status,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
    )
