"""Files attached to a proposal by its authors, while the campaign takes submissions."""

from __future__ import annotations

from typing import BinaryIO

from flask_babel import lazy_gettext as _l

from challenge.accounts.models import User
from challenge.errors import Invalid, NotFound
from challenge.extensions import db
from challenge.proposals import storage
from challenge.proposals.models import Attachment, Proposal
from challenge.proposals.queries.authorship import authored
from challenge.proposals.queries.campaigns import ensure_open
from challenge.proposals.queries.downloads import upload_folder
from challenge.proposals.service.versions import record_version
from challenge.unit_of_work import unit_of_work

MAX_ATTACHMENTS = 10
UNSUPPORTED_TYPE = _l(
    "Ce type de fichier n’est pas accepté. Formats acceptés : PDF, images "
    "(PNG, JPEG, GIF, WebP), documents Word, Excel, PowerPoint ou OpenDocument."
)


def _store(stream: BinaryIO) -> storage.StoredFile:
    try:
        return storage.store(stream, upload_folder())
    except storage.EmptyFile:
        raise Invalid(
            {"file": str(_l("Le fichier est vide. Choisissez un autre fichier."))}
        ) from None
    except storage.UnsupportedType:
        raise Invalid({"file": str(UNSUPPORTED_TYPE)}) from None


def add_attachment(proposal_id: int, user: User, filename: str, stream: BinaryIO) -> Attachment:
    found = authored(proposal_id, user)
    proposal = found.proposal
    ensure_open(found.campaign)
    if len(proposal.attachments) >= MAX_ATTACHMENTS:
        raise Invalid(
            {
                "file": str(
                    _l("Pas plus de %(n)s pièces jointes par proposition.", n=MAX_ATTACHMENTS)
                )
            }
        )
    stored = _store(stream)
    try:
        return _record_attachment(proposal, user, filename, stored)
    except Exception:
        storage.delete(upload_folder(), stored.key)  # nothing written: no file left behind
        raise


def _record_attachment(
    proposal: Proposal, user: User, filename: str, stored: storage.StoredFile
) -> Attachment:
    with unit_of_work(actor=user, campaign_id=proposal.campaign_id) as work:
        attachment = Attachment(
            proposal=proposal,
            filename=storage.safe_filename(filename or "", stored.file_type),
            content_type=stored.file_type.content_type,
            size=stored.size,
            sha256=stored.sha256,
            storage_key=stored.key,
            uploaded_by_id=user.id,
        )
        db.session.add(attachment)
        db.session.flush()
        record_version(
            proposal, user, "attachment_added", ["attachments"], note=attachment.filename
        )
        work.audit(
            "proposal.attachment_added",
            target=proposal,
            details={"attachment_id": attachment.id, "size": stored.size},
        )
    return attachment


def remove_attachment(proposal_id: int, user: User, attachment_id: int) -> Attachment:
    found = authored(proposal_id, user)
    proposal = found.proposal
    attachment = next((a for a in proposal.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound
    ensure_open(found.campaign)
    key = attachment.storage_key
    with unit_of_work(actor=user, campaign_id=proposal.campaign_id) as work:
        proposal.attachments.remove(attachment)
        db.session.flush()
        record_version(
            proposal, user, "attachment_removed", ["attachments"], note=attachment.filename
        )
        work.audit(
            "proposal.attachment_removed", target=proposal, details={"attachment_id": attachment_id}
        )
    storage.delete(upload_folder(), key)
    return attachment
