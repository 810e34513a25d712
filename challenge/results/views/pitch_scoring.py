"""Pitch scoring: the jurors' pitch list and scoring page, the organisers' live progress."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from challenge.errors import Invalid, Refused
from challenge.jury.ranking import NORMALISATION_EXPLANATION_EN, NORMALISATION_EXPLANATION_FR
from challenge.results.forms import ActionForm
from challenge.results.queries.pitch_progress import pitch_progress as progress_of
from challenge.results.queries.pitch_progress import progress_as_json
from challenge.results.queries.pitch_scoring import juror_pitches, pitch_score_page
from challenge.results.service.pitch_scoring import PitchScoreInput, save_pitch_score
from challenge.results.views import bp
from challenge.results.views.common import JUROR, ORGANISER, organiser_context


def _jury_context() -> dict[str, object]:
    views = current_app.view_functions
    return {"workspace_url": url_for("jury.workspace") if "jury.workspace" in views else None}


@bp.route(JUROR + "/pitchs")
@login_required
def pitch_jury(campaign_id: int) -> str:
    page = juror_pitches(current_user, campaign_id)
    return render_template("results/pitch_jury.html", page=page, **_jury_context())


def _score_input(criteria: list[Any]) -> PitchScoreInput:
    scores: dict[int, int | None] = {}
    for criterion in criteria:
        raw = request.form.get(f"criterion-{criterion.id}", "")
        scores[criterion.id] = int(raw) if raw.strip().lstrip("-").isdigit() else None
    return PitchScoreInput(
        scores=scores,
        comment_for_jury=request.form.get("comment_for_jury", ""),
        message_for_agent=request.form.get("message_for_agent", ""),
    )


def _after_scoring(campaign_id: int, proposal_id: int) -> Response:
    """On to the next pitch not scored yet, or back to the list when all are."""
    target = pitch_score_page(current_user, campaign_id, proposal_id).next_unscored_id
    if target is None:
        return redirect(url_for("results.pitch_jury", campaign_id=campaign_id))
    return redirect(url_for("results.pitch_score", campaign_id=campaign_id, proposal_id=target))


@bp.route(JUROR + "/pitchs/<int:proposal_id>", methods=["GET", "POST"])
@login_required
def pitch_score(campaign_id: int, proposal_id: int) -> Response | tuple[str, int]:
    page = pitch_score_page(current_user, campaign_id, proposal_id)
    form = ActionForm()
    errors: dict[str, str] = {}
    values: dict[int, float] | dict[int, int | None] = page.scores
    comment, message = page.comment_for_jury, page.message_for_agent
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        data = _score_input(page.criteria)
        try:
            save_pitch_score(current_user, campaign_id, proposal_id, data)
        except Invalid as invalid:
            errors = invalid.errors
            flash(invalid.message, "error")
            values = {k: v for k, v in data.scores.items() if v is not None}
            comment, message = data.comment_for_jury, data.message_for_agent
            status = 400
        except Refused as refusal:
            flash(refusal.message, "error")
            return redirect(
                url_for("results.pitch_score", campaign_id=campaign_id, proposal_id=proposal_id)
            )
        else:
            flash(_("Note enregistrée pour « %(title)s ».", title=page.proposal.title), "success")
            return _after_scoring(campaign_id, proposal_id)
    return (
        render_template(
            "results/pitch_score.html",
            page=page,
            form=form,
            errors=errors,
            values=values,
            comment=comment,
            message=message,
            **_jury_context(),
        ),
        status,
    )


def _by() -> str:
    return "normalised" if request.args.get("par") == "normalise" else "raw"


@bp.route(ORGANISER + "/pitchs/suivi")
@login_required
def pitch_progress(campaign_id: int) -> str:
    progress = progress_of(current_user, campaign_id, _by())
    return render_template(
        "results/pitch_progress.html",
        progress=progress,
        explanation=(
            NORMALISATION_EXPLANATION_EN
            if str(get_locale()) == "en"
            else NORMALISATION_EXPLANATION_FR
        ),
        **organiser_context(progress.campaign, "pitch_slots"),
    )


@bp.route(ORGANISER + "/pitchs/suivi.json")
@login_required
def pitch_progress_data(campaign_id: int) -> Response:
    response = jsonify(progress_as_json(progress_of(current_user, campaign_id, _by())))
    response.headers["Cache-Control"] = "no-store"
    return response
