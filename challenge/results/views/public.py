"""The public page of laureates, and an author's consent to show their name there."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from challenge.access.outcomes import OUTCOME_LABELS
from challenge.results.forms import ConsentForm
from challenge.results.queries.consent import consent_page
from challenge.results.queries.public import public_laureates as public_page
from challenge.results.service.consent import set_name_consent
from challenge.results.views import bp


@bp.route("/campagnes/<slug>/laureats")
def public_laureates(slug: str) -> str:
    return render_template("results/public_laureates.html", page=public_page(slug))


@bp.route("/propositions/<int:proposal_id>/publication-du-nom", methods=["GET", "POST"])
@login_required
def name_consent(proposal_id: int) -> Response | tuple[str, int]:
    page = consent_page(current_user, proposal_id)
    form = ConsentForm(consent="yes" if page.consent else "no")
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            set_name_consent(current_user, proposal_id, form.consent.data == "yes")
            flash(
                _("Votre nom sera publié sur la page des lauréats.")
                if form.consent.data == "yes"
                else _("Votre nom ne sera pas publié sur la page des lauréats."),
                "success",
            )
            return redirect(url_for("results.name_consent", proposal_id=proposal_id))
        status = 400
    return render_template(
        "results/name_consent.html",
        page=page,
        form=form,
        outcome_labels=OUTCOME_LABELS,
    ), status
