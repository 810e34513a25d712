"""The proposals' refusals that carry what their page shows (the rest are plain domain errors).

Views let them propagate: the blueprint renders each one's page (see ``views``).
"""

from __future__ import annotations

from dataclasses import dataclass

from challenge import errors
from challenge.campaigns.models import Campaign
from challenge.proposals.models import Proposal


class DomainNotAllowed(errors.Forbidden):
    """The campaign is open to other e-mail domains than the person's."""

    def __init__(self, campaign: Campaign, email: str) -> None:
        super().__init__(email)
        self.campaign = campaign
        self.email = email


class CampaignClosed(errors.Refused):
    """The campaign takes no proposal now (not open yet, or past its deadline)."""

    def __init__(self, campaign: Campaign) -> None:
        super().__init__(campaign.slug)
        self.campaign = campaign


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: object
    after: object


class SaveConflict(errors.ConcurrentChange):
    """Someone saved since the form was opened: nothing was written, here is what they changed."""

    def __init__(self, proposal: Proposal, changes: list[FieldChange], editors: list[str]) -> None:
        super().__init__(proposal.id)
        self.proposal = proposal
        self.changes = changes
        self.editors = editors
        self.current_version = proposal.version
