"""Pitch day and results: slots, convocations, decisions, result message templates."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from challenge.extensions import db
from challenge.timeutils import utcnow


class SlotConfirmation(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CHANGE_REQUESTED = "change_requested"


class PitchSlot(db.Model):
    __tablename__ = "pitch_slot"
    __table_args__ = (
        UniqueConstraint("proposal_id"),
        CheckConstraint(
            "confirmation IN ('pending','confirmed','change_requested')", name="confirmation"
        ),
        CheckConstraint("duration_minutes > 0", name="duration"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=15)
    location: Mapped[str] = mapped_column(String(300), default="")
    video_link: Mapped[str] = mapped_column(String(500), default="")
    confirmation: Mapped[str] = mapped_column(String(20), default=SlotConfirmation.PENDING.value)
    confirmation_note: Mapped[str] = mapped_column(Text, default="")
    convoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    # When the agent answered the convocation (confirmed or asked for another slot).
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class Outcome(enum.StrEnum):
    LAUREATE = "laureate"
    MENTION = "mention"
    SHORTLISTED_NOT_RETAINED = "shortlisted_not_retained"
    NOT_RETAINED = "not_retained"


class ResultTemplate(db.Model):
    """The message sent to agents for one outcome, with {placeholders}; editable per campaign."""

    __tablename__ = "result_template"
    __table_args__ = (
        UniqueConstraint("campaign_id", "outcome"),
        CheckConstraint(
            "outcome IN ('laureate','mention','shortlisted_not_retained','not_retained')",
            name="outcome",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    outcome: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # What {prochaines_etapes} becomes in this outcome's messages (laureates mostly).
    next_steps: Mapped[str] = mapped_column(Text, default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class ResultDecision(db.Model):
    """The final decision on a proposal, recorded with who and when."""

    __tablename__ = "result_decision"
    __table_args__ = (UniqueConstraint("proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    outcome: Mapped[str] = mapped_column(String(30))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class NameConsent(db.Model):
    """Whether one author of a laureate (or mention) proposal lets the public page show their name.

    One row per author who answered; without a row, the submitter's answer is the proposal's
    ``publish_name_consent`` (set when submitting) and a co-author's is "no".
    """

    __tablename__ = "name_consent"
    __table_args__ = (UniqueConstraint("author_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("proposal_author.id", ondelete="CASCADE"))
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
