"""Reminders to jurors with pending reviews: 3 days and 1 day before the end, once a day."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from challenge.extensions import db
from challenge.jury.models import Review
from challenge.jury.service.reminders import remind_jurors
from challenge.notifications.models import OutboxMessage
from challenge.proposals.models import Proposal
from challenge.timeutils import paris_to_utc
from tests.conftest import Mailbox, make_app, wait_until
from tests.conftest import test_env as environment
from tests.jury.builders import (
    add_review,
    add_role,
    assign,
    declare,
    make_campaign,
    make_proposal,
    make_user,
    review_criteria,
)

END = paris_to_utc(datetime(2026, 3, 20, 18, 0))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of March 2026, Paris time, as naive UTC."""
    return paris_to_utc(datetime(2026, 3, day, hour, minute))


def build():
    campaign = make_campaign(ends_in=None)
    campaign.review_ends_at = END
    agent = make_user("agent@francetravail.fr")
    busy = make_user("busy@francetravail.fr", "Bruno", "Occupé")
    done = make_user("done@francetravail.fr", "Diane", "Finie")
    conflicted = make_user("conflicted@francetravail.fr", "Colin", "Conflit")
    for juror in (busy, done, conflicted):
        add_role(campaign, juror)
    proposals = [make_proposal(campaign, agent, f"Secret {i}") for i in range(3)]
    criteria = review_criteria(campaign)
    for proposal in proposals:
        assign(campaign, proposal, busy)
        assign(campaign, proposal, done)
        add_review(campaign, proposal, done, dict.fromkeys(criteria, 2))
    add_review(campaign, proposals[0], busy, dict.fromkeys(criteria, 2))
    add_review(campaign, proposals[1], busy, {criteria[0]: 1}, status="draft")
    assign(campaign, proposals[2], conflicted)
    declare(campaign, conflicted, proposal=proposals[2])  # nothing pending once in conflict
    db.session.commit()
    return campaign, busy


def reminders() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "jury_reminder")
            .order_by(OutboxMessage.id)
        )
    )


def test_reminders_three_days_and_one_day_before_once_a_day(app):
    campaign, busy = build()
    assert remind_jurors(at(16, 10)) == 0  # four days before
    assert remind_jurors(at(17, 8)) == 0  # three days before, too early in the morning
    assert remind_jurors(at(17, 9)) == 1
    (mail,) = reminders()
    assert mail.to_address == busy.email
    assert mail.dedup_key == f"jury-reminder:{campaign.id}:{busy.id}:2026-03-17"
    assert "plus que 3 jours" in mail.subject
    assert "2 évaluations à envoyer" in mail.body_text
    assert "20 mars 2026 à 18:00" in mail.body_text  # shown in Paris time
    assert "Secret" not in mail.body_text  # no titles: nothing about any proposal leaks
    for hour in (10, 11, 23):  # the hourly beat, later the same day
        assert remind_jurors(at(17, hour)) == 0
    assert remind_jurors(at(18, 12)) == 0  # two days before
    assert remind_jurors(at(19, 9, 30)) == 1
    assert "plus qu’un jour" in reminders()[-1].subject
    assert remind_jurors(at(19, 15)) == 0
    assert remind_jurors(at(20, 10)) == 0
    assert len(reminders()) == 2


def test_no_reminder_outside_the_review_phase_or_when_all_is_done(app):
    campaign, busy = build()
    campaign.status = "shortlist"
    db.session.commit()
    assert remind_jurors(at(17, 10)) == 0
    campaign.status = "review"
    for review in db.session.scalars(select(Review).where(Review.juror_id == busy.id)):
        review.status = "submitted"
    last = db.session.scalar(select(Proposal).where(Proposal.title == "Secret 2"))
    add_review(campaign, last, busy, dict.fromkeys(review_criteria(campaign), 1))
    db.session.commit()
    assert remind_jurors(at(17, 10)) == 0
    assert reminders() == []


@pytest.mark.worker
def test_the_beat_task_runs_in_a_real_worker_and_mails_through_smtp(
    instance: Path, sqlite_template: Path, start_worker, smtp_server: Mailbox
):
    import shutil

    shutil.copy(sqlite_template, instance / "challenge.sqlite3")
    env = environment(instance, SMTP_URL=smtp_server.url)
    app = make_app(instance, SMTP_URL=smtp_server.url)
    with app.app_context():
        _campaign, busy = build()
        busy_email = busy.email
        db.engine.dispose()
    worker = start_worker(env)
    celery = app.extensions["celery"]
    result = celery.send_task("worker.tasks_jury.remind_jurors", args=[at(17, 10).isoformat()])
    try:
        assert result.get(timeout=60) == 1
        (mail,) = smtp_server.wait_for(1, timeout=60)
    except Exception:
        print(worker.output())
        raise
    assert str(mail["To"]) == busy_email
    assert "Rappel" in str(mail["Subject"])
    again = celery.send_task("worker.tasks_jury.remind_jurors", args=[at(17, 11).isoformat()])
    assert again.get(timeout=60) == 0
    wait_until(lambda: "remind_jurors" in worker.output(), timeout=10)
    assert len(smtp_server.messages) == 1


def test_the_default_clock_is_now(app):
    campaign, _busy = build()
    campaign.review_ends_at = datetime.now() + timedelta(days=30)  # noqa: DTZ005
    db.session.commit()
    assert remind_jurors() == 0
