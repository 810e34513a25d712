"""Building an export (the Celery task ``worker.tasks_exports.build_export``): claim the job,
build its file with the requester's sight of now, report progress in the job's row, then mark
it done (with its expiry) or failed (with a message the page shows)."""

from __future__ import annotations

import logging
import os
import time
from datetime import timedelta
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import and_, or_, update

from challenge.access.juror_view import ORGANISER, Sight, juror_sight
from challenge.access.roles import is_juror, is_organiser
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.errors import DomainError, Forbidden
from challenge.exports import builders
from challenge.exports.models import ExportAudience, ExportJob, ExportStatus
from challenge.exports.queries.campaigns import campaign_of
from challenge.exports.queries.jobs import file_of, options_of, retention_days
from challenge.exports.spec import PROPOSALS, ExportSpec, NotAvailable
from challenge.exports.writers import Progress
from challenge.extensions import db
from challenge.timeutils import utcnow
from challenge.unit_of_work import unit_of_work

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_SECONDS = 0.5  # at most two progress writes a second
STALE_RUNNING = timedelta(minutes=30)  # a "running" job this old was lost with its worker


def build_export(job_id: int) -> str:
    """Build one job's file. Idempotent: a job already taken by a live worker, or finished, is
    left alone. Returns the job's final status."""
    claimed = _claim(job_id)
    job = db.session.get(ExportJob, job_id)
    if job is None:
        return "missing"
    if not claimed:
        return job.status
    target = file_of(job)
    partial = target.with_name(target.name + ".part") if target else None
    try:
        if target is None or partial is None:
            raise NotAvailable(_("Emplacement du fichier invalide."))
        _finish(job, target, _build_file(job, target, partial))
    except Exception as error:  # noqa: BLE001  (any failure: the job says so, the page shows it)
        db.session.rollback()
        if partial is not None:
            partial.unlink(missing_ok=True)
        _fail(job_id, error)
        return ExportStatus.FAILED.value
    return ExportStatus.DONE.value


def _claim(job_id: int) -> bool:
    """Take a queued job, or one left running by a dead worker; False if another has it."""
    now = utcnow()
    with unit_of_work():
        claimed = db.session.execute(
            update(ExportJob)
            .where(
                ExportJob.id == job_id,
                or_(
                    ExportJob.status == ExportStatus.QUEUED.value,
                    and_(
                        ExportJob.status == ExportStatus.RUNNING.value,
                        ExportJob.started_at < now - STALE_RUNNING,
                    ),
                ),
            )
            .values(status=ExportStatus.RUNNING.value, started_at=now, rows_done=0, error="")
            .execution_options(synchronize_session=False)
        ).rowcount
    return bool(claimed)


def _build_file(job: ExportJob, target: Path, partial: Path) -> int:
    campaign = campaign_of(job.campaign_id)
    spec = _spec_of(job, campaign)
    report = _progress_writer(job.id, builders.rows_total(campaign, spec))
    report(0)
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = builders.build(campaign, spec, partial, report)
    os.replace(partial, target)
    return rows


def _spec_of(job: ExportJob, campaign: Campaign) -> ExportSpec:
    """The job's spec, with the sight of the person who asked, as it is now."""
    options = options_of(job)
    return ExportSpec(
        campaign.id,
        job.format,
        options.get("view", PROPOSALS),
        options.get("separator", ";"),
        _requester_sight(job, campaign),
    )


def _requester_sight(job: ExportJob, campaign: Campaign) -> Sight:
    requester = db.session.get(User, job.requested_by_id) if job.requested_by_id else None
    if job.audience == ExportAudience.JUROR.value:
        if requester is None or not is_juror(requester, campaign.id):
            raise Forbidden(_("Vous ne faites plus partie du jury de cette campagne."))
        return juror_sight(campaign, requester.id)
    if requester is not None and not is_organiser(requester, campaign.id):
        raise Forbidden(_("Vous n’organisez plus cette campagne."))
    return ORGANISER


def _finish(job: ExportJob, target: Path, rows: int) -> None:
    finished = utcnow()
    with unit_of_work(campaign_id=job.campaign_id) as work:
        db.session.execute(
            update(ExportJob)
            .where(ExportJob.id == job.id)
            .values(
                status=ExportStatus.DONE.value,
                rows_done=rows,
                rows_total=rows,  # the estimate counted rows a juror may not see
                size=target.stat().st_size,
                finished_at=finished,
                expires_at=finished + timedelta(days=retention_days()),
            )
            .execution_options(synchronize_session=False)
        )
        work.audit(
            "export.built",
            target=job,
            details={"format": job.format, "rows": rows, "audience": job.audience},
        )


def _fail(job_id: int, error: Exception) -> None:
    if isinstance(error, DomainError):
        message = str(error)
    else:
        log.exception("export job %s failed", job_id, exc_info=error)
        message = str(_("Erreur inattendue pendant la préparation du fichier."))
    finished = utcnow()
    with unit_of_work():
        db.session.execute(
            update(ExportJob)
            .where(ExportJob.id == job_id)
            .values(
                status=ExportStatus.FAILED.value,
                error=message[:2000],
                finished_at=finished,
                expires_at=finished + timedelta(days=retention_days()),
            )
            .execution_options(synchronize_session=False)
        )


def _progress_writer(job_id: int, total: int) -> Progress:
    """``progress(rows_done)``, written through a connection of its own (the build's session is
    reading a streamed query) at most every PROGRESS_INTERVAL_SECONDS."""
    last = [0.0]

    def report(rows_done: int) -> None:
        now = time.monotonic()
        if rows_done and now - last[0] < PROGRESS_INTERVAL_SECONDS:
            return
        last[0] = now
        with db.engine.begin() as connection:
            connection.execute(
                update(ExportJob)
                .where(ExportJob.id == job_id)
                .values(rows_done=rows_done, rows_total=max(total, rows_done))
            )

    return report
