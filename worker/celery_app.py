"""The Celery application, configured from the Flask configuration."""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask

from worker.schedule import BEAT_SCHEDULE

# One module of task wrappers per domain; each wraps service functions, nothing more.
TASK_MODULES = (
    "worker.tasks",
    "worker.tasks_campaigns",
    "worker.tasks_jury",
    "worker.tasks_results",
    "worker.tasks_exports",
)


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app bound to ``app``: every task runs inside an application context."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.import_name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.conf.beat_schedule = BEAT_SCHEDULE
    celery_app.conf.imports = TASK_MODULES
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
