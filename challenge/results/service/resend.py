"""One more try of a convocation or result message that failed for good."""

from __future__ import annotations

import contextlib

from flask import current_app
from flask_babel import gettext as _

from challenge.access.campaigns import campaign_for_organiser
from challenge.accounts.models import User
from challenge.errors import NotFound, Refused
from challenge.extensions import db
from challenge.notifications import service as outbox
from challenge.notifications.models import MessageStatus, OutboxMessage
from challenge.results.queries.outbox import RESENDABLE_KINDS
from challenge.timeutils import utcnow
from challenge.unit_of_work import unit_of_work


def resend(user: User, campaign_id: int, message_id: int) -> OutboxMessage:
    """One more try of a convocation or result message that failed for good (organisers of its
    campaign; the same reset as ``notifications.service.retry_failed``)."""
    campaign = campaign_for_organiser(user, campaign_id, lock=True)
    message = db.session.get(OutboxMessage, message_id)
    if (
        message is None
        or message.campaign_id != campaign.id
        or message.kind not in RESENDABLE_KINDS
    ):
        raise NotFound
    if message.status != MessageStatus.FAILED.value:
        raise Refused(_("Ce message n’est pas en échec : il n’y a rien à renvoyer."))
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        message.status = MessageStatus.PENDING.value
        message.next_attempt_at = utcnow()
        message.attempts = 0
        work.audit("results.message_resent", target=message)
    _enqueue(message.id)
    return message


def _enqueue(message_id: int) -> None:
    """Hand the message to the worker now; if the broker is down, the outbox sweep will."""
    celery = current_app.extensions.get("celery")
    if celery is None:
        return
    # Broker down: the outbox sweep queues it within a minute.
    with contextlib.suppress(Exception):
        celery.send_task(outbox.DELIVER_TASK, args=[message_id], retry=False, ignore_result=True)
