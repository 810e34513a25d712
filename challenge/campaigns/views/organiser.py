"""The organisers' index, the creation of a campaign, its dashboard and its lifecycle moves."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from challenge.access.roles import may_create_campaigns, may_see_organiser_pages
from challenge.campaigns import forms
from challenge.campaigns.queries.dashboard import dashboard as dashboard_of
from challenge.campaigns.queries.organiser_index import organiser_campaigns
from challenge.campaigns.service.creation import NewCampaign, create_campaign
from challenge.campaigns.service.transitions import TransitionBlocked
from challenge.campaigns.service.transitions import transition as move_campaign
from challenge.campaigns.views import bp
from challenge.campaigns.views.common import (
    ORGANISER_PREFIX,
    organised_campaign,
    organiser_page,
    refusal_messages,
)
from challenge.errors import Forbidden, Invalid
from challenge.site.templating import campaign_status_label


@bp.route("/organisation")
@login_required
def organiser_index() -> str:
    if not may_see_organiser_pages(current_user):
        raise Forbidden
    return render_template(
        "campaigns/organiser_index.html",
        rows=organiser_campaigns(current_user),
        may_create=may_create_campaigns(current_user),
    )


@bp.route("/organisation/campagnes/nouvelle", methods=["GET", "POST"])
@login_required
def create() -> str | Response:
    if not may_create_campaigns(current_user):
        raise Forbidden
    form = forms.CreateCampaignForm()
    page_errors: list[str] = []
    if form.validate_on_submit():
        try:
            campaign = create_campaign(
                NewCampaign(
                    title=form.title.data or "",
                    administration=form.administration.data or "",
                    organiser_emails=form.organiser_emails.data or "",
                    slug=form.slug.data or "",
                ),
                current_user,
            )
        except Invalid as invalid:
            page_errors = refusal_messages(form, invalid)
        else:
            flash(
                _("La campagne est créée en brouillon. Complétez ses paramètres pour l’ouvrir."),
                "success",
            )
            return redirect(url_for("campaigns.settings", campaign_id=campaign.id))
    return render_template("campaigns/create.html", form=form, page_errors=page_errors)


@bp.route(ORGANISER_PREFIX)
@login_required
def dashboard(campaign_id: int) -> str:
    campaign = organised_campaign(campaign_id)
    return organiser_page(
        "campaigns/dashboard.html",
        campaign,
        "dashboard",
        data=dashboard_of(campaign),
        transition_form=forms.TransitionForm(),
    )


@bp.route(ORGANISER_PREFIX + "/etape", methods=["POST"])
@login_required
def transition(campaign_id: int) -> Response:
    campaign = organised_campaign(campaign_id)
    form = forms.TransitionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        moved = move_campaign(
            campaign, form.target.data, current_user, expected_from=form.source.data
        )
    except TransitionBlocked as blocked:
        for message in blocked.messages:
            flash(message, "error")
    else:
        if moved:
            message = _(
                "La campagne est passée à l’étape « %(status)s ».",
                status=campaign_status_label(form.target.data),
            )
        else:
            message = _(
                "Rien n’a changé : la campagne est déjà à l’étape « %(status)s ».",
                status=campaign_status_label(campaign.status),
            )
        flash(message, "success" if moved else "info")
    return redirect(url_for("campaigns.dashboard", campaign_id=campaign_id))
