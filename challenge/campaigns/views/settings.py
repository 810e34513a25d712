"""The settings page: the call's set-up, and its organisers."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from challenge.campaigns import forms
from challenge.campaigns.lifecycle import DATE_FIELDS, Dates
from challenge.campaigns.models import Campaign, CampaignStatus
from challenge.campaigns.service.settings import Settings, update_settings
from challenge.campaigns.views import bp
from challenge.campaigns.views.common import (
    ORGANISER_PREFIX,
    form_version,
    organised_campaign,
    refusal_messages,
    utc,
)
from challenge.campaigns.views.form_data import settings_data
from challenge.campaigns.views.members import ORGANISERS_PAGE
from challenge.errors import Refused


def _settings(campaign: Campaign, form: forms.SettingsForm) -> Settings:
    draft = campaign.status == CampaignStatus.DRAFT.value
    return Settings(
        title=form.title.data or "",
        # The slug is only on the page of a draft: elsewhere it is fixed.
        slug=(form.slug.data or "") if draft else campaign.slug,
        administration=form.administration.data or "",
        call_text=form.call_text.data or "",
        allowed_domains=form.allowed_domains.data or "",
        dates=Dates(**{name: utc(getattr(form, name).data) for name in DATE_FIELDS}),
    )


@bp.route(ORGANISER_PREFIX + "/parametres", methods=["GET", "POST"])
@login_required
def settings(campaign_id: int) -> str | Response:
    campaign = organised_campaign(campaign_id)
    if request.method == "POST":
        form = forms.SettingsForm()
    else:
        form = forms.SettingsForm(data=settings_data(campaign))
    page_errors: list[str] = []
    if form.validate_on_submit():
        try:
            changes = update_settings(
                campaign,
                _settings(campaign, form),
                current_user,
                expected_version=form_version(form),
            )
        except Refused as refused:
            page_errors = refusal_messages(form, refused)
        else:
            if changes:
                flash(_("Les paramètres sont enregistrés."), "success")
            else:
                flash(_("Aucune modification à enregistrer."), "info")
            return redirect(url_for("campaigns.settings", campaign_id=campaign.id))
    return ORGANISERS_PAGE.render(campaign, form, page_errors=page_errors)
