"""Import every domain's models, so that Alembic and the app see the whole schema."""

from challenge.accounts.models import LoginToken, Membership, User  # noqa: F401
from challenge.audit.models import AuditEvent  # noqa: F401
from challenge.campaigns.models import Campaign, Criterion, ProposalQuestion  # noqa: F401
from challenge.exports.models import ExportJob  # noqa: F401
from challenge.jury.models import (  # noqa: F401
    Conflict,
    Review,
    ReviewAssignment,
    ReviewScore,
    ShortlistDecision,
)
from challenge.notifications.models import OutboxMessage  # noqa: F401
from challenge.proposals.models import (  # noqa: F401
    Attachment,
    Proposal,
    ProposalAuthor,
    ProposalVersion,
    Support,
)
from challenge.results.models import PitchSlot, ResultDecision, ResultTemplate  # noqa: F401
