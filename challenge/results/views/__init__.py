"""Pages of the results domain (thin: parse, call the service or the query, render or redirect).

One module per audience and feature: the organisers' pitch day (``pitch_slots``), the agents'
answer to a convocation (``answer``), the jurors' pitch scoring and the organisers' live
progress (``pitch_scoring``), the decision (``laureates``), the result messages (``messages``),
the public page and the laureates' consent (``public``).
"""

from flask import Blueprint

bp = Blueprint("results", __name__)

from challenge.results.views import (  # noqa: E402, F401  (each module adds its routes to bp)
    answer,
    laureates,
    messages,
    pitch_scoring,
    pitch_slots,
    public,
)
