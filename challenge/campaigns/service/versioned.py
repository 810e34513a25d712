"""The end every set-up save shares: only an editable campaign, the version claimed (so that of
two organisers saving the same form the second is told to reload), the field diff audited."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from challenge.access.roles import is_organiser
from challenge.accounts.models import User
from challenge.campaigns.changes import diff, list_diff
from challenge.campaigns.models import Campaign, CampaignStatus
from challenge.campaigns.texts import _
from challenge.errors import Forbidden, Refused
from challenge.extensions import db
from challenge.unit_of_work import Work


def ensure_organiser(campaign: Campaign, actor: User | None) -> None:
    if not is_organiser(actor, campaign.id):
        raise Forbidden


def ensure_editable(campaign: Campaign, actor: User | None) -> None:
    ensure_organiser(campaign, actor)
    if campaign.status == CampaignStatus.ARCHIVED.value:
        raise Refused(_("Cette campagne est archivée : elle ne peut plus être modifiée."))


def claim_version(campaign: Campaign, expected: int | None) -> None:
    """Refuse a save made from a page older than the last change (another organiser's)."""
    if expected is None:
        campaign.version = (campaign.version or 0) + 1
        return
    new_version = db.session.scalar(
        update(Campaign)
        .where(Campaign.id == campaign.id, Campaign.version == expected)
        .values(version=Campaign.version + 1)
        .returning(Campaign.version)
        .execution_options(synchronize_session=False)
    )
    if new_version is None:
        raise Refused(
            _(
                "La campagne a été modifiée entre-temps (par un autre organisateur ou par le "
                "passage automatique d’une étape). Rechargez la page pour repartir de la "
                "dernière version."
            )
        )
    set_committed_value(campaign, "version", new_version)


def save_changes(
    work: Work,
    campaign: Campaign,
    before: dict[str, object],
    after: dict[str, object],
    action: str,
    expected_version: int | None,
) -> dict[str, list[object]]:
    """Write ``after`` on the campaign where it differs from ``before`` and audit the diff as
    ``action``. Returns the diff (empty: nothing written, the version unclaimed)."""
    changes = diff(before, after)
    if not changes:
        return {}
    claim_version(campaign, expected_version)
    for name, value in after.items():
        setattr(campaign, name, value)
    work.audit(action, target=campaign, details={"changes": changes})
    return changes


def keep_written_changes(
    work: Work,
    campaign: Campaign,
    before: dict[int, dict[str, object]],
    after: dict[int, dict[str, object]],
    action: str,
    expected_version: int | None,
    **details: object,
) -> dict[str, object]:
    """The rows written (flushed) since ``before`` are kept if ``after`` differs: the version is
    claimed and the diff audited as ``action`` (after ``details``). Otherwise they are rolled
    back. Returns the diff (empty: nothing changed)."""
    changes = list_diff(before, after)
    if not changes:
        db.session.rollback()
        return {}
    claim_version(campaign, expected_version)
    work.audit(action, target=campaign, details={**details, **changes})
    return changes
