"""Pages of the exports domain (thin: parse, call the service, render or redirect)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from challenge.errors import Gone, Refused
from challenge.exports.builders.results_json import SCHEMA_PATH
from challenge.exports.forms import ExportForm
from challenge.exports.models import ExportAudience
from challenge.exports.queries import jobs, pages
from challenge.exports.service import downloads, requests
from challenge.exports.spec import PROPOSALS

bp = Blueprint("exports", __name__)

ORGANISER = "/organisation/campagnes/<int:campaign_id>/exports"
JUROR = "/jury/campagnes/<int:campaign_id>/exports"


@bp.errorhandler(Gone)
def _gone(error: Gone) -> tuple[str, int]:
    """An expired file: the exports' own 410 page, which says how to get a new one."""
    return render_template("exports/gone.html"), 410


def _optional_url(endpoint: str, **values: object) -> str | None:
    """A link to another domain's page, or None while that page does not exist."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


@bp.route(ORGANISER, methods=["GET", "POST"])
@login_required
def index(campaign_id: int) -> str | Response:
    """The organisers' "Exporter" page: choose a format (and a view), follow the jobs."""
    page = pages.organiser_page(current_user, campaign_id)
    return _export_page(page, ExportAudience.ORGANISER.value)


@bp.route(JUROR, methods=["GET", "POST"])
@login_required
def juror_index(campaign_id: int) -> str | Response:
    """A juror's export of what the jury lets them see."""
    page = pages.juror_page(current_user, campaign_id)
    return _export_page(page, ExportAudience.JUROR.value)


def _export_page(page: pages.ExportPage, audience: str) -> str | Response:
    form = ExportForm()
    form.set_choices([(f.value, f.label) for f in page.formats], page.views, page.separators)
    if form.validate_on_submit():
        data = requests.ExportRequest(
            format=form.format.data,
            view=form.view.data or PROPOSALS,
            separator=form.separator.data or ";",
        )
        try:
            job = requests.request_export(current_user, page.campaign.id, data, audience=audience)
        except Refused as refused:
            field = getattr(form, refused.field, None) if refused.field else None
            if field is not None:
                field.errors = [*field.errors, str(refused)]
            else:
                flash(str(refused), "error")
        else:
            flash(_("Export demandé : il se prépare, suivez son avancement ci-dessous."), "success")
            return redirect(url_for("exports.job", job_id=job.id))
    elif form.is_submitted() and form.errors.get("csrf_token"):
        flash(_("Le formulaire a expiré : envoyez-le de nouveau."), "error")
    return render_template(
        "exports/index.html",
        page=page,
        form=form,
        campaign=page.campaign,
        active="exports",
        organiser=audience == ExportAudience.ORGANISER.value,
        organiser_index_url=_optional_url("campaigns.organiser_index"),
        dashboard_url=_optional_url("campaigns.dashboard", campaign_id=page.campaign.id),
        workspace_url=_optional_url("jury.workspace"),
    )


@bp.route("/exports/<int:job_id>")
@login_required
def job(job_id: int) -> str:
    """One export: its progress (refreshed by a small script, or the refresh link), then the
    download link."""
    page = jobs.job_page(current_user, job_id)
    organiser = page.audience == ExportAudience.ORGANISER.value
    return render_template(
        "exports/job.html",
        page=page,
        job=page.job,
        campaign=page.campaign,
        active="exports",
        organiser=organiser,
        back_url=url_for(
            "exports.index" if organiser else "exports.juror_index", campaign_id=page.campaign.id
        ),
        organiser_index_url=_optional_url("campaigns.organiser_index"),
        dashboard_url=_optional_url("campaigns.dashboard", campaign_id=page.campaign.id),
        workspace_url=_optional_url("jury.workspace"),
    )


@bp.route("/exports/<int:job_id>/etat.json")
@login_required
def job_status(job_id: int) -> Response:
    """The job's progress, for the page's script."""
    row = jobs.job_status(current_user, job_id)
    response = jsonify(
        id=row.id,
        status=row.status,
        status_label=row.status_label,
        percent=row.percent,
        rows_done=row.rows_done,
        rows_total=row.rows_total,
        finished=row.finished,
        error=row.error,
        download_url=url_for("exports.download", job_id=row.id) if row.downloadable else None,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/exports/<int:job_id>/fichier")
@login_required
def download(job_id: int) -> Response:
    """The file, to those who may read it (audited); 410 once it has expired."""
    try:
        file = downloads.download(current_user, job_id)
    except jobs.NotReady as not_ready:
        flash(str(not_ready), "info")
        return redirect(url_for("exports.job", job_id=job_id))
    response = send_file(
        file.path,
        mimetype=file.mimetype,
        as_attachment=True,
        download_name=file.filename,
        max_age=0,
        conditional=False,
        etag=False,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/donnees/schema-resultats.json")
def results_schema() -> Response:
    """The JSON Schema of the published results (public: it describes open data)."""
    response = send_file(SCHEMA_PATH, mimetype="application/schema+json", max_age=3600)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
