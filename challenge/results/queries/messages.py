"""The organisers' result-messages page: the templates, the recipients, what may be done now."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from challenge.campaigns.models import Campaign
from challenge.results.models import ResultTemplate
from challenge.results.queries.outbox import results_sent
from challenge.results.queries.phases import send_refusal, template_refusal
from challenge.results.queries.recipients import Recipient, recipients


@dataclass(frozen=True)
class MessagesPage:
    campaign: Campaign
    templates: dict[str, ResultTemplate]
    recipients: list[Recipient]
    counts: dict[str, int]  # recipients per outcome
    queued: int  # result messages already in the outbox
    edit_refusal: str | None
    send_refusal: str | None


def build_messages_page(
    campaign: Campaign, templates: Mapping[str, ResultTemplate]
) -> MessagesPage:
    """The page around the campaign's templates (which the service creates when missing)."""
    everyone = recipients(campaign.id)
    decided = len({r.proposal_id for r in everyone})
    return MessagesPage(
        campaign=campaign,
        templates=dict(templates),
        recipients=everyone,
        counts=dict(Counter(r.outcome for r in everyone)),
        queued=results_sent(campaign.id),
        edit_refusal=template_refusal(campaign),
        send_refusal=send_refusal(campaign, decided),
    )
