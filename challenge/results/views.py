"""Pages of the results domain (thin: parse, call the service, render or redirect)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("results", __name__)
