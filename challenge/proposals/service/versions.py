"""A proposal's versions: each saved change recorded, and what changed since a stale form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from challenge.accounts.models import User
from challenge.extensions import db
from challenge.proposals.fields import (
    CONTENT_FIELDS,
    YES,
    changed_fields,
    field_labels,
    field_value,
    snapshot,
)
from challenge.proposals.models import Proposal, ProposalVersion
from challenge.proposals.refusals import FieldChange, SaveConflict
from challenge.timeutils import utcnow


def next_version_number(proposal_id: int) -> int:
    number = db.session.scalar(
        select(func.max(ProposalVersion.number)).where(ProposalVersion.proposal_id == proposal_id)
    )
    return (number or 0) + 1


def record_version(
    proposal: Proposal, user: User, event: str, changed: list[str], note: str = ""
) -> ProposalVersion:
    db.session.flush()  # the proposal's lock version is the new one from here on
    data = snapshot(proposal)
    if note:
        data["_note"] = note
    version = ProposalVersion(
        proposal_id=proposal.id,
        number=next_version_number(proposal.id),
        author_id=user.id,
        at=utcnow(),
        event=event,
        changed_fields=changed,
        snapshot=data,
        lock_version=proposal.version,
    )
    db.session.add(version)
    return version


def conflict_since(proposal: Proposal, base_version: int) -> SaveConflict:
    """What changed between the version the form was opened on and the one saved now."""
    base = db.session.scalar(
        select(ProposalVersion)
        .where(
            ProposalVersion.proposal_id == proposal.id,
            ProposalVersion.lock_version <= base_version,
        )
        .order_by(ProposalVersion.lock_version.desc(), ProposalVersion.number.desc())
        .limit(1)
    )
    current = snapshot(proposal)
    before = base.snapshot if base is not None else {}
    labels = field_labels(proposal.campaign.questions)
    yes_no = {f"question_{q.id}" for q in proposal.campaign.questions if q.kind == "yes_no"}

    def shown(data: dict[str, object], name: str) -> object:
        value = field_value(data, name)
        if name in yes_no and value:
            return str(_l("Oui")) if value == YES else str(_l("Non"))
        return value

    changes = [
        FieldChange(
            field=name,
            label=labels.get(name, name),
            before=shown(before, name) if base is not None else None,
            after=shown(current, name),
        )
        for name in changed_fields(before, current)
        if base is not None or name in CONTENT_FIELDS
    ]
    return SaveConflict(proposal, changes, _editors_since(proposal.id, base_version))


def _editors_since(proposal_id: int, base_version: int) -> list[str]:
    """Who saved the proposal after the version the form was opened on."""
    return [
        editor.display_name
        for editor in db.session.scalars(
            select(User).where(
                User.id.in_(
                    select(ProposalVersion.author_id).where(
                        ProposalVersion.proposal_id == proposal_id,
                        ProposalVersion.lock_version > base_version,
                    )
                )
            )
        )
    ]
