"""Celery tasks of the campaigns domain: thin wrappers around challenge.campaigns.service."""

from __future__ import annotations
