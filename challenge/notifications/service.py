"""The outbox: queue messages inside the caller's transaction, deliver them after commit.

Every write path of the platform that sends mail calls :func:`queue` before committing. The row
and the change that causes it commit together; after commit the message's id is handed to Celery.
If the broker is down, the beat task :func:`sweep` finds the message later: mail is delayed, never
lost. Delivery claims the row with a conditional UPDATE (one winner among concurrent workers), so a
message is sent once even if two workers pick it up; a worker that dies mid-delivery leaves a
stale claim that the sweep releases after ``STALE_CLAIM``.
"""

from __future__ import annotations

import logging
from base64 import b64decode, b64encode
from dataclasses import dataclass
from datetime import UTC, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from challenge.access.roles import may_see_every_message
from challenge.audit import service as audit
from challenge.errors import Forbidden, NotFound
from challenge.extensions import db
from challenge.notifications import transport
from challenge.notifications.models import MessageStatus, OutboxMessage
from challenge.notifications.rendering import render_mail
from challenge.timeutils import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF_SECONDS = 3600
STALE_CLAIM = timedelta(minutes=10)
SWEEP_BATCH = 500
DELIVER_TASK = "worker.tasks.deliver_message"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | retry | failed | skipped
    retry_in: int | None = None


def queue(
    kind: str,
    to: str,
    context: dict[str, object],
    *,
    locale: str = "fr",
    user_id: int | None = None,
    campaign_id: int | None = None,
    dedup_key: str | None = None,
    attachments: list[Attachment] | None = None,
) -> OutboxMessage:
    """Add a message to the current transaction. With ``dedup_key``, a second call is a no-op."""
    if dedup_key is not None:
        existing = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedup_key == dedup_key)
        )
        if existing is not None:
            return existing
    mail = render_mail(kind, context, locale)
    sender_domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    message = OutboxMessage(
        kind=kind,
        dedup_key=dedup_key,
        campaign_id=campaign_id,
        user_id=user_id,
        to_address=to,
        subject=mail.subject,
        body_text=mail.text,
        body_html=mail.html,
        attachments=[
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "content": b64encode(a.content).decode("ascii"),
            }
            for a in attachments or []
        ],
        message_id=make_msgid(idstring=kind.replace("_", "-"), domain=sender_domain),
        status=MessageStatus.PENDING.value,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    return message


def build_email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(message.created_at.replace(tzinfo=UTC))
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    for item in message.attachments or []:
        maintype, _, subtype = item["content_type"].partition("/")
        email.add_attachment(
            b64decode(item["content"]),
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=item["filename"],
        )
    return email


def backoff_seconds(attempts: int) -> int:
    base = int(current_app.config.get("OUTBOX_RETRY_BASE_SECONDS", 30))
    return min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


def _claim(message_id: int) -> bool:
    now = utcnow()
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == MessageStatus.PENDING.value,
            OutboxMessage.next_attempt_at <= now,
        )
        .values(
            status=MessageStatus.SENDING.value,
            claimed_at=now,
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def deliver(message_id: int) -> Outcome:
    """Try to deliver one message. Safe to call any number of times, from any worker."""
    if not _claim(message_id):
        return Outcome("skipped")
    message = db.session.get(OutboxMessage, message_id)
    assert message is not None
    db.session.refresh(message)
    try:
        transport.send(
            build_email(message),
            current_app.config.get("SMTP_URL"),
            current_app.config["MAIL_FOLDER"],
        )
    except transport.DeliveryError as error:
        return _record_failure(message, str(error))
    message.status = MessageStatus.SENT.value
    message.sent_at = utcnow()
    message.last_error = ""
    db.session.commit()
    log.info("outbox: sent message %s (%s) to %s", message.id, message.kind, message.to_address)
    return Outcome("sent")


def _record_failure(message: OutboxMessage, error: str) -> Outcome:
    message.last_error = error[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = MessageStatus.FAILED.value
        db.session.commit()
        log.warning("outbox: message %s failed for good: %s", message.id, error)
        return Outcome("failed")
    delay = backoff_seconds(message.attempts)
    message.status = MessageStatus.PENDING.value
    message.next_attempt_at = utcnow() + timedelta(seconds=delay)
    db.session.commit()
    log.info("outbox: message %s will be retried in %s s: %s", message.id, delay, error)
    return Outcome("retry", delay)


def sweep() -> int:
    """Release stale claims and queue every due message. Returns how many were queued."""
    now = utcnow()
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == MessageStatus.SENDING.value,
            OutboxMessage.claimed_at < now - STALE_CLAIM,
        )
        .values(status=MessageStatus.PENDING.value)
        .execution_options(synchronize_session=False)
    )
    due = db.session.scalars(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == MessageStatus.PENDING.value,
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.id)
        .limit(SWEEP_BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    db.session.commit()
    queued = 0
    for message_id in due:
        if not _enqueue(message_id):
            break  # broker down: the next sweep queues the rest
        queued += 1
    return queued


def retry_failed(message_id: int, actor: object) -> OutboxMessage:
    """An admin asks for one more try of a message that failed for good.

    The outbox sits below the unit of work (which queues through it), so this write ends by hand.
    """
    if not may_see_every_message(actor):  # type: ignore[arg-type]
        raise Forbidden
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status != MessageStatus.FAILED.value:
        raise NotFound
    requeue(message)
    audit.record("outbox.retry", actor=actor, campaign_id=message.campaign_id, target=message)
    db.session.commit()
    return message


def requeue(message: OutboxMessage) -> None:
    """One more try of a message that failed for good: pending now, its attempts forgotten, and
    handed to the worker after the caller's commit, as a new message is (the admin's retry and
    the organisers' resend of a convocation or result)."""
    message.status = MessageStatus.PENDING.value
    message.next_attempt_at = utcnow()
    message.attempts = 0
    db.session.info.setdefault("outbox_new", []).append(message.id)


def _enqueue(message_id: int) -> bool:
    """Hand a message to Celery; False when the broker cannot be reached (the sweep will)."""
    celery = current_app.extensions.get("celery")
    if celery is None:
        return False
    try:
        # Nobody waits for the outcome: with a result backend to subscribe to, a Redis outage
        # would block the caller some 20 s more before failing.
        celery.send_task(DELIVER_TASK, args=[message_id], retry=False, ignore_result=True)
    except Exception as error:  # broker down: the sweep will find the message later
        log.warning("outbox: could not queue message %s (%s); the sweep will", message_id, error)
        return False
    return True


@event.listens_for(Session, "after_flush")
def _collect_new_messages(session: Session, flush_context: object) -> None:
    new_ids = [obj.id for obj in session.new if isinstance(obj, OutboxMessage)]
    if new_ids:
        session.info.setdefault("outbox_new", []).extend(new_ids)


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session: Session) -> None:
    # Each failed attempt to reach the broker costs seconds: stop at the first one, the sweep
    # queues what is left instead of the request waiting once per message.
    for message_id in session.info.pop("outbox_new", []):
        if not _enqueue(message_id):
            break


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop("outbox_new", None)
