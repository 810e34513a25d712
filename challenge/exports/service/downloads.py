"""Downloading an export's file: the read checks who asks and whether the file is still there
(``queries/jobs.py``); each download is written to the audit log."""

from __future__ import annotations

from datetime import datetime

from challenge.accounts.models import User
from challenge.exports.queries.jobs import Download, downloadable_file
from challenge.unit_of_work import unit_of_work


def download(user: User, job_id: int, now: datetime | None = None) -> Download:
    """The file of a finished job, for someone who may read it; the download is audited."""
    file = downloadable_file(user, job_id, now)
    job = file.job
    with unit_of_work(actor=user, campaign_id=job.campaign_id) as work:
        work.audit(
            "export.downloaded",
            target=job,
            details={"format": job.format, "filename": job.filename, "audience": job.audience},
        )
    return file
