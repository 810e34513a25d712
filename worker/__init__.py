"""Celery for the platform: ``celery -A worker worker`` and ``celery -A worker beat``.

The Celery application is built lazily from ``create_app()`` so that importing this package
from the web process (which builds its own Flask app) does not build a second one.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "celery":
        from challenge import create_app

        return create_app().extensions["celery"]
    raise AttributeError(name)
