"""The outbox: mail is delayed by outages, never lost, never sent twice.

The first half drives the service on SQLite (dedup, back-off, giving up, the admin's retry); the
second half runs the real thing: PostgreSQL, Redis, worker processes and an SMTP server.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from challenge.accounts.service import create_admin
from challenge.audit.models import AuditEvent
from challenge.errors import Forbidden
from challenge.extensions import db
from challenge.notifications import service as outbox
from challenge.notifications.models import MessageStatus, OutboxMessage
from challenge.timeutils import utcnow
from tests.conftest import (
    Mailbox,
    free_port,
    make_app,
    message_id_of,
    start_smtp,
    truncate_all,
    wait_until,
)
from tests.conftest import test_env as environment

LINK = {"link": "http://localhost/connexion/lien/exemple", "minutes": 15}


def queue(to: str, **kwargs: object) -> OutboxMessage:
    return outbox.queue("sign_in_link", to, LINK, **kwargs)


def fresh(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    message = db.session.get(OutboxMessage, message_id)
    assert message is not None
    return message


# ---------------------------------------------------------------- the service (SQLite) -------


def test_dedup_key_makes_queue_idempotent(app: Flask) -> None:
    first = queue("a@francetravail.fr", dedup_key="result:campaign:1:user:2")
    again = queue("a@francetravail.fr", dedup_key="result:campaign:1:user:2")
    assert again is first
    db.session.commit()
    later = queue("a@francetravail.fr", dedup_key="result:campaign:1:user:2")
    db.session.commit()
    assert later.id == first.id
    other = queue("a@francetravail.fr", dedup_key="result:campaign:1:user:3")
    without_key = [queue("a@francetravail.fr"), queue("a@francetravail.fr")]
    db.session.commit()
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.id for m in rows] == [first.id, other.id, *(m.id for m in without_key)]
    assert len({m.message_id for m in rows}) == 4, "every message has its own Message-ID"


def test_backoff_grows_and_caps(app: Flask) -> None:
    app.config["OUTBOX_RETRY_BASE_SECONDS"] = 30
    delays = [outbox.backoff_seconds(n) for n in range(0, 10)]
    assert delays == [30, 30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert outbox.backoff_seconds(1000) == outbox.MAX_BACKOFF_SECONDS == 3600
    app.config["OUTBOX_RETRY_BASE_SECONDS"] = 1
    assert [outbox.backoff_seconds(n) for n in (1, 2, 3, 4)] == [1, 2, 4, 8]


def test_gives_up_after_max_attempts(app: Flask) -> None:
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    message = queue("b@francetravail.fr")
    db.session.commit()

    outcomes = []
    while True:
        outcome = outbox.deliver(message.id)
        outcomes.append(outcome.status)
        if outcome.status != "retry":
            break
        row = fresh(message.id)
        assert row.status == MessageStatus.PENDING.value
        assert row.next_attempt_at > utcnow(), "the retry waits for its back-off"
        assert outbox.deliver(message.id).status == "skipped", "not before it is due"
        row.next_attempt_at = utcnow()  # time passes
        db.session.commit()

    assert outcomes == ["retry"] * (outbox.MAX_ATTEMPTS - 1) + ["failed"]
    row = fresh(message.id)
    assert row.status == MessageStatus.FAILED.value
    assert row.attempts == outbox.MAX_ATTEMPTS
    assert "ConnectionRefusedError" in row.last_error
    assert row.sent_at is None
    # Failed for good: neither a new delivery task nor the sweep picks it up again.
    assert outbox.deliver(message.id).status == "skipped"
    assert outbox.sweep() == 0


def test_message_id_is_stable_across_retries(app: Flask, smtp_server: Mailbox) -> None:
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"
    message = queue("c@francetravail.fr")
    db.session.commit()
    message_id = message.message_id
    assert message_id.startswith("<") and message_id.endswith("@intrapreneurs.beta.gouv.fr>")

    for _ in range(2):
        assert outbox.deliver(message.id).status == "retry"
        row = fresh(message.id)
        assert row.message_id == message_id
        row.next_attempt_at = utcnow()
        db.session.commit()

    app.config["SMTP_URL"] = smtp_server.url
    assert outbox.deliver(message.id).status == "sent"
    (received,) = smtp_server.wait_for(1)
    assert message_id_of(received["Message-ID"]) == message_id
    row = fresh(message.id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, "")


@pytest.fixture
def client(isolated_client: FlaskClient) -> FlaskClient:
    return isolated_client


@pytest.fixture
def failed_message(app: Flask) -> OutboxMessage:
    message = queue("d@francetravail.fr")
    db.session.flush()
    message.status = MessageStatus.FAILED.value
    message.attempts = outbox.MAX_ATTEMPTS
    message.last_error = "SMTPRecipientsRefused: mailbox full"
    db.session.commit()
    return message


def test_admin_retries_a_failed_message(
    app: Flask, client: FlaskClient, sign_in, post_form, failed_message: OutboxMessage
) -> None:
    create_admin("admin@francetravail.fr")
    sign_in(client, "admin@francetravail.fr")

    page = client.get("/admin/messages?statut=failed").get_data(as_text=True)
    assert "d@francetravail.fr" in page
    assert "mailbox full" in page
    assert "Renvoyer" in page

    action = f"/admin/messages/{failed_message.id}/relancer?statut=failed"
    response = post_form(client, "/admin/messages?statut=failed", {}, action=action)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/messages?statut=failed"
    assert "Le message va être renvoyé." in client.get("/admin/messages").get_data(as_text=True)

    row = fresh(failed_message.id)
    assert row.status == MessageStatus.PENDING.value
    assert row.attempts == 0
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.retry")).one()
    assert audit.actor_label == "admin@francetravail.fr"
    assert audit.target_id == failed_message.id

    # It goes out like any other message (here: the embedded default's mail folder).
    assert outbox.deliver(failed_message.id).status == "sent"
    assert len(list(Path(app.config["MAIL_FOLDER"]).glob("*.eml"))) == 1

    # Only failed messages can be retried.
    response = post_form(client, "/admin/messages", {}, action=action)
    assert response.status_code == 404


def test_agent_cannot_retry(
    app: Flask, client: FlaskClient, sign_in, failed_message: OutboxMessage
) -> None:
    from tests.conftest import csrf_token_in

    sign_in(client, "agent@francetravail.fr")
    token = csrf_token_in(client.get("/").get_data(as_text=True))
    response = client.post(
        f"/admin/messages/{failed_message.id}/relancer", data={"csrf_token": token}
    )
    assert response.status_code == 403
    assert "Accès refusé" in response.get_data(as_text=True)
    assert fresh(failed_message.id).status == MessageStatus.FAILED.value

    anonymous = app.test_client()
    token = csrf_token_in(anonymous.get("/").get_data(as_text=True))
    response = anonymous.post(
        f"/admin/messages/{failed_message.id}/relancer", data={"csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")
    assert fresh(failed_message.id).status == MessageStatus.FAILED.value


def test_the_service_refuses_a_non_admin(app: Flask, failed_message: OutboxMessage) -> None:
    with pytest.raises(Forbidden):
        outbox.retry_failed(failed_message.id, actor=None)
    assert fresh(failed_message.id).status == MessageStatus.FAILED.value


# ---------------------------------------------------------------- real parts -----------------


@dataclass
class Delivery:
    """A site on PostgreSQL and Redis, and the environment its workers get."""

    app: Flask
    env: dict[str, str]
    mailbox: Mailbox

    def rows(self) -> list[OutboxMessage]:
        with self.app.app_context():
            rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
            db.session.expunge_all()
        return list(rows)


def site_env(instance: Path, pg: str, redis: str, queue_name: str, smtp: str) -> dict[str, str]:
    return environment(
        instance,
        DATABASE_URL=pg,
        CELERY_BROKER_URL=redis,
        CELERY_RESULT_BACKEND=redis,
        CELERY_QUEUE=queue_name,
        SMTP_URL=smtp,
        OUTBOX_RETRY_BASE_SECONDS="1",
    )


def app_for(env: dict[str, str], **extra: str) -> Flask:
    settings = {k: v for k, v in env.items() if k != "INSTANCE_PATH"}
    settings.update(extra)
    return make_app(Path(env["INSTANCE_PATH"]), **settings)


@pytest.fixture
def delivery(
    instance: Path, pg_migrated: str, redis_url: str, celery_queue: str, smtp_server: Mailbox
) -> Iterator[Delivery]:
    env = site_env(instance, pg_migrated, redis_url, celery_queue, smtp_server.url)
    app = app_for(env)
    yield Delivery(app, env, smtp_server)
    truncate_all(app)
    with app.app_context():
        db.engine.dispose()


def wait_ready(*workers) -> None:
    for worker in workers:
        wait_until(
            lambda w=worker: " ready." in w.output(),
            timeout=30,
            message=f"worker did not start:\n{worker.output()}",
        )


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
def test_message_queued_while_broker_is_down_is_delivered_after(
    delivery: Delivery, start_worker
) -> None:
    # The web process cannot reach its broker (nothing listens on that port).
    down = app_for(
        delivery.env,
        CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0",
        CELERY_RESULT_BACKEND="",
    )
    down.extensions["celery"].conf.broker_connection_timeout = 1  # fail fast, for a fast test
    with down.app_context():
        started = time.monotonic()
        messages = [queue(f"panne-{i}@francetravail.fr") for i in range(3)]
        db.session.commit()
        elapsed = time.monotonic() - started
        ids = [m.id for m in messages]
        db.engine.dispose()
    assert elapsed < 4.5, f"the commit waited {elapsed:.1f} s: once for the broker, not per message"
    rows = delivery.rows()
    assert [r.status for r in rows] == ["pending"] * 3, "the change and its mail are committed"
    assert all(r.attempts == 0 for r in rows)

    # The broker is back: a worker runs, the beat's sweep finds what was never queued.
    worker = start_worker(delivery.env)
    sweep = delivery.app.extensions["celery"].send_task("worker.tasks.sweep_outbox")
    assert sweep.get(timeout=30) == 3
    delivery.mailbox.wait_for(3)
    assert sorted(str(m["To"]) for m in delivery.mailbox.messages) == [
        f"panne-{i}@francetravail.fr" for i in range(3)
    ]
    wait_until(lambda: all(r.status == "sent" for r in delivery.rows()))
    assert {r.message_id for r in delivery.rows()} == {
        message_id_of(m["Message-ID"]) for m in delivery.mailbox.messages
    }
    assert [r.id for r in delivery.rows()] == ids
    assert worker.process.poll() is None


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
def test_failed_smtp_delivery_is_retried_until_the_server_is_back(
    delivery: Delivery, start_worker
) -> None:
    down_mailbox = Mailbox(host="127.0.0.1", port=free_port())  # no server there yet
    env = {**delivery.env, "SMTP_URL": down_mailbox.url}
    app = app_for(env)
    start_worker(env)
    with app.app_context():
        message = queue("retard@francetravail.fr")
        db.session.commit()
        message_id = message.id
        db.engine.dispose()

    def retried() -> bool:
        (row,) = delivery.rows()
        return row.attempts >= 2 and row.status == "pending" and bool(row.last_error)

    wait_until(retried, timeout=30, message="the failed delivery was not retried")
    (row,) = delivery.rows()
    assert "ConnectionRefusedError" in row.last_error
    assert row.sent_at is None

    controller = start_smtp(down_mailbox)
    try:
        (mail,) = down_mailbox.wait_for(1, timeout=30)
    finally:
        controller.stop()  # type: ignore[attr-defined]
    assert str(mail["To"]) == "retard@francetravail.fr"
    wait_until(lambda: delivery.rows()[0].status == "sent")
    (row,) = delivery.rows()
    assert row.id == message_id
    assert row.attempts >= 3
    assert row.last_error == ""
    assert message_id_of(mail["Message-ID"]) == row.message_id
    assert len(down_mailbox.messages) == 1


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
def test_two_workers_never_send_a_message_twice(delivery: Delivery, start_worker) -> None:
    workers = [start_worker(delivery.env, name) for name in ("alpha", "beta")]
    wait_ready(*workers)
    celery = delivery.app.extensions["celery"]
    with delivery.app.app_context():
        messages = [queue(f"agent-{i:02d}@francetravail.fr") for i in range(30)]
        db.session.commit()  # each message's delivery task is queued after the commit
        ids = [m.id for m in messages]
    # Lost acknowledgements, a second beat, an impatient admin: every delivery is asked twice more.
    duplicates = [
        celery.send_task(outbox.DELIVER_TASK, args=[message_id])
        for message_id in ids
        for _ in range(2)
    ]

    outcomes = Counter(result.get(timeout=60) for result in duplicates)
    delivery.mailbox.wait_for(30, timeout=60)
    wait_until(lambda: all(r.status == "sent" for r in delivery.rows()), timeout=30)
    assert set(outcomes) <= {"sent", "skipped"}
    assert outcomes["skipped"] >= 30

    received = Counter(message_id_of(m["Message-ID"]) for m in delivery.mailbox.messages)
    rows = delivery.rows()
    assert len(delivery.mailbox.messages) == 30
    assert set(received.values()) == {1}, "no Message-ID was received twice"
    assert set(received) == {r.message_id for r in rows}
    assert all(r.attempts == 1 for r in rows), "no message was even tried twice"
    for worker in workers:
        assert "deliver_message" in worker.output(), f"{worker.name} took part"
        assert worker.process.poll() is None


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
def test_sweep_releases_the_claim_of_a_dead_worker(delivery: Delivery, start_worker) -> None:
    with delivery.app.app_context():
        # A worker claimed this one eleven minutes ago, then died before sending it.
        dead = queue("abandonne@francetravail.fr")
        dead.status = MessageStatus.SENDING.value
        dead.claimed_at = utcnow() - outbox.STALE_CLAIM - timedelta(minutes=1)
        dead.attempts = 1
        # Another worker is sending this one right now: it must be left alone.
        busy = queue("en-cours@francetravail.fr")
        busy.status = MessageStatus.SENDING.value
        busy.claimed_at = utcnow() - timedelta(minutes=1)
        busy.attempts = 1
        db.session.commit()  # their delivery tasks are queued, and will find them claimed
        dead_id, busy_id = dead.id, busy.id

    worker = start_worker(delivery.env)
    sweep = delivery.app.extensions["celery"].send_task("worker.tasks.sweep_outbox")
    assert sweep.get(timeout=30) == 1
    (mail,) = delivery.mailbox.wait_for(1)
    assert str(mail["To"]) == "abandonne@francetravail.fr"
    wait_until(lambda: delivery.rows()[0].status == "sent")

    rows = {r.id: r for r in delivery.rows()}
    assert rows[dead_id].status == "sent"
    assert rows[dead_id].attempts == 2
    assert message_id_of(mail["Message-ID"]) == rows[dead_id].message_id
    assert rows[busy_id].status == "sending", "a fresh claim is not taken from its worker"

    # A second sweep finds nothing to do, and the message is not sent again.
    assert (
        delivery.app.extensions["celery"].send_task("worker.tasks.sweep_outbox").get(timeout=30)
        == 0
    )
    assert len(delivery.mailbox.messages) == 1
    assert worker.process.poll() is None
