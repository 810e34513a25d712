"""A task sent by the web process is run by a real ``celery -A worker worker`` process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import make_app, wait_until
from tests.conftest import test_env as environment

pytestmark = pytest.mark.worker


def ping_through_worker(app: Flask, worker, value: str) -> None:
    celery = app.extensions["celery"]
    result = celery.send_task("worker.tasks.ping", args=[value])
    try:
        wait_until(
            lambda: " ready." in worker.output() or worker.process.poll() is not None,
            timeout=60,
            message="the worker did not start",
        )
        assert worker.process.poll() is None, "the worker died"
        assert result.get(timeout=30) == value
    except Exception:
        print(worker.output())
        raise
    assert worker.process.poll() is None, "the worker is still running"
    # The worker logs the success just after storing the result: wait for the line.
    wait_until(
        lambda: f"worker.tasks.ping[{result.id}] succeeded" in worker.output(),
        timeout=10,
        message="the worker process did not run the task",
    )


def test_embedded_filesystem_broker(instance: Path, sqlite_template: Path, start_worker) -> None:
    """The embedded default: web and worker share nothing but the instance folder."""
    shutil.copy(sqlite_template, instance / "challenge.sqlite3")
    app = make_app(instance)
    assert app.extensions["celery"].conf.broker_url.startswith("filesystem://")
    worker = start_worker(environment(instance))

    ping_through_worker(app, worker, "bonjour du web")

    assert any((instance / "results").iterdir()), "the result went through the instance folder"


@pytest.mark.redis
def test_redis_broker(
    instance: Path, sqlite_template: Path, redis_url: str, start_worker, celery_queue: str
) -> None:
    shutil.copy(sqlite_template, instance / "challenge.sqlite3")
    env = environment(
        instance,
        CELERY_BROKER_URL=redis_url,
        CELERY_RESULT_BACKEND=redis_url,
        CELERY_QUEUE=celery_queue,
    )
    app = make_app(instance, **{k: v for k, v in env.items() if k != "INSTANCE_PATH"})
    celery = app.extensions["celery"]
    assert celery.conf.broker_url == redis_url
    assert celery.conf.task_default_queue == celery_queue
    worker = start_worker(env)

    ping_through_worker(app, worker, "bonjour par Redis")
    assert not (instance / "broker" / "queue").exists() or not any(
        (instance / "broker" / "queue").iterdir()
    ), "nothing went through the file-system broker"
