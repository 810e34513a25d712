"""Celery tasks of the exports domain: thin wrappers around challenge.exports.service."""

from __future__ import annotations
