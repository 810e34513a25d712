"""Fixtures shared by the whole suite.

Real parts everywhere: migrated SQLite and PostgreSQL databases, a Celery worker process, an SMTP
server on loopback, Chromium. A service that is missing fails the run (CI must skip nothing),
unless CHALLENGE_ALLOW_SKIP=1 is set by a developer who knowingly runs a partial suite.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from challenge import create_app
from challenge.config import PROJECT_ROOT, build_config
from challenge.extensions import db

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"

# The browser fixtures (live server, Chromium, axe-core) for the tests marked e2e in each domain.
pytest_plugins = ["tests.browser"]


def missing_service(what: str) -> None:
    """Fail (or, when allowed, skip) a test whose real service is not reachable."""
    if os.environ.get("CHALLENGE_ALLOW_SKIP") == "1":
        pytest.skip(f"{what} is not available")
    pytest.fail(f"{what} is not available: the suite needs it (see README)", pytrace=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_env(instance: Path, **extra: str) -> dict[str, str]:
    """The environment of an app (or worker) under test, isolated in ``instance``."""
    env = {
        "CHALLENGE_ENV": "testing",
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-secret-key",
        "PUBLIC_URL": "http://localhost",
        "LOGIN_RATE_LIMIT_PER_EMAIL": "1000 per minute",
        "LOGIN_RATE_LIMIT_PER_IP": "1000 per minute",
    }
    env.update(extra)
    return env


# What extensions cache on ``g`` for the duration of a request. Test clients reuse the test's
# app context (and so its ``g``), which would carry one request's user, locale or CSRF token into
# the next request, possibly another person's: each request starts without them, as in production.
PER_REQUEST_G_KEYS = (
    "_login_user",
    "babel_locale",
    "babel_tzinfo",
    "babel_translations",
    "csrf_token",
)


def make_app(instance: Path, **extra: str) -> Flask:
    config = build_config(test_env(instance, **extra))
    config["OUTBOX_RETRY_BASE_SECONDS"] = 1
    application = create_app(config)

    @application.before_request
    def _fresh_request_state() -> None:
        from flask import g

        for key in PER_REQUEST_G_KEYS:
            g.pop(key, None)

    return application


def migrate_to_head(app: Flask) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


# ---------------------------------------------------------------- SQLite ---------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database migrated to head, copied for every test (migrating each time is slow)."""
    instance = tmp_path_factory.mktemp("template")
    app = make_app(instance)
    migrate_to_head(app)
    with app.app_context():
        db.engine.dispose()
    return instance / "challenge.sqlite3"


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    path = tmp_path / "instance"
    path.mkdir()
    return path


@pytest.fixture
def app(instance: Path, sqlite_template: Path) -> Iterator[Flask]:
    shutil.copy(sqlite_template, instance / "challenge.sqlite3")
    application = make_app(instance)
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# ---------------------------------------------------------------- PostgreSQL -----------------


@contextmanager
def new_pg_database(prefix: str) -> Iterator[str]:
    """The URL of a PostgreSQL database created empty for the block, dropped after it."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError:
        missing_service(f"PostgreSQL at {PG_ADMIN_URL}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, dropped at the end."""
    with new_pg_database("challenge_test") as url:
        yield url


@pytest.fixture(scope="session")
def pg_migrated(pg_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    app = make_app(tmp_path_factory.mktemp("pg"), DATABASE_URL=pg_database_url)
    migrate_to_head(app)
    with app.app_context():
        db.engine.dispose()
    return pg_database_url


def truncate_all(app: Flask) -> None:
    with app.app_context():
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        db.session.execute(db.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.session.commit()


@pytest.fixture
def pg_app(instance: Path, pg_migrated: str) -> Iterator[Flask]:
    application = make_app(instance, DATABASE_URL=pg_migrated)
    with application.app_context():
        yield application
        db.session.remove()
    truncate_all(application)
    with application.app_context():
        db.engine.dispose()


# ---------------------------------------------------------------- Redis ----------------------


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    url = f"{REDIS_URL}/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.exceptions.ConnectionError:
        missing_service(f"Redis at {REDIS_URL}")
    return url


# ---------------------------------------------------------------- SMTP -----------------------


@dataclass
class Mailbox:
    """What the loopback SMTP server received."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def wait_for(self, count: int = 1, timeout: float = 20.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"expected {count} e-mails, got {len(self.messages)}"
        return self.messages

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


class _Collector:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.mailbox.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    """A real SMTP server on loopback (aiosmtpd), collecting what it receives."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox(host="127.0.0.1", port=free_port())
    controller = Controller(_Collector(mailbox), hostname=mailbox.host, port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


def start_smtp(mailbox: Mailbox) -> object:
    """(Re)start an SMTP server on the mailbox's port; returns the controller to stop it."""
    from aiosmtpd.controller import Controller

    controller = Controller(_Collector(mailbox), hostname=mailbox.host, port=mailbox.port)
    controller.start()
    return controller


# ---------------------------------------------------------------- Celery worker --------------


class WorkerProcess:
    """A real ``celery -A worker worker`` process with the given environment."""

    def __init__(self, env: dict[str, str], log: Path, name: str = "w1") -> None:
        self.env = {**os.environ, **env}
        self.log = log
        self.name = name
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = self.log.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "worker",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "-n",
                f"{self.name}@%h",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.2, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(message or "condition not met in time")


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator:
    """Start worker processes for a test: ``start_worker(env)``; all are stopped afterwards."""
    workers: list[WorkerProcess] = []

    def start(env: dict[str, str], name: str | None = None) -> WorkerProcess:
        name = name or f"w{len(workers) + 1}"
        worker = WorkerProcess(env, tmp_path / f"worker-{name}.log", name).start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


# ---------------------------------------------------------------- Forms, queues, sign-in -----

_CSRF_INPUT = r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"|<input[^>]*value="([^"]+)"[^>]*name="csrf_token"'


def csrf_token_in(html: str) -> str:
    """The CSRF token of the first form of a page (every form of a page carries the same)."""
    import re

    match = re.search(_CSRF_INPUT, html)
    assert match, "no csrf_token field in the page"
    return match.group(1) or match.group(2)


@pytest.fixture
def post_form():
    """``post_form(client, page, data, action=None)``: GET ``page``, read its CSRF token, POST.

    The form is posted to ``action`` (``page`` by default) as a person's browser would.
    """

    def post(
        client: FlaskClient, page: str, data: dict[str, str], action: str | None = None, **kwargs
    ):
        response = client.get(page)
        assert response.status_code == 200, f"GET {page}: {response.status_code}"
        token = csrf_token_in(response.get_data(as_text=True))
        return client.post(action or page, data={"csrf_token": token, **data}, **kwargs)

    return post


@pytest.fixture
def celery_queue() -> str:
    """A queue of this test's own (``CELERY_QUEUE``): tests and runs sharing Redis stay apart."""
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def sign_in(post_form):
    """``sign_in(client, email)``: request a link, read it from the outbox row, confirm it.

    No mail transport is involved (tests of the delivery itself live in test_sign_in/outbox);
    returns the response of the confirmation (a redirect).
    """

    def do(client: FlaskClient, email: str, next_url: str = ""):
        import re

        from sqlalchemy import select

        from challenge.notifications.models import OutboxMessage

        response = post_form(client, "/connexion", {"email": email, "next": next_url})
        assert response.status_code == 302, response.get_data(as_text=True)
        body = db.session.scalars(
            select(OutboxMessage.body_text)
            .where(OutboxMessage.to_address == email.strip().lower())
            .order_by(OutboxMessage.id.desc())
        ).first()
        assert body, f"no sign-in link queued for {email}"
        path = re.search(r"https?://[^/\s]+(/connexion/lien/\S+)", body).group(1)
        return post_form(client, path, {})

    return do


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own application context, as in production.

    The ``app`` fixture keeps one application context pushed for the whole test, and Flask reuses
    it for the requests of ``app.test_client()``: what is cached on ``g`` (the locale chosen by
    Flask-Babel, the user loaded by Flask-Login) would then leak from one request, or one
    person's client, to the next.
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        import contextvars

        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def isolated_client(app: Flask) -> FlaskClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


def message_id_of(header: object) -> str:
    """A received Message-ID without the folding white space a long header line gets on the
    wire (RFC 5322 folds lines over 78 characters; the identifier is the same)."""
    return str(header).strip()
