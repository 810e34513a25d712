"""Celery tasks of the jury domain: thin wrappers around challenge.jury.service."""

from __future__ import annotations
