"""When the jury may act: the review window, the assignment and the shortlist phases."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from challenge.campaigns.models import Campaign, CampaignStatus
from challenge.timeutils import utcnow

ASSIGNABLE_STATUSES = (CampaignStatus.OPEN.value, CampaignStatus.REVIEW.value)
SHORTLIST_STATUSES = (CampaignStatus.REVIEW.value, CampaignStatus.SHORTLIST.value)


def review_state(campaign: Campaign, now: datetime | None = None) -> tuple[bool, str | None]:
    """Whether jurors may save their written reviews now, and if not, why (for the page)."""
    now = now or utcnow()
    status = campaign.status
    if status in (CampaignStatus.DRAFT.value, CampaignStatus.OPEN.value):
        return False, _l("L’évaluation commencera à la clôture des dépôts.")
    if status == CampaignStatus.REVIEW.value:
        if campaign.review_ends_at is not None and now >= campaign.review_ends_at:
            return False, _l(
                "La phase d’évaluation est terminée : les évaluations ne peuvent plus être modifiées."
            )
        return True, None
    return False, _l(
        "La phase d’évaluation est terminée : les évaluations ne peuvent plus être modifiées."
    )


def assignment_refusal(campaign: Campaign) -> str | None:
    """Why the assignments cannot change now, or None when they can."""
    if campaign.status in ASSIGNABLE_STATUSES:
        return None
    if campaign.status == CampaignStatus.DRAFT.value:
        return _l("L’affectation sera possible une fois la campagne ouverte.")
    return _l("La phase d’évaluation est terminée : les affectations ne peuvent plus changer.")


def shortlist_refusal(campaign: Campaign) -> str | None:
    """Why the shortlist cannot change now, or None when it can."""
    if campaign.status in SHORTLIST_STATUSES:
        return None
    if campaign.status in (CampaignStatus.DRAFT.value, CampaignStatus.OPEN.value):
        return _l("La présélection s’ouvrira à la fin des dépôts, pendant l’évaluation.")
    return _l(
        "La présélection est close : la campagne est passée à l’étape des pitchs, elle ne "
        "peut plus être modifiée."
    )
