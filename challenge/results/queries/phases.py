"""What each step of the campaign allows now in the results domain, and why not otherwise."""

from __future__ import annotations

from flask_babel import gettext as _

from challenge.campaigns.models import Campaign, CampaignStatus

SLOT_STATUSES = (
    CampaignStatus.REVIEW.value,
    CampaignStatus.SHORTLIST.value,
    CampaignStatus.PITCH.value,
)
DECISION_STATUSES = (CampaignStatus.PITCH.value, CampaignStatus.RESULTS.value)
TEMPLATE_STATUSES = (
    CampaignStatus.SHORTLIST.value,
    CampaignStatus.PITCH.value,
    CampaignStatus.RESULTS.value,
)


def slot_refusal(campaign: Campaign) -> str | None:
    """Why the slots cannot change now, or None."""
    if campaign.status in SLOT_STATUSES:
        return None
    if campaign.status in (CampaignStatus.DRAFT.value, CampaignStatus.OPEN.value):
        return _("Les créneaux de pitch se préparent une fois les dépôts clos.")
    return _("Le jour des pitchs est passé : les créneaux ne peuvent plus changer.")


def convocation_refusal(campaign: Campaign) -> str | None:
    if campaign.status == CampaignStatus.PITCH.value:
        return None
    if campaign.status in SLOT_STATUSES:
        return _(
            "Les convocations partent à l’étape des pitchs, quand la présélection ne peut plus "
            "changer : passez la campagne à l’étape « Pitchs » pour les envoyer."
        )
    return _("Le jour des pitchs est passé : plus de convocation à envoyer.")


def scoring_refusal(campaign: Campaign) -> str | None:
    if campaign.status == CampaignStatus.PITCH.value:
        return None
    if campaign.status in (CampaignStatus.RESULTS.value, CampaignStatus.ARCHIVED.value):
        return _("Le jour des pitchs est passé : les notes ne peuvent plus changer.")
    return _("La notation des pitchs ouvrira le jour des pitchs.")


def decision_refusal(campaign: Campaign) -> str | None:
    if campaign.status in DECISION_STATUSES:
        return None
    if campaign.status == CampaignStatus.ARCHIVED.value:
        return _("La campagne est archivée : les résultats ne peuvent plus changer.")
    return _(
        "Les lauréats se désignent après les pitchs : passez la campagne à l’étape « Pitchs » "
        "puis entendez les propositions présélectionnées."
    )


def template_refusal(campaign: Campaign) -> str | None:
    if campaign.status in TEMPLATE_STATUSES:
        return None
    return _("Les messages de résultat se préparent entre la présélection et les résultats.")


def send_refusal(campaign: Campaign, decided: int) -> str | None:
    if campaign.status != CampaignStatus.RESULTS.value:
        return _(
            "Les messages partent à l’étape « Résultats » : désignez les lauréats, puis passez "
            "la campagne à cette étape pour les envoyer."
        )
    if not decided:
        return _("Désignez d’abord les lauréats : aucune décision n’est enregistrée.")
    return None
