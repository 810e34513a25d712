"""The end every write shares: the change, its audit event and its e-mails, in one transaction.

    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        review.status = ReviewStatus.SUBMITTED.value
        work.audit("jury.review_submitted", target=review, details={"proposal_id": proposal.id})
        work.mail("review_receipt", to=user.email, context={...}, user_id=user.id)

The block's rows, the audit events and the outbox messages commit together when the block ends;
an exception rolls all of them back and goes on up. A concurrent change (a unique key taken
meanwhile, a versioned row saved meanwhile) becomes :class:`challenge.errors.ConcurrentChange`,
which the pages show as "someone changed this at the same time": nothing half-written, never a
500. The outbox hands each committed message to Celery after the commit (see
:mod:`challenge.notifications.service`), so mail leaves only for what was really written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from challenge.audit import service as audit
from challenge.audit.models import AuditEvent
from challenge.errors import ConcurrentChange
from challenge.extensions import db
from challenge.notifications import service as outbox
from challenge.notifications.models import OutboxMessage

CONCURRENT_CHANGE = _l(
    "Quelqu’un a modifié ces données en même temps que vous : rien n’est enregistré. "
    "Rechargez la page et recommencez."
)


@dataclass
class Work:
    """What one write adds beside its rows: audit events and outbox messages."""

    actor: object | None = None
    campaign_id: int | None = None

    def audit(
        self,
        action: str,
        *,
        target: object | None = None,
        details: dict[str, object] | None = None,
        campaign_id: int | None = None,
    ) -> AuditEvent:
        if target is not None and getattr(target, "id", 0) is None:
            db.session.flush()  # a row added in this unit: the event names it by its id
        return audit.record(
            action,
            actor=self.actor,
            campaign_id=self.campaign_id if campaign_id is None else campaign_id,
            target=target,
            details=details,
        )

    def mail(
        self,
        kind: str,
        *,
        to: str,
        context: dict[str, object],
        locale: str = "fr",
        user_id: int | None = None,
        dedup_key: str | None = None,
        attachments: list[outbox.Attachment] | None = None,
        campaign_id: int | None = None,
    ) -> OutboxMessage:
        return outbox.queue(
            kind,
            to,
            context,
            locale=locale,
            user_id=user_id,
            campaign_id=self.campaign_id if campaign_id is None else campaign_id,
            dedup_key=dedup_key,
            attachments=attachments,
        )


@contextmanager
def unit_of_work(*, actor: object | None = None, campaign_id: int | None = None) -> Iterator[Work]:
    """Commit the block's changes, audit events and messages together, or none of them."""
    work = Work(actor=actor, campaign_id=campaign_id)
    try:
        yield work
        db.session.flush()
        db.session.commit()
    except (IntegrityError, StaleDataError) as error:
        db.session.rollback()
        raise ConcurrentChange(CONCURRENT_CHANGE) from error
    except BaseException:
        db.session.rollback()
        raise
