"""Writing audit events. Called by the services, inside their own transaction."""

from __future__ import annotations

from challenge.audit.models import AuditEvent
from challenge.extensions import db


def record(
    action: str,
    *,
    actor: object | None = None,
    campaign_id: int | None = None,
    target: object | None = None,
    details: dict[str, object] | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits)."""
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", "") or ("system" if actor is None else ""),
        campaign_id=campaign_id,
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=getattr(target, "id", None),
        details=details or {},
    )
    db.session.add(event)
    return event
