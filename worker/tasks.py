"""Task wrappers: each one calls a service function inside the app context (see FlaskTask)."""

from __future__ import annotations

from celery import shared_task

from challenge.accounts import service as accounts
from challenge.notifications import service as notifications


@shared_task(name="worker.tasks.ping")
def ping(value: str = "pong") -> str:
    """Answer with ``value``: used by the health check and the tests of the worker."""
    return value


@shared_task(
    name="worker.tasks.deliver_message",
    bind=True,
    max_retries=None,
    acks_late=True,
)
def deliver_message(self, message_id: int) -> str:  # type: ignore[no-untyped-def]
    """Deliver one outbox message; on failure retry with back-off (30 s, then up to 1 h)."""
    outcome = notifications.deliver(message_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(name="worker.tasks.sweep_outbox")
def sweep_outbox() -> int:
    """Queue delivery of every message still pending (broker outage, lost task, retry due)."""
    return notifications.sweep()


@shared_task(name="worker.tasks.purge_login_tokens")
def purge_login_tokens() -> int:
    return accounts.purge_expired_tokens()
