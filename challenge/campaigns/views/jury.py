"""The jury page: how the jury works, and its jurors."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from challenge.campaigns import forms
from challenge.campaigns.service.jury_settings import JurySettings, update_jury_settings
from challenge.campaigns.views import bp
from challenge.campaigns.views.common import (
    ORGANISER_PREFIX,
    form_version,
    organised_campaign,
    refusal_messages,
)
from challenge.campaigns.views.form_data import jury_data
from challenge.campaigns.views.members import JURY_PAGE
from challenge.errors import Refused


@bp.route(ORGANISER_PREFIX + "/jury", methods=["GET", "POST"])
@login_required
def jury_settings(campaign_id: int) -> str | Response:
    campaign = organised_campaign(campaign_id)
    if request.method == "POST":
        form = forms.JurySettingsForm()
    else:
        form = forms.JurySettingsForm(data=jury_data(campaign))
    page_errors: list[str] = []
    if form.validate_on_submit():
        try:
            changes = update_jury_settings(
                campaign,
                JurySettings(
                    reviews_per_proposal=form.reviews_per_proposal.data,
                    blind_review=bool(form.blind_review.data),
                    scores_visibility=form.scores_visibility.data or "",
                    same_administration_conflict=bool(form.same_administration_conflict.data),
                    allow_supports=bool(form.allow_supports.data),
                ),
                current_user,
                expected_version=form_version(form),
            )
        except Refused as refused:
            page_errors = refusal_messages(form, refused)
        else:
            flash(
                _("Les réglages du jury sont enregistrés.")
                if changes
                else _("Aucune modification à enregistrer."),
                "success" if changes else "info",
            )
            return redirect(url_for("campaigns.jury_settings", campaign_id=campaign.id))
    return JURY_PAGE.render(campaign, form, page_errors=page_errors)
