"""An author writes a proposal: creates it, saves it, sends it, withdraws it.

The deadline is checked here, at the moment of the write, never only in the page. After it, a
draft keeps its text (it can no longer be sent) and a sent proposal stays as it was at the
deadline, the refused text being kept as an unsent copy in its history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from challenge.access.domains import normalise_email
from challenge.access.proposals import accepts_submissions
from challenge.accounts.models import User
from challenge.campaigns.models import PUBLISHED_STATUSES, Campaign
from challenge.errors import ConcurrentChange, Forbidden, Invalid, NotFound
from challenge.extensions import db
from challenge.proposals.fields import (
    CONTENT_FIELDS,
    ProposalInput,
    changed_fields,
    field_value,
    missing_to_submit,
    snapshot,
    validate,
)
from challenge.proposals.models import (
    IN_COMPETITION,
    AuthorRole,
    Proposal,
    ProposalAuthor,
    ProposalStatus,
    ProposalVersion,
)
from challenge.proposals.queries.authorship import (
    Authored,
    authored,
    authored_for_sending,
    load_proposal,
)
from challenge.proposals.queries.campaigns import ensure_agent_of
from challenge.proposals.service.receipts import queue_receipt
from challenge.proposals.service.status import set_status
from challenge.proposals.service.versions import (
    conflict_since,
    next_version_number,
    record_version,
)
from challenge.timeutils import utcnow
from challenge.unit_of_work import Work, unit_of_work


@dataclass
class SaveResult:
    proposal: Proposal
    changed: list[str]
    submitted: bool = False  # this save sent the proposal to the jury
    errors: dict[str, str] = field(default_factory=dict)  # submission refused: what is missing
    late: bool = False  # after the deadline: kept (as a draft, or as an unsent copy), not sent


def create_draft(
    campaign: Campaign, user: User, data: ProposalInput, submit: bool = False
) -> SaveResult:
    """A new proposal by ``user``. After the deadline it is still kept, as a draft."""
    ensure_agent_of(campaign, user)
    if campaign.status not in PUBLISHED_STATUSES:
        raise NotFound
    data = validate(data, campaign.questions)
    values = data.values()
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        proposal = Proposal(
            campaign_id=campaign.id, submitter_id=user.id, status=ProposalStatus.DRAFT.value
        )
        for name, value in values.items():
            setattr(proposal, name, value)
        proposal.campaign = campaign
        db.session.add(proposal)
        db.session.add(
            ProposalAuthor(
                proposal=proposal,
                email=normalise_email(user.email),
                user_id=user.id,
                role=AuthorRole.SUBMITTER.value,
            )
        )
        db.session.flush()
        changed = changed_fields({"answers": {}}, snapshot(proposal))
        changed = [n for n in changed if field_value(values, n)]
        record_version(proposal, user, "created", changed)
        work.audit("proposal.created", target=proposal)
        result = SaveResult(proposal, changed)
        if not accepts_submissions(campaign):
            result.late = True
        elif submit:
            _send_if_complete(proposal, user, result, work)
    return result


def save(
    proposal_id: int,
    user: User,
    data: ProposalInput,
    base_version: int | None,
    submit: bool = False,
) -> SaveResult:
    """Save an author's edit (and send it when ``submit``). ``base_version`` is the version the
    form was opened on: if someone saved since, SaveConflict, and nothing is written."""
    found = authored(proposal_id, user)
    proposal, campaign = found.proposal, found.campaign
    if submit and not found.is_submitter:
        raise Forbidden
    data = validate(data, campaign.questions)
    if base_version is None or base_version != proposal.version:
        raise conflict_since(proposal, base_version or 0)
    values = data.values()
    changed = changed_fields(snapshot(proposal), values)
    if not accepts_submissions(campaign):
        return _save_late(found, user, values, changed)
    sent = proposal.status in IN_COMPETITION
    if sent:
        missing = missing_to_submit(values, campaign.questions)
        if missing:
            # A proposal the jury may read must stay complete: refuse, the text stays in the form.
            raise Invalid(missing)
    try:
        with unit_of_work(actor=user, campaign_id=campaign.id) as work:
            return _write_edit(proposal, user, values, changed, submit=submit, work=work)
    except ConcurrentChange as error:
        if not isinstance(error.__cause__, StaleDataError):
            raise
        # Someone saved between our read and our write: same answer as a stale form.
        fresh = load_proposal(proposal_id)
        if fresh is None:
            raise NotFound from None
        raise conflict_since(fresh, base_version) from None


def _write_edit(
    proposal: Proposal,
    user: User,
    values: dict[str, object],
    changed: list[str],
    *,
    submit: bool,
    work: Work,
) -> SaveResult:
    sent = proposal.status in IN_COMPETITION
    _apply(proposal, values)
    result = SaveResult(proposal, changed)
    if changed:
        record_version(proposal, user, "edited" if sent else "saved", changed)
        work.audit(
            "proposal.edited" if sent else "proposal.saved",
            target=proposal,
            details={"fields": changed},
        )
    if submit and not sent:
        _send_if_complete(proposal, user, result, work)
    db.session.flush()
    return result


def _apply(proposal: Proposal, values: dict[str, object]) -> None:
    for name in CONTENT_FIELDS:
        if getattr(proposal, name) != values[name]:
            setattr(proposal, name, values[name])
    if (proposal.answers or {}) != values["answers"]:
        proposal.answers = dict(values["answers"])  # type: ignore[arg-type]


def _save_late(
    found: Authored, user: User, values: dict[str, object], changed: list[str]
) -> SaveResult:
    """After the deadline: a draft keeps the text (it can no longer be sent); a sent proposal
    stays as it was at the deadline and the refused text is kept as an unsent copy in its history."""
    proposal = found.proposal
    result = SaveResult(proposal, changed, late=True)
    if not changed:
        return result
    with unit_of_work(actor=user, campaign_id=proposal.campaign_id) as work:
        if proposal.status in (ProposalStatus.DRAFT.value, ProposalStatus.WITHDRAWN.value):
            _apply(proposal, values)
            record_version(proposal, user, "saved", changed)
            work.audit("proposal.saved", target=proposal)
        else:
            db.session.add(
                ProposalVersion(
                    proposal_id=proposal.id,
                    number=next_version_number(proposal.id),
                    author_id=user.id,
                    at=utcnow(),
                    event="late_copy",
                    changed_fields=changed,
                    snapshot={**values, "status": proposal.status},
                    lock_version=proposal.version,
                )
            )
            work.audit("proposal.late_edit_refused", target=proposal, details={"fields": changed})
    return result


def _send_if_complete(proposal: Proposal, user: User, result: SaveResult, work: Work) -> None:
    """Send the proposal as saved (``proposal.submitted`` or ``.resubmitted``), or say what is
    missing in ``result.errors``."""
    missing = missing_to_submit(snapshot(proposal), proposal.campaign.questions)
    if missing:
        result.errors = missing
        return
    move = set_status(proposal, ProposalStatus.SUBMITTED, work)
    version = record_version(proposal, user, move or "submitted", ["status"])
    queue_receipt(proposal, version.number, work)
    result.submitted = True


def submit(proposal_id: int, user: User) -> SaveResult:
    """Send (or send again after withdrawing) the proposal as it is saved."""
    found = authored_for_sending(proposal_id, user)
    proposal = found.proposal
    result = SaveResult(proposal, [])
    if proposal.status in IN_COMPETITION:
        return result
    with unit_of_work(actor=user, campaign_id=proposal.campaign_id) as work:
        _send_if_complete(proposal, user, result, work)
    return result


def withdraw(proposal_id: int, user: User) -> Proposal:
    """Take a sent proposal out of the competition (it can be sent again before the deadline)."""
    found = authored_for_sending(proposal_id, user)
    proposal = found.proposal
    if proposal.status != ProposalStatus.SUBMITTED.value:
        raise Invalid({"status": str(_l("Cette proposition n’est pas envoyée."))})
    with unit_of_work(actor=user, campaign_id=proposal.campaign_id) as work:
        set_status(proposal, ProposalStatus.WITHDRAWN, work)
        record_version(proposal, user, "withdrawn", ["status"])
    return proposal
