"""Campaigns: one call "Y a-t-il un intrapreneur parmi nous ?" of one administration."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from challenge.campaigns.lifecycle import CampaignStatus
from challenge.extensions import db
from challenge.timeutils import utcnow

LIFECYCLE = tuple(CampaignStatus)
# Out of draft: the campaign's page is public (its results only once announced: access.outcomes).
PUBLISHED_STATUSES = tuple(s.value for s in CampaignStatus if s is not CampaignStatus.DRAFT)


class ScoresVisibility(enum.StrEnum):
    """When a juror may see the other jurors' scores of a proposal."""

    NEVER = "never"
    AFTER_OWN = "after_own"
    ALWAYS = "always"


class GridKind(enum.StrEnum):
    REVIEW = "review"  # the written review of proposals
    PITCH = "pitch"  # pitch day


class QuestionKind(enum.StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    YES_NO = "yes_no"


class Campaign(db.Model):
    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft','open','review','shortlist','pitch','results','archived')",
            name="status",
        ),
        CheckConstraint(
            "scores_visibility IN ('never','after_own','always')", name="scores_visibility"
        ),
        CheckConstraint("reviews_per_proposal BETWEEN 1 AND 20", name="reviews_per_proposal"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    administration: Mapped[str] = mapped_column(String(200), default="")
    call_text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=CampaignStatus.DRAFT.value, index=True)
    allowed_domains: Mapped[str] = mapped_column(Text, default="")
    # All dates are naive UTC; pages show and take Europe/Paris.
    opens_at: Mapped[datetime | None] = mapped_column(DateTime)
    deadline_at: Mapped[datetime | None] = mapped_column(DateTime)
    review_ends_at: Mapped[datetime | None] = mapped_column(DateTime)
    pitch_at: Mapped[datetime | None] = mapped_column(DateTime)
    results_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Jury settings
    reviews_per_proposal: Mapped[int] = mapped_column(Integer, default=3)
    blind_review: Mapped[bool] = mapped_column(Boolean, default=False)
    scores_visibility: Mapped[str] = mapped_column(
        String(20), default=ScoresVisibility.AFTER_OWN.value
    )
    same_administration_conflict: Mapped[bool] = mapped_column(
        Boolean, default=False
    )  # a call inside one administration would conflict everyone
    allow_supports: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    questions: Mapped[list[ProposalQuestion]] = relationship(
        back_populates="campaign",
        order_by="ProposalQuestion.position",
        cascade="all, delete-orphan",
    )
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="campaign",
        order_by="(Criterion.grid, Criterion.position)",
        cascade="all, delete-orphan",
    )

    @property
    def domains(self) -> list[str]:
        return [d for d in (part.strip() for part in self.allowed_domains.split(",")) if d]

    @property
    def is_open(self) -> bool:
        return self.status == CampaignStatus.OPEN.value

    def grid(self, kind: GridKind | str) -> list[Criterion]:
        return [c for c in self.criteria if c.grid == str(kind)]


class ProposalQuestion(db.Model):
    """An extra question an organiser adds to the proposal form."""

    __tablename__ = "proposal_question"
    __table_args__ = (
        CheckConstraint("kind IN ('short_text','long_text','single_choice','yes_no')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default=QuestionKind.SHORT_TEXT.value)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    max_length: Mapped[int | None] = mapped_column(Integer)
    choices: Mapped[list] = mapped_column(JSON, default=list)

    campaign: Mapped[Campaign] = relationship(back_populates="questions")


class Criterion(db.Model):
    """One criterion of a scoring grid. All criteria of one grid share one scale."""

    __tablename__ = "criterion"
    __table_args__ = (
        CheckConstraint("grid IN ('review','pitch')", name="grid"),
        CheckConstraint("weight >= 0", name="weight"),
        CheckConstraint("scale_max > scale_min", name="scale"),
        UniqueConstraint("campaign_id", "grid", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    grid: Mapped[str] = mapped_column(String(10), default=GridKind.REVIEW.value)
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    scale_min: Mapped[int] = mapped_column(Integer, default=0)
    scale_max: Mapped[int] = mapped_column(Integer, default=4)
    # One short description per level, from scale_min to scale_max.
    level_descriptions: Mapped[list] = mapped_column(JSON, default=list)

    campaign: Mapped[Campaign] = relationship(back_populates="criteria")
