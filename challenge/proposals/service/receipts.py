"""The receipt every author gets when a proposal is sent, with the text as it was sent."""

from __future__ import annotations

from challenge.notifications.rendering import external_url
from challenge.proposals.fields import FIELD_LABELS, TEXT_FIELDS, display_answer
from challenge.proposals.models import Proposal
from challenge.unit_of_work import Work


def _summary(proposal: Proposal) -> list[dict[str, object]]:
    """The text as sent; labels stay lazy, to be read in each recipient's language."""
    rows: list[dict[str, object]] = [
        {"label": FIELD_LABELS[name], "value": getattr(proposal, name)} for name in TEXT_FIELDS
    ]
    for question in proposal.campaign.questions:
        rows.append(
            {"label": question.label, "value": display_answer(question, proposal.answers or {})}
        )
    return rows


def queue_receipt(proposal: Proposal, version_number: int, work: Work) -> None:
    """The receipt to every author, with the text as it was sent."""
    campaign = proposal.campaign
    context = {
        "proposal_title": proposal.title,
        "campaign_title": campaign.title,
        "sent_at": proposal.submitted_at,
        "deadline_at": campaign.deadline_at,
        "summary": _summary(proposal),
        "commitment_released": proposal.commitment_released,
        "commitment_manager_informed": proposal.commitment_manager_informed,
        "attachments": [a.filename for a in proposal.attachments],
        "authors": [a.email for a in proposal.authors],
        "link": external_url("proposals.show_proposal", proposal_id=proposal.id),
    }
    for author in proposal.authors:
        work.mail(
            "proposal_receipt",
            to=author.email,
            context=context,
            locale=author.user.locale if author.user is not None else "fr",
            user_id=author.user_id,
            campaign_id=campaign.id,
            dedup_key=f"proposal:{proposal.id}:receipt:{version_number}:{author.email}",
        )
