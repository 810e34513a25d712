"""Requesting an export: a job created in the page, sent to the worker after commit."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from challenge.access.campaigns import campaign_for_juror, campaign_for_organiser
from challenge.access.juror_view import IDENTIFYING_FIELDS, ORGANISER, Sight
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.errors import NotFound, Refused
from challenge.exports.models import ExportAudience, ExportJob, ExportStatus
from challenge.exports.queries.jobs import retention_days
from challenge.exports.queries.pages import refusal
from challenge.exports.spec import (
    CSV,
    EXTENSIONS,
    PROPOSALS,
    ExportSpec,
    available_formats,
    available_views,
    describe,
    file_name,
)
from challenge.exports.writers import CSV_SEPARATORS
from challenge.extensions import db
from challenge.timeutils import utcnow
from challenge.unit_of_work import unit_of_work

log = logging.getLogger(__name__)

BUILD_TASK = "worker.tasks_exports.build_export"
MAX_PENDING_PER_PERSON = 3  # queued or running jobs of one person in one campaign


@dataclass(frozen=True)
class ExportRequest:
    format: str
    view: str = PROPOSALS
    separator: str = ";"


def request_export(
    user: User, campaign_id: int, data: ExportRequest, *, audience: str
) -> ExportJob:
    """Create an export job and send it to the worker after commit.

    The job stores who asked and for which audience, not what they may see: the task asks the
    sight again when it builds the file (a juror may have left the jury meanwhile).
    """
    campaign, sight = _campaign_and_reader(user, campaign_id, audience)
    _check_choice(campaign, data, sight)
    _check_pending(user, campaign)
    spec = ExportSpec(campaign.id, data.format, data.view, data.separator, sight)
    options = dict(describe(spec))
    now = utcnow()
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        job = ExportJob(
            campaign_id=campaign.id,
            requested_by_id=user.id,
            format=data.format,
            options=urlencode(options),
            audience=audience,
            status=ExportStatus.QUEUED.value,
            storage_key=f"{secrets.token_urlsafe(24)}.{EXTENSIONS[data.format]}",
            filename=file_name(campaign.slug, spec, now),
            created_at=now,
        )
        db.session.add(job)
        db.session.flush()
        work.audit(
            "export.requested",
            target=job,
            details={"format": job.format, "audience": audience, **options},
        )
    _enqueue(job.id)
    return job


def _campaign_and_reader(user: User, campaign_id: int, audience: str) -> tuple[Campaign, Sight]:
    """The campaign, and whose export it is: the organisers' sight, or a juror's that sees
    nothing yet (what a juror's file holds is decided when it is built, by ``juror_sight``)."""
    if audience == ExportAudience.ORGANISER.value:
        return campaign_for_organiser(user, campaign_id), ORGANISER
    if audience == ExportAudience.JUROR.value:
        nothing = Sight(user.id, frozenset(), IDENTIFYING_FIELDS, frozenset())
        return campaign_for_juror(user, campaign_id), nothing
    raise NotFound


def _check_choice(campaign: Campaign, data: ExportRequest, sight: Sight) -> None:
    if data.format not in available_formats(sight):
        raise Refused(_("Choisissez un des formats proposés."), "format")
    if data.format == CSV:
        if data.view not in available_views(sight):
            raise Refused(_("Choisissez une des vues proposées."), "view")
        if data.separator not in CSV_SEPARATORS:
            raise Refused(_("Choisissez le point-virgule ou la virgule."), "separator")
    reason = refusal(campaign, data.format)
    if reason:
        raise Refused(reason, "format")


def _check_pending(user: User, campaign: Campaign) -> None:
    pending = db.session.scalar(
        select(func.count(ExportJob.id)).where(
            ExportJob.campaign_id == campaign.id,
            ExportJob.requested_by_id == user.id,
            ExportJob.status.in_((ExportStatus.QUEUED.value, ExportStatus.RUNNING.value)),
        )
    )
    if (pending or 0) >= MAX_PENDING_PER_PERSON:
        raise Refused(
            _(
                "Vous avez déjà %(n)s exports en préparation : attendez qu’ils soient prêts.",
                n=pending,
            )
        )


def _enqueue(job_id: int) -> None:
    """Send the build task; if the broker is down, the job fails with a clear message."""
    celery = current_app.extensions.get("celery")
    try:
        if celery is None:
            raise RuntimeError("no Celery application")
        celery.send_task(BUILD_TASK, args=[job_id], ignore_result=True)
    except Exception:  # noqa: BLE001  (broker unreachable)
        log.exception("could not queue export job %s", job_id)
        with unit_of_work():
            db.session.execute(
                update(ExportJob)
                .where(ExportJob.id == job_id, ExportJob.status == ExportStatus.QUEUED.value)
                .values(
                    status=ExportStatus.FAILED.value,
                    error=str(
                        _(
                            "Le service de préparation des exports est indisponible ; "
                            "réessayez dans quelques minutes."
                        )
                    ),
                    finished_at=utcnow(),
                    expires_at=utcnow() + timedelta(days=retention_days()),
                )
            )
