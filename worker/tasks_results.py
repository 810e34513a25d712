"""Celery tasks of the results domain: thin wrappers around challenge.results.service."""

from __future__ import annotations
