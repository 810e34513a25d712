"""Celery tasks of the exports domain: thin wrappers around challenge.exports.service."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from challenge.exports.service import building, expiry


@shared_task(name="worker.tasks_exports.build_export", acks_late=True, ignore_result=True)
def build_export(job_id: int) -> str:
    """Build one export job's file, reporting progress in the job's row."""
    return building.build_export(job_id)


@shared_task(name="worker.tasks_exports.purge_expired_exports")
def purge_expired_exports(now: str | None = None) -> int:
    """Beat, hourly: remove expired export files and mark their jobs expired.

    ``now`` (naive UTC, ISO 8601) replaces the clock, for tests and for a manual catch-up.
    """
    return expiry.purge_expired_exports(datetime.fromisoformat(now) if now else None)
