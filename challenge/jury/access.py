"""The jury's access checks, for the other domains' pages.

Who may open a campaign as an organiser or as a juror is decided once, by
:func:`challenge.jury.service.organiser_campaign` and :func:`challenge.jury.service.juror_campaign`.
A domain calling them inside :func:`raised_as` gets its own errors instead of the jury's, so its
pages keep turning them into 404 and 403.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from challenge.jury import service as jury


@contextmanager
def raised_as(not_found: type[Exception], forbidden: type[Exception]) -> Iterator[None]:
    """The jury's NotFound becomes ``not_found``, its Forbidden ``forbidden``."""
    try:
        yield
    except jury.NotFound as error:
        raise not_found from error
    except jury.Forbidden as error:
        raise forbidden from error
