"""Celery tasks of the campaigns domain: thin wrappers around challenge.campaigns.service."""

from __future__ import annotations

from celery import shared_task

from challenge.campaigns.service.transitions import advance_due_campaigns


@shared_task(name="worker.tasks_campaigns.advance_campaigns")
def advance_campaigns() -> list[list[object]]:
    """Beat, every minute: opening date reached → open (if ready); deadline reached → review.

    Idempotent and safe with several beats: each move is a conditional UPDATE on the status.
    """
    return [list(move) for move in advance_due_campaigns()]
