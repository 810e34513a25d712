"""What beat runs, and how often. Every entry is idempotent: two beats never do a thing twice."""

from __future__ import annotations

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "sweep-outbox": {"task": "worker.tasks.sweep_outbox", "schedule": 30.0},
    "purge-sign-in-links": {
        "task": "worker.tasks.purge_login_tokens",
        "schedule": crontab(minute=7),
    },
    # Deadline reached → review, and every other dated step of the lifecycle.
    "advance-campaigns": {"task": "worker.tasks_campaigns.advance_campaigns", "schedule": 60.0},
    # Reminders to jurors three days and one day before the end of review (at most one a day).
    "remind-jurors": {"task": "worker.tasks_jury.remind_jurors", "schedule": crontab(minute=0)},
    "purge-exports": {
        "task": "worker.tasks_exports.purge_expired_exports",
        "schedule": crontab(minute=17),
    },
}
