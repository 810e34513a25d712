"""An export job as its reader follows it: its row in the lists, its page, its progress, its
file. A job is read by the campaign's organisers (an organisers' job) or by the juror who asked
for it, while still on the jury (a juror's job); anyone else gets 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from challenge.access.roles import is_juror, is_organiser
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.errors import Gone, NotFound, Refused
from challenge.exports.models import ExportAudience, ExportFormat, ExportJob, ExportStatus
from challenge.exports.queries.campaigns import campaign_of
from challenge.exports.spec import MIMETYPES, PROPOSALS, VIEW_LABELS
from challenge.extensions import db
from challenge.timeutils import utcnow

JOBS_LISTED = 10
STATUS_LABELS = {
    ExportStatus.QUEUED.value: _l("En attente"),
    ExportStatus.RUNNING.value: _l("En cours"),
    ExportStatus.DONE.value: _l("Prêt"),
    ExportStatus.FAILED.value: _l("Échec"),
    ExportStatus.EXPIRED.value: _l("Expiré"),
}


class NotReady(Refused):
    """The file is not built yet (or its build failed): the page says so."""


@dataclass(frozen=True)
class JobRow:
    id: int
    format: str
    format_label: str
    what: str
    status: str
    status_label: str
    percent: int
    rows_done: int
    rows_total: int
    requested_by: str
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None
    size: int
    filename: str
    error: str

    @property
    def downloadable(self) -> bool:
        return self.status == ExportStatus.DONE.value

    @property
    def finished(self) -> bool:
        return self.status in (
            ExportStatus.DONE.value,
            ExportStatus.FAILED.value,
            ExportStatus.EXPIRED.value,
        )


def retention_days() -> int:
    return int(current_app.config.get("EXPORT_RETENTION_DAYS", 7))


def export_folder() -> Path:
    return Path(str(current_app.config["EXPORT_FOLDER"]))


def options_of(job: ExportJob) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(job.options or "", keep_blank_values=True).items()}


def file_of(job: ExportJob) -> Path | None:
    """Where the job's file lives; None for a key that is not a plain file name."""
    key = job.storage_key
    if not key or "/" in key or "\\" in key or key.startswith("."):
        return None
    return export_folder() / key


def latest_jobs(campaign_id: int, juror_id: int | None) -> list[JobRow]:
    """The latest jobs of the campaign (organisers), or of one juror: one query."""
    query = (
        select(ExportJob, User.first_name, User.last_name, User.email)
        .outerjoin(User, User.id == ExportJob.requested_by_id)
        .where(ExportJob.campaign_id == campaign_id)
        .order_by(ExportJob.id.desc())
        .limit(JOBS_LISTED)
    )
    if juror_id is None:
        query = query.where(ExportJob.audience == ExportAudience.ORGANISER.value)
    else:
        query = query.where(
            ExportJob.audience == ExportAudience.JUROR.value, ExportJob.requested_by_id == juror_id
        )
    rows = db.session.execute(query).all()
    return [
        job_row(r.ExportJob, f"{r.first_name or ''} {r.last_name or ''}".strip() or r.email or "")
        for r in rows
    ]


def _what(job: ExportJob) -> str:
    if job.format == ExportFormat.CSV.value:
        view = options_of(job).get("view", PROPOSALS)
        return str(VIEW_LABELS.get(view, view))
    if job.format == ExportFormat.XLSX.value:
        return _("Toutes les vues")
    if job.format == ExportFormat.PDF.value:
        return _("Dossier des lauréats")
    return _("Résultats publiés")


def job_row(job: ExportJob, requested_by: str = "") -> JobRow:
    return JobRow(
        id=job.id,
        format=job.format,
        format_label=job.format.upper(),
        what=_what(job),
        status=job.status,
        status_label=str(STATUS_LABELS.get(job.status, job.status)),
        percent=job.progress_percent,
        rows_done=job.rows_done,
        rows_total=job.rows_total,
        requested_by=requested_by or _("ligne de commande"),
        created_at=job.created_at,
        finished_at=job.finished_at,
        expires_at=job.expires_at,
        size=job.size,
        filename=job.filename,
        error=job.error,
    )


def visible_job(user: User | None, job_id: int) -> ExportJob:
    """The job, if ``user`` may read it: an organiser's job by the campaign's organisers, a
    juror's job by that juror alone (still on the jury). 404 for anyone else."""
    job = db.session.get(ExportJob, job_id)
    if job is None or user is None or not getattr(user, "is_authenticated", False):
        raise NotFound
    if job.audience == ExportAudience.ORGANISER.value:
        if not is_organiser(user, job.campaign_id):
            raise NotFound
    elif job.requested_by_id != user.id or not is_juror(user, job.campaign_id):
        raise NotFound
    return job


@dataclass(frozen=True)
class JobPage:
    campaign: Campaign
    job: JobRow
    audience: str


def job_page(user: User, job_id: int) -> JobPage:
    job = visible_job(user, job_id)
    campaign = campaign_of(job.campaign_id)
    requester = db.session.get(User, job.requested_by_id) if job.requested_by_id else None
    return JobPage(
        campaign=campaign,
        job=job_row(job, requester.display_name if requester else ""),
        audience=job.audience,
    )


def job_status(user: User, job_id: int) -> JobRow:
    return job_row(visible_job(user, job_id))


@dataclass(frozen=True)
class Download:
    job: ExportJob
    path: Path
    filename: str
    mimetype: str


def downloadable_file(user: User, job_id: int, now: datetime | None = None) -> Download:
    """The file of a finished job, for someone who may read it: 410 once expired (even before
    beat removes it), :class:`NotReady` while it is being built or if its build failed."""
    job = visible_job(user, job_id)
    now = now or utcnow()
    if job.status == ExportStatus.EXPIRED.value or (
        job.status == ExportStatus.DONE.value
        and job.expires_at is not None
        and job.expires_at <= now
    ):
        raise Gone
    if job.status != ExportStatus.DONE.value:
        raise NotReady(_("Ce fichier n’est pas encore prêt."))
    path = file_of(job)
    if path is None or not path.is_file():
        raise Gone
    return Download(job, path, job.filename, MIMETYPES[job.format])
