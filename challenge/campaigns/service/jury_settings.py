"""How the jury works in a campaign: reviews per proposal, blind review, when jurors see the
others' scores, conflicts of interest by administration, agents' supports."""

from __future__ import annotations

from dataclasses import dataclass

from challenge.accounts.models import User
from challenge.campaigns.models import Campaign, ScoresVisibility
from challenge.campaigns.service.versioned import ensure_editable, save_changes
from challenge.campaigns.texts import _
from challenge.errors import Invalid
from challenge.unit_of_work import unit_of_work

JURY_SETTINGS = (
    "reviews_per_proposal",
    "blind_review",
    "scores_visibility",
    "same_administration_conflict",
    "allow_supports",
)


@dataclass(frozen=True)
class JurySettings:
    reviews_per_proposal: int | None
    blind_review: bool
    scores_visibility: str
    same_administration_conflict: bool
    allow_supports: bool


def update_jury_settings(
    campaign: Campaign, data: JurySettings, actor: User, *, expected_version: int | None = None
) -> dict[str, list[object]]:
    ensure_editable(campaign, actor)
    errors: dict[str, list[str]] = {}
    if data.reviews_per_proposal is None or not 1 <= data.reviews_per_proposal <= 20:
        errors["reviews_per_proposal"] = [
            _("Indiquez un nombre d’évaluations par proposition entre 1 et 20.")
        ]
    if data.scores_visibility not in {v.value for v in ScoresVisibility}:
        errors["scores_visibility"] = [_("Choisissez quand les jurés voient les autres notes.")]
    if errors:
        raise Invalid(errors)
    before = {name: getattr(campaign, name) for name in JURY_SETTINGS}
    after = {name: getattr(data, name) for name in JURY_SETTINGS}
    with unit_of_work(actor=actor, campaign_id=campaign.id) as work:
        return save_changes(
            work, campaign, before, after, "campaign.jury_settings_updated", expected_version
        )
