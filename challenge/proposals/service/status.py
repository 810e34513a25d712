"""The one writer of a proposal's status: every domain that moves a proposal calls it.

Agents submit and withdraw (proposals), the jury shortlists, the results name the outcomes: all
of them go through :func:`set_status`, which asks the pure lifecycle whether the move exists,
stamps its dates and records ``proposal.<move>`` in the audit log in the caller's unit of work.
"""

from __future__ import annotations

from challenge.proposals import lifecycle
from challenge.proposals.lifecycle import ProposalStatus
from challenge.proposals.models import Proposal
from challenge.timeutils import utcnow
from challenge.unit_of_work import Work


def set_status(
    proposal: Proposal,
    target: ProposalStatus | str,
    work: Work,
    *,
    details: dict[str, object] | None = None,
) -> str | None:
    """Move ``proposal`` to ``target``; the move's name, or None when it is there already.

    Raises :class:`challenge.proposals.lifecycle.IllegalMove` for a move the lifecycle lacks:
    callers check their own rules (deadline, phase, rights) first, so this is a bug, not input.
    """
    target = ProposalStatus(target)
    if proposal.status == target.value:
        return None
    name = lifecycle.move(proposal.status, target)
    now = utcnow()
    proposal.status = target.value
    if target is ProposalStatus.SUBMITTED and name != "unshortlisted":
        proposal.submitted_at = now
        proposal.withdrawn_at = None
    elif target is ProposalStatus.WITHDRAWN:
        proposal.withdrawn_at = now
    work.audit(
        f"proposal.{name}", target=proposal, campaign_id=proposal.campaign_id, details=details
    )
    return name
