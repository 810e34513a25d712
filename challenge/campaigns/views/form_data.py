"""What each set-up form shows of the campaign as stored (the ``version`` travels with it)."""

from __future__ import annotations

from challenge.campaigns.lifecycle import DATE_FIELDS
from challenge.campaigns.models import Campaign
from challenge.campaigns.views.common import paris_input


def settings_data(campaign: Campaign) -> dict[str, object]:
    data: dict[str, object] = {
        "version": campaign.version,
        "title": campaign.title,
        "slug": campaign.slug,
        "administration": campaign.administration,
        "call_text": campaign.call_text,
        "allowed_domains": "\n".join(campaign.domains),
    }
    for name in DATE_FIELDS:
        data[name] = paris_input(getattr(campaign, name))
    return data


def jury_data(campaign: Campaign) -> dict[str, object]:
    return {
        "version": campaign.version,
        "reviews_per_proposal": campaign.reviews_per_proposal,
        "blind_review": campaign.blind_review,
        "scores_visibility": campaign.scores_visibility,
        "same_administration_conflict": campaign.same_administration_conflict,
        "allow_supports": campaign.allow_supports,
    }


def questions_data(campaign: Campaign) -> dict[str, object]:
    return {
        "version": campaign.version,
        "questions": [
            {
                "id": q.id,
                "label": q.label,
                "help_text": q.help_text,
                "kind": q.kind,
                "required": q.required,
                "max_length": q.max_length,
                "choices": "\n".join(q.choices or []),
                "position": index + 1,
            }
            for index, q in enumerate(campaign.questions)
        ],
    }


def grid_data(campaign: Campaign, kind: str) -> dict[str, object]:
    criteria = campaign.grid(kind)
    return {
        "version": campaign.version,
        "scale_min": criteria[0].scale_min if criteria else 0,
        "scale_max": criteria[0].scale_max if criteria else 4,
        "criteria": [
            {
                "id": c.id,
                "label": c.label,
                "description": c.description,
                "weight": f"{c.weight:g}".replace(".", ","),
                "levels": "\n".join(c.level_descriptions or []),
                "position": index + 1,
            }
            for index, c in enumerate(criteria)
        ],
    }
