"""Celery tasks of the jury domain: thin wrappers around challenge.jury.service."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from challenge.jury.service import reminders as service


@shared_task(name="worker.tasks_jury.remind_jurors")
def remind_jurors(now: str | None = None) -> int:
    """Beat, hourly: remind jurors with pending reviews 3 days and 1 day before the end.

    ``now`` (naive UTC, ISO 8601) replaces the clock, for tests and for a manual catch-up.
    """
    return service.remind_jurors(datetime.fromisoformat(now) if now else None)
