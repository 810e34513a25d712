"""An attachment's file, for those who may read its proposal (404 for anyone else)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from challenge.access.proposals import may_read
from challenge.accounts.models import User
from challenge.errors import NotFound
from challenge.extensions import db
from challenge.proposals import storage
from challenge.proposals.models import Attachment, Proposal

log = logging.getLogger(__name__)


def upload_folder() -> str:
    return str(current_app.config["UPLOAD_FOLDER"])


@dataclass(frozen=True)
class Download:
    attachment: Attachment
    path: str


def attachment_for_download(proposal_id: int, attachment_id: int, user: User) -> Download:
    """The file, for those who may read the proposal (404 for anyone else)."""
    attachment = db.session.scalar(
        select(Attachment).where(
            Attachment.id == attachment_id, Attachment.proposal_id == proposal_id
        )
    )
    if attachment is None:
        raise NotFound
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or not may_read(user, proposal):
        raise NotFound
    path = storage.path_of(upload_folder(), attachment.storage_key)
    if not path.is_file():
        log.error("attachment %s: file %s is missing", attachment.id, attachment.storage_key)
        raise NotFound
    return Download(attachment, str(path))
