"""What the results pages share: their URL prefixes, the organisers' frame, errors beside fields."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for

ORGANISER = "/organisation/campagnes/<int:campaign_id>"
JUROR = "/jury/campagnes/<int:campaign_id>"


def organiser_context(campaign: Any, active: str) -> dict[str, object]:
    views = current_app.view_functions
    return {
        "campaign": campaign,
        "active": active,
        "dashboard_url": (
            url_for("campaigns.dashboard", campaign_id=campaign.id)
            if "campaigns.dashboard" in views
            else None
        ),
        "organiser_index_url": (
            url_for("campaigns.organiser_index") if "campaigns.organiser_index" in views else None
        ),
    }


def apply_errors(form: Any, errors: dict[str, str]) -> list[str]:
    """Put each error beside its field; return those that belong to no field."""
    loose = []
    for name, message in errors.items():
        field = getattr(form, name, None) if form is not None else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), message]
        else:
            loose.append(message)
    return loose
