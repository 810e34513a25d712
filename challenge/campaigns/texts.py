"""Translated texts of the campaigns domain, in the right locale even outside a request.

Beat and the command line have no request from which Flask-Babel could pick a locale: there the
texts come in the default locale (the grids seeded by ``challenge seed-demo``, for instance).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, has_request_context
from flask_babel import force_locale, gettext


@contextmanager
def default_locale_outside_requests() -> Iterator[None]:
    if has_request_context():
        yield
        return
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        yield


def _(text: str, **variables: object) -> str:
    with default_locale_outside_requests():
        return gettext(text, **variables)


def quoted(values: list[str]) -> str:
    """The first ten values, each in French quotes (an ellipsis says there are more)."""
    return ", ".join(f"« {v} »" for v in values[:10]) + ("…" if len(values) > 10 else "")
