"""Agents' proposals: an irritant, a solution idea, co-authors, versions, attachments, supports."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.extensions import db
from challenge.proposals.lifecycle import IN_COMPETITION, ProposalStatus  # noqa: F401
from challenge.timeutils import utcnow

# Maximum lengths of the proposal's texts, shared by the form (counter, maxlength) and the service.
MAX_LENGTHS = {
    "title": 200,
    "irritant": 4000,
    "workaround": 2000,
    "solution": 4000,
    "impact": 3000,
    "first_users": 2000,
    "administration": 200,
    "service": 200,
    "region": 100,
}
MAX_TESTIMONY_LENGTH = 1000


class AuthorRole(enum.StrEnum):
    SUBMITTER = "submitter"
    COAUTHOR = "coauthor"


class Proposal(db.Model):
    __tablename__ = "proposal"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft','submitted','withdrawn','shortlisted','not_retained',"
            "'laureate','mention')",
            name="status",
        ),
        Index("ix_proposal_campaign_status", "campaign_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    submitter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ProposalStatus.DRAFT.value)
    title: Mapped[str] = mapped_column(String(200), default="")
    irritant: Mapped[str] = mapped_column(Text, default="")
    workaround: Mapped[str] = mapped_column(Text, default="")
    solution: Mapped[str] = mapped_column(Text, default="")
    impact: Mapped[str] = mapped_column(Text, default="")
    first_users: Mapped[str] = mapped_column(Text, default="")
    administration: Mapped[str] = mapped_column(String(200), default="")
    service: Mapped[str] = mapped_column(String(200), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    commitment_released: Mapped[bool] = mapped_column(Boolean, default=False)
    commitment_manager_informed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Answers to the campaign's extra questions: {str(question_id): value}.
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    publish_name_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Optimistic locking: a save based on an older version is refused, never silently merged.
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    campaign: Mapped[Campaign] = relationship()
    submitter: Mapped[User] = relationship(foreign_keys=[submitter_id])
    authors: Mapped[list[ProposalAuthor]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalAuthor.id"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="Attachment.id"
    )


class ProposalAuthor(db.Model):
    """The submitter and the co-authors invited by e-mail (bound at their first sign-in)."""

    __tablename__ = "proposal_author"
    __table_args__ = (
        UniqueConstraint("proposal_id", "email"),
        CheckConstraint("role IN ('submitter','coauthor')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[str] = mapped_column(String(10), default=AuthorRole.COAUTHOR.value)
    invited_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="authors")
    user: Mapped[User | None] = relationship()


class ProposalVersion(db.Model):
    """Every saved change of a proposal: who, when, which fields, and the text as it became."""

    __tablename__ = "proposal_version"
    __table_args__ = (UniqueConstraint("proposal_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    event: Mapped[str] = mapped_column(String(20), default="saved")
    changed_fields: Mapped[list] = mapped_column(JSON, default=list)
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    # The proposal's optimistic-locking version once this change was written: a conflicting save
    # finds here the text its author had opened, to show what the other person changed since.
    lock_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    author: Mapped[User | None] = relationship()


class Attachment(db.Model):
    """A file attached to a proposal, stored outside static/ under a random key."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="attachments")


class Support(db.Model):
    """ "Moi aussi": an agent supports an irritant already reported, instead of a duplicate."""

    __tablename__ = "support"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    testimony: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
