"""Pages of the jury domain (thin: parse, call the service, render or redirect)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("jury", __name__)
