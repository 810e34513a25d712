"""What beat runs, and how often. Every entry is idempotent: two beats never do a thing twice."""

from __future__ import annotations

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "sweep-outbox": {"task": "worker.tasks.sweep_outbox", "schedule": 30.0},
    "purge-sign-in-links": {"task": "worker.tasks.purge_login_tokens", "schedule": crontab(minute=7)},
}
