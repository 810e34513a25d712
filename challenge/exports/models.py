"""Export jobs: built by Celery, downloaded by organisers, removed when they expire."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from challenge.extensions import db
from challenge.timeutils import utcnow


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    PDF = "pdf"
    JSON = "json"


class ExportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"


class ExportAudience(enum.StrEnum):
    """Whose rights the file is built with: an organiser's (everything) or one juror's."""

    ORGANISER = "organiser"
    JUROR = "juror"


class ExportJob(db.Model):
    __tablename__ = "export_job"
    __table_args__ = (
        CheckConstraint("format IN ('csv','xlsx','pdf','json')", name="format"),
        CheckConstraint("status IN ('queued','running','done','failed','expired')", name="status"),
        CheckConstraint("audience IN ('organiser','juror')", name="audience"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    format: Mapped[str] = mapped_column(String(10))
    options: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10), default=ExportStatus.QUEUED.value)
    # A juror's export holds only what that juror may see (and only they may download it).
    audience: Mapped[str] = mapped_column(
        String(10), default=ExportAudience.ORGANISER.value, server_default="organiser"
    )
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    filename: Mapped[str] = mapped_column(String(255), default="")
    storage_key: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)

    @property
    def progress_percent(self) -> int:
        if self.status == ExportStatus.DONE.value:
            return 100
        if not self.rows_total:
            return 0
        return min(int(self.rows_done * 100 / self.rows_total), 99)
