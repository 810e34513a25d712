"""The jury's work: conflicts, review assignments, reviews and their scores, the shortlist."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from challenge.extensions import db
from challenge.timeutils import utcnow


class ConflictSource(enum.StrEnum):
    DECLARED = "declared"  # the juror said so
    AUTHOR = "author"  # the juror wrote or co-wrote the proposal
    ADMINISTRATION = "administration"  # same administration, when the campaign says so


class Conflict(db.Model):
    """A juror who must not judge a proposal, or any proposal of an administration."""

    __tablename__ = "conflict"
    __table_args__ = (
        CheckConstraint("(proposal_id IS NOT NULL) OR (administration IS NOT NULL)", name="target"),
        CheckConstraint("source IN ('declared','author','administration')", name="source"),
        Index("ix_conflict_campaign_juror", "campaign_id", "juror_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    juror_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    administration: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20), default=ConflictSource.DECLARED.value)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AssignmentState(enum.StrEnum):
    ACTIVE = "active"
    REMOVED = "removed"  # removed by hand: the automatic assignment never puts it back


class ReviewAssignment(db.Model):
    __tablename__ = "review_assignment"
    __table_args__ = (
        UniqueConstraint("proposal_id", "juror_id"),
        CheckConstraint("state IN ('active','removed')", name="state"),
        Index("ix_review_assignment_campaign_juror", "campaign_id", "juror_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    juror_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    state: Mapped[str] = mapped_column(String(10), default=AssignmentState.ACTIVE.value)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)  # set by hand: always kept
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # When the juror was told of this assignment (in one summary e-mail); None: not yet.
    notified_at: Mapped[datetime | None] = mapped_column(DateTime)


class ReviewPhase(enum.StrEnum):
    WRITTEN = "written"
    PITCH = "pitch"


class ReviewStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Review(db.Model):
    """One juror's review of one proposal, in the written phase or on pitch day."""

    __tablename__ = "review"
    __table_args__ = (
        UniqueConstraint("proposal_id", "juror_id", "phase"),
        CheckConstraint("phase IN ('written','pitch')", name="phase"),
        CheckConstraint("status IN ('draft','submitted')", name="status"),
        Index("ix_review_campaign_phase_status", "campaign_id", "phase", "status"),
        Index("ix_review_juror", "juror_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    juror_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    phase: Mapped[str] = mapped_column(String(10), default=ReviewPhase.WRITTEN.value)
    status: Mapped[str] = mapped_column(String(10), default=ReviewStatus.DRAFT.value)
    comment_for_jury: Mapped[str] = mapped_column(Text, default="")
    message_for_agent: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)

    scores: Mapped[list[ReviewScore]] = relationship(
        back_populates="review", cascade="all, delete-orphan"
    )


class ReviewScore(db.Model):
    __tablename__ = "review_score"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("criterion.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float] = mapped_column(Float)

    review: Mapped[Review] = relationship(back_populates="scores")


class ShortlistDecision(db.Model):
    """The organisers' current decision on a proposal for the pitch, with its note."""

    __tablename__ = "shortlist_decision"
    __table_args__ = (UniqueConstraint("proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    selected: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
