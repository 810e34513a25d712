"""Pages of the exports domain (thin: parse, call the service, render or redirect)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("exports", __name__)
