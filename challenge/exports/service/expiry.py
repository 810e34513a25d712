"""Expiry (beat, hourly): the files of expired jobs are removed and their jobs marked expired."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from challenge.exports.models import ExportJob, ExportStatus
from challenge.exports.queries.jobs import file_of
from challenge.extensions import db
from challenge.timeutils import utcnow
from challenge.unit_of_work import unit_of_work


def purge_expired_exports(now: datetime | None = None) -> int:
    """Remove the files of expired jobs and mark them expired; return how many."""
    now = now or utcnow()
    with unit_of_work() as work:
        jobs = list(
            db.session.scalars(
                select(ExportJob)
                .where(
                    ExportJob.expires_at.is_not(None),
                    ExportJob.expires_at <= now,
                    ExportJob.status.in_((ExportStatus.DONE.value, ExportStatus.FAILED.value)),
                )
                .order_by(ExportJob.id)
            )
        )
        for job in jobs:
            path = file_of(job)
            if path is not None:
                path.unlink(missing_ok=True)
                path.with_name(path.name + ".part").unlink(missing_ok=True)
            job.status = ExportStatus.EXPIRED.value
            work.audit(
                "export.expired",
                campaign_id=job.campaign_id,
                target=job,
                details={"format": job.format, "filename": job.filename},
            )
    return len(jobs)
