"""Campaigns: one call "Y a-t-il un intrapreneur parmi nous ?" of one administration."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from challenge.extensions import db
from challenge.timeutils import utcnow


class CampaignStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    REVIEW = "review"
    SHORTLIST = "shortlist"
    PITCH = "pitch"
    RESULTS = "results"
    ARCHIVED = "archived"


PUBLIC_STATUSES = tuple(s.value for s in CampaignStatus if s is not CampaignStatus.DRAFT)


class Campaign(db.Model):
    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft','open','review','shortlist','pitch','results','archived')",
            name="status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    administration: Mapped[str] = mapped_column(String(200), default="")
    call_text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=CampaignStatus.DRAFT.value, index=True)
    allowed_domains: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime | None] = mapped_column(DateTime)
    deadline_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    @property
    def domains(self) -> list[str]:
        return [d for d in (part.strip() for part in self.allowed_domains.split(",")) if d]

    @property
    def is_open(self) -> bool:
        return self.status == CampaignStatus.OPEN.value
