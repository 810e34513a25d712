"""The pages listing the people of one role, with the form inviting more, beside the settings
they go with: the organisers on the settings page, the jurors on the jury page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from challenge.accounts.models import Role
from challenge.campaigns import forms
from challenge.campaigns.models import Campaign
from challenge.campaigns.queries.members import members
from challenge.campaigns.service.members import InviteResult, invite_members, remove_member
from challenge.campaigns.views import bp
from challenge.campaigns.views.common import (
    ORGANISER_PREFIX,
    organised_campaign,
    organiser_page,
    refusal_messages,
)
from challenge.campaigns.views.form_data import jury_data, settings_data
from challenge.errors import Refused


@dataclass(frozen=True)
class MembersPage:
    role: Role
    endpoint: str
    template: str
    active: str
    invite_prefix: str  # one invitation form on each page: the prefix keeps their fields apart
    settings_form: type[FlaskForm]
    stored: Callable[[Campaign], dict[str, object]]

    def invite_form(self) -> forms.InviteForm:
        return forms.InviteForm(prefix=self.invite_prefix)

    def render(
        self,
        campaign: Campaign,
        form: FlaskForm | None = None,
        invite_form: forms.InviteForm | None = None,
        page_errors: list[str] | None = None,
    ) -> str:
        """The page; ``form`` None: the settings as they are stored."""
        if form is None:
            form = self.settings_form(formdata=None, data=self.stored(campaign))
        return organiser_page(
            self.template,
            campaign,
            self.active,
            form=form,
            invite_form=invite_form if invite_form is not None else self.invite_form(),
            members=members(campaign, self.role),
            remove_form=forms.ConfirmForm(),
            page_errors=page_errors or [],
        )


ORGANISERS_PAGE = MembersPage(
    role=Role.ORGANISER,
    endpoint="campaigns.settings",
    template="campaigns/settings.html",
    active="settings",
    invite_prefix="org",
    settings_form=forms.SettingsForm,
    stored=settings_data,
)
JURY_PAGE = MembersPage(
    role=Role.JUROR,
    endpoint="campaigns.jury_settings",
    template="campaigns/jury.html",
    active="jury",
    invite_prefix="jury",
    settings_form=forms.JurySettingsForm,
    stored=jury_data,
)


@bp.route(ORGANISER_PREFIX + "/organisateurs", methods=["POST"])
@login_required
def invite_organisers(campaign_id: int) -> str | Response:
    return _invite(campaign_id, ORGANISERS_PAGE)


@bp.route(ORGANISER_PREFIX + "/organisateurs/<int:membership_id>/retirer", methods=["POST"])
@login_required
def remove_organiser(campaign_id: int, membership_id: int) -> Response:
    return _remove_member(campaign_id, membership_id, ORGANISERS_PAGE)


@bp.route(ORGANISER_PREFIX + "/jury/invitations", methods=["POST"])
@login_required
def invite_jurors(campaign_id: int) -> str | Response:
    return _invite(campaign_id, JURY_PAGE)


@bp.route(ORGANISER_PREFIX + "/jury/<int:membership_id>/retirer", methods=["POST"])
@login_required
def remove_juror(campaign_id: int, membership_id: int) -> Response:
    return _remove_member(campaign_id, membership_id, JURY_PAGE)


def _invite(campaign_id: int, page: MembersPage) -> str | Response:
    """Invite people from the form of ``page``; on bad input the page again, the error beside the
    field."""
    campaign = organised_campaign(campaign_id)
    invite_form = page.invite_form()
    page_errors: list[str] = []
    if invite_form.validate_on_submit():
        try:
            result = invite_members(campaign, invite_form.emails.data, page.role, current_user)
        except Refused as refused:
            page_errors = refusal_messages(invite_form, refused)
        else:
            _flash_invitations(result)
            return redirect(url_for(page.endpoint, campaign_id=campaign.id))
    return page.render(campaign, invite_form=invite_form, page_errors=page_errors)


def _flash_invitations(result: InviteResult) -> None:
    if result.invited:
        flash(_("Invitation envoyée à %(list)s.", list=", ".join(result.invited)), "success")
    if result.already:
        flash(_("Déjà invités : %(list)s.", list=", ".join(result.already)), "info")


def _remove_member(campaign_id: int, membership_id: int, page: MembersPage) -> Response:
    campaign = organised_campaign(campaign_id)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    try:
        remove_member(campaign, membership_id, page.role, current_user)
    except Refused as refused:
        for message in refusal_messages(None, refused):
            flash(message, "error")
    else:
        flash(_("L’accès est retiré."), "success")
    return redirect(url_for(page.endpoint, campaign_id=campaign_id))
