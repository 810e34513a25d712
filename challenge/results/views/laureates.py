"""The organisers' decision: laureates, mentions, not retained."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from challenge.access.outcomes import OUTCOME_LABELS
from challenge.errors import Invalid, Refused
from challenge.results.forms import ActionForm
from challenge.results.queries.laureates import laureates_page
from challenge.results.service.laureates import DecisionSummary, record_results
from challenge.results.views import bp
from challenge.results.views.common import ORGANISER, organiser_context


def _choices() -> dict[int, str]:
    """The outcome chosen for each pitch, from the fields ``outcome-<proposal id>``."""
    choices: dict[int, str] = {}
    for key, value in request.form.items():
        if key.startswith("outcome-") and key[8:].isdigit():
            choices[int(key[8:])] = value
    return choices


def _recorded(summary: DecisionSummary) -> str:
    return _(
        "Résultats enregistrés : %(laureates)s lauréat(s), %(mentions)s mention(s), "
        "%(others)s proposition(s) non retenue(s).",
        laureates=summary.laureates,
        mentions=summary.mentions,
        others=summary.shortlisted_not_retained + summary.not_retained,
    )


@bp.route(ORGANISER + "/laureats", methods=["GET", "POST"])
@login_required
def laureates(campaign_id: int) -> Response | tuple[str, int]:
    page = laureates_page(current_user, campaign_id)
    form = ActionForm()
    errors: dict[str, str] = {}
    chosen = {c.proposal_id: c.outcome for c in page.candidates}
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        choices = _choices()
        try:
            summary = record_results(current_user, campaign_id, choices)
        except Invalid as invalid:
            errors = invalid.errors
            flash(invalid.message, "error")
            chosen = {c.proposal_id: choices.get(c.proposal_id) for c in page.candidates}
            status = 400
        except Refused as refusal:
            flash(refusal.message, "error")
            return redirect(url_for("results.laureates", campaign_id=campaign_id))
        else:
            flash(_recorded(summary), "success")
            return redirect(url_for("results.laureates", campaign_id=campaign_id))
    return (
        render_template(
            "results/laureates.html",
            page=page,
            form=form,
            errors=errors,
            chosen=chosen,
            outcome_labels=OUTCOME_LABELS,
            **organiser_context(page.campaign, "laureates"),
        ),
        status,
    )
