"""Field diffs for the audit log: what a change turned from what into what (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

MAX_TEXT = 5000  # a long text is kept up to this length in the log


def jsonable(value: object) -> object:
    """A value the audit log's JSON column can hold (dates as ISO UTC, long texts cut)."""
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return value[:MAX_TEXT] + "…"
    if isinstance(value, tuple | list):
        return [jsonable(v) for v in value]
    return value


def diff(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, list[object]]:
    """``{field: [old, new]}`` for every field whose value changed."""
    return {
        name: [jsonable(before.get(name)), jsonable(value)]
        for name, value in after.items()
        if before.get(name) != value
    }


def list_diff(
    before: Mapping[int, Mapping[str, object]],
    after: Mapping[int, Mapping[str, object]],
) -> dict[str, object]:
    """Items keyed by id: which were added, which removed, and the field diffs of the others."""
    result: dict[str, object] = {}
    added = [_item(i, after[i]) for i in after if i not in before]
    removed = [_item(i, before[i]) for i in before if i not in after]
    changed = []
    for item_id, item in after.items():
        if item_id in before:
            fields = diff(before[item_id], item)
            if fields:
                changed.append({"id": item_id, "label": item.get("label"), "changes": fields})
    if added:
        result["added"] = added
    if removed:
        result["removed"] = removed
    if changed:
        result["changed"] = changed
    return result


def _item(item_id: int, values: Mapping[str, object]) -> dict[str, object]:
    return {"id": item_id, **{k: jsonable(v) for k, v in values.items()}}
