"""Pages of a long list (pure): which page is shown, and how many there are."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def page_of(items: Sequence[T], page: int, size: int) -> tuple[list[T], int, int]:
    """(the items of ``page``, the page shown, the number of pages).

    A page out of range shows the nearest one; an empty list has one (empty) page.
    """
    pages = max(1, math.ceil(len(items) / size))
    page = min(max(page, 1), pages)
    return list(items[(page - 1) * size : page * size]), page, pages
