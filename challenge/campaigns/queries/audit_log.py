"""The campaign's audit log: events newest first, filtered and paginated, each event's details
sorted into what the page knows how to show.

Every domain records events with details of its own shape (a number, a list, a dict of field
diffs...). :func:`event_details` keeps the shapes it recognises (field diffs ``{field: [old,
new]}``, the items added, removed and changed of a list) and hands everything else to the page as
plain name/value pairs, so that no shape can break the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from challenge.audit.models import AuditEvent
from challenge.campaigns.models import Campaign
from challenge.extensions import db
from challenge.timeutils import paris_to_utc

AUDIT_PAGE_SIZE = 50
LIST_DIFF_KEYS = ("added", "removed", "changed")


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor: str = ""
    start: date | None = None  # Paris days, inclusive
    end: date | None = None


@dataclass(frozen=True)
class FieldChange:
    name: str
    before: object
    after: object


@dataclass(frozen=True)
class ItemChange:
    """A question or a criterion added, removed or changed (``changes``: its field diffs)."""

    label: object
    changes: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True)
class EventDetails:
    changes: list[FieldChange] = field(default_factory=list)
    automatic: bool = False
    grid: str = ""
    added: list[ItemChange] = field(default_factory=list)
    removed: list[ItemChange] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)
    others: dict[str, object] = field(default_factory=dict)  # any other detail, as recorded

    @property
    def items(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    details: EventDetails


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    pages: int
    actions: list[str]
    actors: list[str]

    @property
    def events(self) -> list[AuditEvent]:
        return [row.event for row in self.rows]


def _field_changes(value: object) -> list[FieldChange] | None:
    """``{field: [old, new]}`` as field changes; None for any other shape."""
    if not isinstance(value, Mapping) or not value:
        return None
    pairs = []
    for name, pair in value.items():
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            return None
        pairs.append(FieldChange(str(name), pair[0], pair[1]))
    return pairs


def _item_changes(value: object) -> list[ItemChange] | None:
    """The items of a list diff (mappings with a label); None for any other shape."""
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        return None
    return [
        ItemChange(
            item.get("label") or item.get("id") or "", _field_changes(item.get("changes")) or []
        )
        for item in value
    ]


def event_details(details: object) -> EventDetails:
    """What the page shows of an event's details, whatever their shape."""
    if not isinstance(details, Mapping):
        return EventDetails(others={"": details} if details not in (None, "", {}) else {})
    others = dict(details)
    changes = _field_changes(others.get("changes"))
    if changes is not None:
        del others["changes"]
        automatic = bool(others.pop("automatic", False))
    else:
        changes, automatic = [], False
    items = {key: _item_changes(others.get(key)) for key in LIST_DIFF_KEYS if key in others}
    if items and all(value is not None for value in items.values()):
        for key in items:
            del others[key]
        grid = others.pop("grid") if isinstance(others.get("grid"), str) else ""
    else:
        items, grid = {}, ""
    return EventDetails(changes=changes, automatic=automatic, grid=grid, others=others, **items)


def _conditions(campaign: Campaign, filters: AuditFilters) -> list[object]:
    conditions = [AuditEvent.campaign_id == campaign.id]
    if filters.action:
        conditions.append(AuditEvent.action == filters.action)
    if filters.actor:
        conditions.append(AuditEvent.actor_label == filters.actor)
    if filters.start:
        conditions.append(AuditEvent.at >= paris_to_utc(datetime.combine(filters.start, time())))
    if filters.end:
        day_after = datetime.combine(filters.end + timedelta(days=1), time())
        conditions.append(AuditEvent.at < paris_to_utc(day_after))
    return conditions


def _distinct(column, campaign: Campaign) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            select(column)
            .where(AuditEvent.campaign_id == campaign.id)
            .group_by(column)
            .order_by(column)
        )
    )


def audit_log(campaign: Campaign, filters: AuditFilters, page: int = 1) -> AuditPage:
    """The campaign's audit events, newest first, filtered and paginated (four queries)."""
    conditions = _conditions(campaign, filters)
    total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    pages = max((total + AUDIT_PAGE_SIZE - 1) // AUDIT_PAGE_SIZE, 1)
    page = min(max(page, 1), pages)
    events = db.session.scalars(
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(AUDIT_PAGE_SIZE)
        .offset((page - 1) * AUDIT_PAGE_SIZE)
    ).all()
    return AuditPage(
        rows=[AuditRow(event, event_details(event.details)) for event in events],
        total=total,
        page=page,
        pages=pages,
        actions=_distinct(AuditEvent.action, campaign),
        actors=_distinct(AuditEvent.actor_label, campaign),
    )
