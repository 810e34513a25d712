"""The domain errors: one hierarchy for every domain, mapped to pages in one place.

A service raises these; ``site/errors.py`` turns an uncaught one into its page (404, 403, 409,
410, 422) for every blueprint, so a view only catches what it shows beside a field or in a
message. Nothing is written when one is raised: the service raises before it commits, and the
unit of work (:mod:`challenge.unit_of_work`) rolls back whatever was flushed.
"""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """Base of the refusals a page explains. ``message`` is shown to the person as it is."""

    status = 400

    def __init__(self, message: object = "") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class NotFound(DomainError):
    """Unknown, or not visible to the person who asks: the same answer, existence not revealed."""

    status = 404


class Forbidden(DomainError):
    """Known to the person, who has no right to do this (403)."""

    status = 403


class Refused(DomainError):
    """A rule refuses the change now (a closed phase, a frozen decision); ``message`` says why.

    ``field`` names the input concerned, when there is one.
    """

    status = 422

    def __init__(self, message: object = "", field: str = "") -> None:
        super().__init__(message)
        self.field = field


class Invalid(Refused):
    """Bad input: ``errors`` maps a field name to the message (or messages) shown beside it."""

    def __init__(self, errors: Mapping[str, object], message: object = "") -> None:
        super().__init__(message)
        self.errors = dict(errors)


class ConcurrentChange(DomainError):
    """Someone else changed the same thing meanwhile (409): nothing was written."""

    status = 409


class Gone(DomainError):
    """It existed and was removed, or it expired (410)."""

    status = 410
