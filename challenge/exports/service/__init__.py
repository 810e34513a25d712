"""Every write of the exports domain, and the reads its pages need, with their permission checks.

An export is an :class:`ExportJob`: requested from a page (organisers: everything; a juror: what
the jury lets them see), built by the Celery task ``worker.tasks_exports.build_export`` which
reports its progress in the job's row, downloaded from a link that checks who asks and writes
each download to the audit log, and removed by beat once it expires. The command line
(:func:`export_to_file`) runs the same builders without a job.

Who sees what comes from the jury (:mod:`challenge.access.jury`); this module only turns it
into an :class:`~challenge.exports.queries.Audience`.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update

from challenge.access.jury import (
    campaign_jurors,
    conflict_pairs,
    juror_sees_others,
    visible_proposal_ids_for_juror,
)
from challenge.access.roles import is_juror, is_organiser
from challenge.accounts.models import User
from challenge.audit import service as audit
from challenge.campaigns.models import Campaign
from challenge.exports import builders
from challenge.exports.builders import ExportSpec, NotAvailable
from challenge.exports.models import ExportAudience, ExportFormat, ExportJob, ExportStatus
from challenge.exports.queries import ORGANISER, Audience
from challenge.exports.writers import CSV_SEPARATORS, Progress
from challenge.extensions import db
from challenge.jury import service as jury
from challenge.jury.access import raised_as
from challenge.jury.models import Review, ReviewPhase, ReviewStatus
from challenge.proposals.models import Proposal
from challenge.timeutils import utcnow

log = logging.getLogger(__name__)

BUILD_TASK = "worker.tasks_exports.build_export"
MAX_PENDING_PER_PERSON = 3  # queued or running jobs of one person in one campaign
JOBS_LISTED = 10
PROGRESS_INTERVAL_SECONDS = 0.5  # at most two progress writes a second
STALE_RUNNING = timedelta(minutes=30)  # a "running" job this old was lost with its worker

FORMAT_LABELS = {
    ExportFormat.CSV.value: _l("CSV (tableur, une vue)"),
    ExportFormat.XLSX.value: _l("Excel (XLSX, une feuille par vue)"),
    ExportFormat.PDF.value: _l("PDF : dossier des lauréats"),
    ExportFormat.JSON.value: _l("JSON : résultats publiés (données ouvertes)"),
}
FORMAT_HINTS = {
    ExportFormat.CSV.value: _l("UTF-8, lisible par Excel, LibreOffice et les outils de données."),
    ExportFormat.XLSX.value: _l(
        "Propositions, évaluations, notes des pitchs, classement, lauréats."
    ),
    ExportFormat.PDF.value: _l(
        "Une couverture, puis chaque lauréat : irritant, solution, notes, avis."
    ),
    ExportFormat.JSON.value: _l(
        "Lauréats et mentions, sans donnée personnelle hors noms consentis."
    ),
}
JUROR_FORMAT_HINTS = {
    ExportFormat.XLSX.value: _l("Propositions et évaluations."),
}
STATUS_LABELS = {
    ExportStatus.QUEUED.value: _l("En attente"),
    ExportStatus.RUNNING.value: _l("En cours"),
    ExportStatus.DONE.value: _l("Prêt"),
    ExportStatus.FAILED.value: _l("Échec"),
    ExportStatus.EXPIRED.value: _l("Expiré"),
}
SEPARATOR_LABELS = {";": _l("point-virgule"), ",": _l("virgule")}


# ---------------------------------------------------------------- errors ---------------------


class ExportError(Exception):
    """Base of the errors the pages turn into a status code or a message."""

    def __init__(self, message: object = "") -> None:
        super().__init__(message)
        self.message = str(message)


class NotFound(ExportError):
    """Unknown, or not visible to the person who asks (404: existence is not revealed)."""


class Forbidden(ExportError):
    """Known, but the person who asks has no right to it (403)."""


class Refused(ExportError):
    """The request cannot be honoured; ``message`` says why, ``field`` which input."""

    def __init__(self, message: object, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class Gone(ExportError):
    """The file has expired and was removed (410)."""


class NotReady(ExportError):
    """The file is not built yet (or its build failed)."""


# ---------------------------------------------------------------- audiences ------------------


def juror_audience(campaign: Campaign, juror_id: int) -> Audience:
    """What one juror may read, from the jury's rules: their assigned proposals without those
    they are in conflict with, authors hidden in blind review, the other jurors' reviews as the
    campaign's ``scores_visibility`` says, never a conflicted juror's review."""
    visible = visible_proposal_ids_for_juror(campaign.id, juror_id, ReviewPhase.WRITTEN)
    if not visible:
        return Audience(
            juror_id=juror_id,
            proposal_ids=frozenset(),
            show_authors=not campaign.blind_review,
            show_contacts=False,
            others_visible=frozenset(),
        )
    ids = sorted(visible)
    submitted = set(
        db.session.scalars(
            select(Review.proposal_id).where(
                Review.juror_id == juror_id,
                Review.phase == ReviewPhase.WRITTEN.value,
                Review.status == ReviewStatus.SUBMITTED.value,
                Review.proposal_id.in_(ids),
            )
        )
    )
    others = frozenset(
        p for p in visible if juror_sees_others(campaign.scores_visibility, p in submitted)
    )
    candidates = [
        (r.id, r.administration)
        for r in db.session.execute(
            select(Proposal.id, Proposal.administration).where(Proposal.id.in_(ids))
        )
    ]
    hidden = conflict_pairs(campaign, campaign_jurors(campaign.id), candidates) if others else ()
    return Audience(
        juror_id=juror_id,
        proposal_ids=frozenset(visible),
        show_authors=not campaign.blind_review,
        show_contacts=False,
        others_visible=others,
        hidden_pairs=frozenset(hidden),
    )


# ---------------------------------------------------------------- reading campaigns ----------


def _campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound
    return campaign


def organiser_campaign(user: User | None, campaign_id: int) -> Campaign:
    """:func:`challenge.jury.service.organiser_campaign`: 404 unknown, 403 not an organiser."""
    with raised_as(NotFound, Forbidden):
        return jury.organiser_campaign(user, campaign_id)


def juror_campaign(user: User | None, campaign_id: int) -> Campaign:
    """:func:`challenge.jury.service.juror_campaign`: 404 unless ``user`` sits on its jury."""
    with raised_as(NotFound, Forbidden):
        return jury.juror_campaign(user, campaign_id)


def find_campaign(reference: str) -> Campaign:
    """A campaign by its id or its slug (the command line's CAMPAIGN)."""
    reference = reference.strip()
    campaign = None
    if reference.isdigit():
        campaign = db.session.get(Campaign, int(reference))
    if campaign is None:
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == reference))
    if campaign is None:
        raise NotFound(_("Campagne inconnue : %(ref)s", ref=reference))
    return campaign


# ---------------------------------------------------------------- the pages ------------------


@dataclass(frozen=True)
class FormatChoice:
    value: str
    label: str
    hint: str
    refusal: str | None  # why it cannot be chosen now, or None

    @property
    def available(self) -> bool:
        return self.refusal is None


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


@dataclass(frozen=True)
class ExportPage:
    campaign: Campaign
    audience: str
    formats: list[FormatChoice]
    views: list[tuple[str, str]]
    separators: list[tuple[str, str]]
    jobs: list[JobRow]
    retention_days: int
    blind: bool


def organiser_page(user: User, campaign_id: int) -> ExportPage:
    campaign = organiser_campaign(user, campaign_id)
    return _page(campaign, ExportAudience.ORGANISER.value, _jobs(campaign.id, None))


def juror_page(user: User, campaign_id: int) -> ExportPage:
    campaign = juror_campaign(user, campaign_id)
    return _page(campaign, ExportAudience.JUROR.value, _jobs(campaign.id, user.id))


def _page(campaign: Campaign, audience: str, jobs: list[JobRow]) -> ExportPage:
    organiser = audience == ExportAudience.ORGANISER.value
    formats = []
    for value in builders.FORMATS:
        if not organiser and value not in (ExportFormat.CSV.value, ExportFormat.XLSX.value):
            continue
        hint = (JUROR_FORMAT_HINTS if not organiser else {}).get(value, FORMAT_HINTS[value])
        formats.append(
            FormatChoice(value, str(FORMAT_LABELS[value]), str(hint), _refusal(campaign, value))
        )
    views = builders.VIEWS if organiser else builders.JUROR_VIEWS
    return ExportPage(
        campaign=campaign,
        audience=audience,
        formats=formats,
        views=[(v, str(builders.VIEW_LABELS[v])) for v in views],
        separators=[(s, str(SEPARATOR_LABELS[s])) for s in CSV_SEPARATORS],
        jobs=jobs,
        retention_days=retention_days(),
        blind=campaign.blind_review,
    )


def _refusal(campaign: Campaign, format: str) -> str | None:
    """Why this format cannot be requested now, in words for the person, or None."""
    if format == ExportFormat.JSON.value and not builders.results_published(campaign):
        return _("Disponible quand les résultats de la campagne sont publiés.")
    if format == ExportFormat.PDF.value and not _has_laureates(campaign.id):
        return _("Disponible quand les lauréats sont désignés.")
    return None


def _has_laureates(campaign_id: int) -> bool:
    from challenge.exports import queries
    from challenge.results.service import FINAL_OUTCOMES

    return queries.count(queries.laureates_statement(campaign_id, FINAL_OUTCOMES)) > 0


def _jobs(campaign_id: int, juror_id: int | None) -> list[JobRow]:
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
        _job_row(r.ExportJob, f"{r.first_name or ''} {r.last_name or ''}".strip() or r.email or "")
        for r in rows
    ]


def _job_row(job: ExportJob, requested_by: str = "") -> JobRow:
    options = _options(job)
    if job.format == ExportFormat.CSV.value:
        view = options.get("view", builders.PROPOSALS)
        what = str(builders.VIEW_LABELS.get(view, view))
    elif job.format == ExportFormat.XLSX.value:
        what = _("Toutes les vues")
    elif job.format == ExportFormat.PDF.value:
        what = _("Dossier des lauréats")
    else:
        what = _("Résultats publiés")
    return JobRow(
        id=job.id,
        format=job.format,
        format_label=job.format.upper(),
        what=what,
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


def _options(job: ExportJob) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(job.options or "", keep_blank_values=True).items()}


def retention_days() -> int:
    return int(current_app.config.get("EXPORT_RETENTION_DAYS", 7))


def export_folder() -> Path:
    return Path(str(current_app.config["EXPORT_FOLDER"]))


# ---------------------------------------------------------------- requesting an export -------


@dataclass(frozen=True)
class ExportRequest:
    format: str
    view: str = builders.PROPOSALS
    separator: str = ";"


def request_export(
    user: User, campaign_id: int, data: ExportRequest, *, audience: str
) -> ExportJob:
    """Create an export job and send it to the worker after commit."""
    if audience == ExportAudience.ORGANISER.value:
        campaign = organiser_campaign(user, campaign_id)
        views = builders.VIEWS
        formats = builders.FORMATS
    elif audience == ExportAudience.JUROR.value:
        campaign = juror_campaign(user, campaign_id)
        views = builders.JUROR_VIEWS
        formats = (ExportFormat.CSV.value, ExportFormat.XLSX.value)
    else:
        raise NotFound
    if data.format not in formats:
        raise Refused(_("Choisissez un des formats proposés."), "format")
    if data.format == ExportFormat.CSV.value:
        if data.view not in views:
            raise Refused(_("Choisissez une des vues proposées."), "view")
        if data.separator not in CSV_SEPARATORS:
            raise Refused(_("Choisissez le point-virgule ou la virgule."), "separator")
    refusal = _refusal(campaign, data.format)
    if refusal:
        raise Refused(refusal, "format")
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
    who = ORGANISER if audience == ExportAudience.ORGANISER.value else Audience(juror_id=user.id)
    spec = ExportSpec(campaign.id, data.format, data.view, data.separator, who)
    options = dict(builders.describe(spec))
    now = utcnow()
    job = ExportJob(
        campaign_id=campaign.id,
        requested_by_id=user.id,
        format=data.format,
        options=urlencode(options),
        audience=audience,
        status=ExportStatus.QUEUED.value,
        storage_key=f"{secrets.token_urlsafe(24)}.{builders.EXTENSIONS[data.format]}",
        filename=builders.file_name(campaign, spec, now),
        created_at=now,
    )
    db.session.add(job)
    db.session.flush()
    audit.record(
        "export.requested",
        actor=user,
        campaign_id=campaign.id,
        target=job,
        details={"format": job.format, "audience": audience, **options},
    )
    db.session.commit()
    _enqueue(job.id)
    return job


def _enqueue(job_id: int) -> None:
    """Send the build task; if the broker is down, the job fails with a clear message."""
    celery = current_app.extensions.get("celery")
    try:
        if celery is None:
            raise RuntimeError("no Celery application")
        celery.send_task(BUILD_TASK, args=[job_id], ignore_result=True)
    except Exception:  # noqa: BLE001  (broker unreachable)
        log.exception("could not queue export job %s", job_id)
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
        db.session.commit()


# ---------------------------------------------------------------- reading a job --------------


def _visible_job(user: User | None, job_id: int) -> ExportJob:
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
    job = _visible_job(user, job_id)
    campaign = _campaign(job.campaign_id)
    requester = db.session.get(User, job.requested_by_id) if job.requested_by_id else None
    return JobPage(
        campaign=campaign,
        job=_job_row(job, requester.display_name if requester else ""),
        audience=job.audience,
    )


def job_status(user: User, job_id: int) -> JobRow:
    return _job_row(_visible_job(user, job_id))


@dataclass(frozen=True)
class Download:
    path: Path
    filename: str
    mimetype: str


def download(user: User, job_id: int, now: datetime | None = None) -> Download:
    """The file of a finished job, for someone who may read it; the download is audited."""
    job = _visible_job(user, job_id)
    now = now or utcnow()
    if job.status == ExportStatus.EXPIRED.value or (
        job.status == ExportStatus.DONE.value
        and job.expires_at is not None
        and job.expires_at <= now
    ):
        raise Gone
    if job.status != ExportStatus.DONE.value:
        raise NotReady
    path = _file_of(job)
    if path is None or not path.is_file():
        raise Gone
    audit.record(
        "export.downloaded",
        actor=user,
        campaign_id=job.campaign_id,
        target=job,
        details={"format": job.format, "filename": job.filename, "audience": job.audience},
    )
    db.session.commit()
    return Download(path, job.filename, builders.MIMETYPES[job.format])


def _file_of(job: ExportJob) -> Path | None:
    """Where the job's file lives; None for a key that is not a plain file name."""
    key = job.storage_key
    if not key or "/" in key or "\\" in key or key.startswith("."):
        return None
    return export_folder() / key


# ---------------------------------------------------------------- building (the worker) ------


def build_export(job_id: int) -> str:
    """Build one job's file (the Celery task). Idempotent: a job already taken by a live worker,
    or finished, is left alone. Returns the job's final status."""
    now = utcnow()
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
    db.session.commit()
    job = db.session.get(ExportJob, job_id)
    if job is None:
        return "missing"
    if not claimed:
        return job.status
    target = _file_of(job)
    partial = target.with_name(target.name + ".part") if target else None
    try:
        if target is None or partial is None:
            raise NotAvailable(_("Emplacement du fichier invalide."))
        campaign = _campaign(job.campaign_id)
        spec = _spec_of(job, campaign)
        total = builders.rows_total(campaign, spec)
        report = _progress_writer(job.id, total)
        report(0)
        target.parent.mkdir(parents=True, exist_ok=True)
        rows = builders.build(campaign, spec, partial, report)
        os.replace(partial, target)
        finished = utcnow()
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
        audit.record(
            "export.built",
            campaign_id=job.campaign_id,
            target=job,
            details={"format": job.format, "rows": rows, "audience": job.audience},
        )
        db.session.commit()
        return ExportStatus.DONE.value
    except Exception as error:  # noqa: BLE001  (any failure: the job says so, the page shows it)
        db.session.rollback()
        if partial is not None:
            partial.unlink(missing_ok=True)
        if isinstance(error, (NotAvailable, ExportError)):
            message = str(error)
        else:
            log.exception("export job %s failed", job_id)
            message = str(_("Erreur inattendue pendant la préparation du fichier."))
        finished = utcnow()
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
        db.session.commit()
        return ExportStatus.FAILED.value


def _spec_of(job: ExportJob, campaign: Campaign) -> ExportSpec:
    """The job's spec, with the audience of the person who asked, checked again now."""
    options = _options(job)
    requester = db.session.get(User, job.requested_by_id) if job.requested_by_id else None
    if job.audience == ExportAudience.JUROR.value:
        if requester is None or not is_juror(requester, campaign.id):
            raise Forbidden(_("Vous ne faites plus partie du jury de cette campagne."))
        audience = juror_audience(campaign, requester.id)
    else:
        if requester is not None and not is_organiser(requester, campaign.id):
            raise Forbidden(_("Vous n’organisez plus cette campagne."))
        audience = ORGANISER
    return ExportSpec(
        campaign.id,
        job.format,
        options.get("view", builders.PROPOSALS),
        options.get("separator", ";"),
        audience,
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


# ---------------------------------------------------------------- expiry (beat) --------------


def purge_expired_exports(now: datetime | None = None) -> int:
    """Remove the files of expired jobs and mark them expired; return how many."""
    now = now or utcnow()
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
        path = _file_of(job)
        if path is not None:
            path.unlink(missing_ok=True)
            path.with_name(path.name + ".part").unlink(missing_ok=True)
        job.status = ExportStatus.EXPIRED.value
        audit.record(
            "export.expired",
            campaign_id=job.campaign_id,
            target=job,
            details={"format": job.format, "filename": job.filename},
        )
    db.session.commit()
    return len(jobs)


# ---------------------------------------------------------------- command line ---------------


def export_to_file(
    reference: str,
    format: str,
    output: Path,
    *,
    view: str = builders.PROPOSALS,
    separator: str = ";",
    progress_factory: Callable[[int], Progress] | None = None,
) -> int:
    """Build an export with an organiser's rights into ``output`` (the ``challenge export``
    command); ``progress_factory(rows_total)`` returns the progress callback."""
    campaign = find_campaign(reference)
    if format not in builders.FORMATS:
        raise Refused(_("Format inconnu : %(format)s", format=format), "format")
    if format == ExportFormat.CSV.value and view not in builders.VIEWS:
        raise Refused(_("Vue inconnue : %(view)s", view=view), "view")
    if separator not in CSV_SEPARATORS:
        raise Refused(_("Séparateur inconnu : %(sep)s", sep=separator), "separator")
    spec = ExportSpec(campaign.id, format, view, separator, ORGANISER)
    if format == ExportFormat.JSON.value and not builders.results_published(campaign):
        raise Refused(_("Les résultats de cette campagne ne sont pas encore publiés."))
    progress = progress_factory(builders.rows_total(campaign, spec)) if progress_factory else None
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".part")
    try:
        rows = builders.build(campaign, spec, partial, progress)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return rows


def default_file_name(reference: str, format: str, view: str = builders.PROPOSALS) -> str:
    campaign = find_campaign(reference)
    return builders.file_name(campaign, ExportSpec(campaign.id, format, view), utcnow())
