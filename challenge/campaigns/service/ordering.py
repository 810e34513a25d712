"""The order organisers type beside the questions and criteria of their set-up lists."""

from __future__ import annotations

from typing import Protocol, TypeVar


class _Positioned(Protocol):
    position: int | None


Item = TypeVar("Item", bound=_Positioned)


def typed_order(items: list[tuple[int, Item, dict]]) -> list[tuple[int, Item, dict]]:
    """Sort by the order typed by the organiser (blank: where it stands), stably."""
    return sorted(
        items,
        key=lambda item: (item[1].position if item[1].position is not None else item[0], item[0]),
    )
