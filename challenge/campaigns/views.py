"""Pages of the campaigns domain (thin: parse, call the service, render or redirect)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import Field

from challenge.accounts.models import Role
from challenge.campaigns import forms, service
from challenge.campaigns.lifecycle import DATE_FIELDS, Dates
from challenge.campaigns.markdown import render_markdown
from challenge.campaigns.models import Campaign, GridKind
from challenge.site.errors import render_error
from challenge.timeutils import paris_to_utc, utc_to_paris

bp = Blueprint("campaigns", __name__)

ORGANISER_PREFIX = "/organisation/campagnes/<int:campaign_id>"

AUDIT_ACTION_LABELS = {
    "campaign.created": _l("Campagne créée"),
    "campaign.settings_updated": _l("Paramètres modifiés"),
    "campaign.jury_settings_updated": _l("Réglages du jury modifiés"),
    "campaign.questions_updated": _l("Questions du formulaire modifiées"),
    "campaign.grid_updated": _l("Grille de notation modifiée"),
    "campaign.status_changed": _l("Changement d’étape"),
    "campaign.organiser_invited": _l("Organisateur invité"),
    "campaign.juror_invited": _l("Juré invité"),
    "campaign.organiser_removed": _l("Organisateur retiré"),
    "campaign.juror_removed": _l("Juré retiré"),
}

FIELD_LABELS = {
    "title": _l("Titre"),
    "slug": _l("Adresse de la page"),
    "administration": _l("Administration"),
    "call_text": _l("Texte de l’appel"),
    "allowed_domains": _l("Domaines autorisés"),
    "opens_at": _l("Ouverture des dépôts"),
    "deadline_at": _l("Date limite de dépôt"),
    "review_ends_at": _l("Fin de l’évaluation"),
    "pitch_at": _l("Journée de pitch"),
    "results_at": _l("Annonce des résultats"),
    "status": _l("Étape"),
    "reviews_per_proposal": _l("Évaluations par proposition"),
    "blind_review": _l("Évaluation à l’aveugle"),
    "scores_visibility": _l("Visibilité des notes"),
    "same_administration_conflict": _l("Conflit même administration"),
    "allow_supports": _l("Soutiens « Moi aussi »"),
    "label": _l("Intitulé"),
    "description": _l("Description"),
    "weight": _l("Poids"),
    "position": _l("Ordre"),
    "scale_min": _l("Note minimale"),
    "scale_max": _l("Note maximale"),
    "level_descriptions": _l("Niveaux"),
    "help_text": _l("Aide"),
    "kind": _l("Type"),
    "required": _l("Obligatoire"),
    "max_length": _l("Longueur maximale"),
    "choices": _l("Choix"),
}

GRID_LABELS = {
    GridKind.REVIEW.value: _l("Grille de l’évaluation écrite"),
    GridKind.PITCH.value: _l("Grille du pitch"),
}

# Pages of other domains linked from the organiser menu, once they are installed.
ORGANISER_MENU_EXTRAS = (
    ("assignments", "jury.assignments", _l("Attributions")),
    ("ranking", "jury.ranking", _l("Classement")),
    ("shortlist", "jury.shortlist", _l("Présélection")),
    ("pitch_slots", "results.pitch_slots", _l("Journée de pitch")),
    ("laureates", "results.laureates", _l("Lauréats")),
    ("messages", "results.messages", _l("Messages de résultats")),
    ("exports", "exports.index", _l("Exports")),
)


# ---------------------------------------------------------------- app-wide helpers -----------


@bp.app_errorhandler(service.CampaignNotFound)
def _not_found(error: service.CampaignNotFound) -> tuple[str, int]:
    return render_error(404)


@bp.app_errorhandler(service.Forbidden)
def _forbidden(error: service.Forbidden) -> tuple[str, int]:
    return render_error(403)


@bp.app_template_global("endpoint_available")
def endpoint_available(endpoint: str) -> bool:
    """Whether a page is installed (other domains' pages appear as they are built)."""
    return endpoint in current_app.view_functions


@bp.app_template_filter("markdown")
def markdown_filter(source: str | None) -> Any:
    return render_markdown(source)


@bp.app_context_processor
def _organiser_menu() -> dict[str, object]:
    return {
        "organiser_menu_extras": ORGANISER_MENU_EXTRAS,
        "grid_labels": GRID_LABELS,
    }


# ---------------------------------------------------------------- helpers --------------------


def _campaign(campaign_id: int) -> Campaign:
    return service.get_campaign_for_organiser(campaign_id, current_user)


def _int_or_none(value: object) -> int | None:
    text = str(value or "").strip()
    if text.lstrip("-").isdigit() and len(text) < 10:
        return int(text)
    return None


def _version(form: Any) -> int | None:
    return _int_or_none(form.version.data)


def _attach_errors(form: Any, errors: dict[str, list[str]]) -> list[str]:
    """Put the service's messages beside their fields; return those that belong to no field."""
    page_errors: list[str] = []
    for path, messages in errors.items():
        target: Any = form
        try:
            for part in path.split(".") if path else []:
                target = target[int(part)] if part.isdigit() else target[part]
        except (KeyError, IndexError, TypeError):
            target = None
        if isinstance(target, Field) and not hasattr(target, "entries"):
            target.errors = [*target.errors, *messages]
        else:
            page_errors.extend(messages)
    return page_errors


def _paris_input(value: datetime | None) -> datetime | None:
    return utc_to_paris(value).replace(tzinfo=None) if value else None


def _utc(value: datetime | None) -> datetime | None:
    return paris_to_utc(value) if value else None


def _organiser_page(template: str, campaign: Campaign, active: str, **context: object) -> str:
    return render_template(template, campaign=campaign, active=active, **context)


# ---------------------------------------------------------------- public pages ---------------


@bp.route("/campagnes/<slug>")
def public_page(slug: str) -> str:
    viewer = current_user if current_user.is_authenticated else None
    campaign = service.get_public_campaign(slug, viewer=viewer)
    can_propose = "proposals.new_proposal" in current_app.view_functions and (
        service.accepts_submissions(campaign)
    )
    return render_template(
        "campaigns/public_page.html",
        campaign=campaign,
        call_html=render_markdown(campaign.call_text),
        can_propose=can_propose,
        accepts=service.accepts_submissions(campaign),
        organiser=viewer is not None and service.may_organise(viewer, campaign),
        dates=[(name, getattr(campaign, name)) for name in DATE_FIELDS],
    )


# ---------------------------------------------------------------- organiser pages ------------


@bp.route("/organisation")
@login_required
def organiser_index() -> str:
    if not service.may_see_organiser_pages(current_user):
        abort(403)
    return render_template(
        "campaigns/organiser_index.html",
        rows=service.organiser_campaigns(current_user),
        may_create=service.may_create_campaigns(current_user),
    )


@bp.route("/organisation/campagnes/nouvelle", methods=["GET", "POST"])
@login_required
def create() -> str | Response:
    if not service.may_create_campaigns(current_user):
        abort(403)
    form = forms.CreateCampaignForm()
    page_errors: list[str] = []
    if form.validate_on_submit():
        try:
            campaign = service.create_campaign(
                service.NewCampaign(
                    title=form.title.data or "",
                    administration=form.administration.data or "",
                    organiser_emails=form.organiser_emails.data or "",
                    slug=form.slug.data or "",
                ),
                current_user,
            )
        except service.ValidationFailed as failed:
            page_errors = _attach_errors(form, failed.errors)
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
    campaign = _campaign(campaign_id)
    return _organiser_page(
        "campaigns/dashboard.html",
        campaign,
        "dashboard",
        data=service.dashboard(campaign),
        transition_form=forms.TransitionForm(),
    )


@bp.route(ORGANISER_PREFIX + "/etape", methods=["POST"])
@login_required
def transition(campaign_id: int) -> Response:
    campaign = _campaign(campaign_id)
    form = forms.TransitionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        moved = service.transition(
            campaign, form.target.data, current_user, expected_from=form.source.data
        )
    except service.TransitionRefused as refused:
        for message in refused.messages:
            flash(message, "error")
    else:
        from challenge.site.templating import campaign_status_label

        if moved:
            flash(
                _(
                    "La campagne est passée à l’étape « %(status)s ».",
                    status=campaign_status_label(form.target.data),
                ),
                "success",
            )
        else:
            flash(
                _(
                    "Rien n’a changé : la campagne est déjà à l’étape « %(status)s ».",
                    status=campaign_status_label(campaign.status),
                ),
                "info",
            )
    return redirect(url_for("campaigns.dashboard", campaign_id=campaign_id))


# ---------------------------------------------------------------- settings -------------------


def _settings_data(campaign: Campaign) -> dict[str, object]:
    data: dict[str, object] = {
        "version": campaign.version,
        "title": campaign.title,
        "slug": campaign.slug,
        "administration": campaign.administration,
        "call_text": campaign.call_text,
        "allowed_domains": "\n".join(campaign.domains),
    }
    for name in DATE_FIELDS:
        data[name] = _paris_input(getattr(campaign, name))
    return data


@bp.route(ORGANISER_PREFIX + "/parametres", methods=["GET", "POST"])
@login_required
def settings(campaign_id: int) -> str | Response:
    campaign = _campaign(campaign_id)
    if request.method == "POST":
        form = forms.SettingsForm()
    else:
        form = forms.SettingsForm(data=_settings_data(campaign))
    page_errors: list[str] = []
    if form.validate_on_submit():
        data = service.Settings(
            title=form.title.data or "",
            # The slug is only on the page of a draft: elsewhere it is fixed.
            slug=(form.slug.data or "") if campaign.status == "draft" else campaign.slug,
            administration=form.administration.data or "",
            call_text=form.call_text.data or "",
            allowed_domains=form.allowed_domains.data or "",
            dates=Dates(**{name: _utc(getattr(form, name).data) for name in DATE_FIELDS}),
        )
        try:
            changes = service.update_settings(
                campaign, data, current_user, expected_version=_version(form)
            )
        except service.ValidationFailed as failed:
            page_errors = _attach_errors(form, failed.errors)
        else:
            if changes:
                flash(_("Les paramètres sont enregistrés."), "success")
            else:
                flash(_("Aucune modification à enregistrer."), "info")
            return redirect(url_for("campaigns.settings", campaign_id=campaign.id))
    return ORGANISERS_PAGE.render(campaign, form, page_errors=page_errors)


@bp.route(ORGANISER_PREFIX + "/organisateurs", methods=["POST"])
@login_required
def invite_organisers(campaign_id: int) -> str | Response:
    return _invite(campaign_id, ORGANISERS_PAGE)


@bp.route(ORGANISER_PREFIX + "/organisateurs/<int:membership_id>/retirer", methods=["POST"])
@login_required
def remove_organiser(campaign_id: int, membership_id: int) -> Response:
    return _remove_member(campaign_id, membership_id, ORGANISERS_PAGE)


def _invite(campaign_id: int, page: _MembersPage) -> str | Response:
    """Invite people from the form of ``page``; on bad input the page again, the error beside the
    field."""
    campaign = _campaign(campaign_id)
    invite_form = page.invite_form()
    page_errors: list[str] = []
    if invite_form.validate_on_submit():
        try:
            result = service.invite_members(
                campaign, invite_form.emails.data, page.role, current_user
            )
        except service.ValidationFailed as failed:
            page_errors = _attach_errors(invite_form, failed.errors)
        else:
            _flash_invitations(result)
            return redirect(url_for(page.endpoint, campaign_id=campaign.id))
    return page.render(campaign, invite_form=invite_form, page_errors=page_errors)


def _flash_invitations(result: service.InviteResult) -> None:
    if result.invited:
        flash(
            _(
                "Invitation envoyée à %(list)s.",
                list=", ".join(result.invited),
            ),
            "success",
        )
    if result.already:
        flash(_("Déjà invités : %(list)s.", list=", ".join(result.already)), "info")


def _remove_member(campaign_id: int, membership_id: int, page: _MembersPage) -> Response:
    campaign = _campaign(campaign_id)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.remove_member(campaign, membership_id, page.role, current_user)
    except service.ValidationFailed as failed:
        for messages in failed.errors.values():
            for message in messages:
                flash(message, "error")
    else:
        flash(_("L’accès est retiré."), "success")
    return redirect(url_for(page.endpoint, campaign_id=campaign_id))


# ---------------------------------------------------------------- questions ------------------


def _questions_data(campaign: Campaign) -> dict[str, object]:
    return {
        "version": campaign.version,
        "questions": [
            {
                "id": q.id,
                "label": q.label,
                "help_text": q.help_text,
                "kind": q.kind,
                "required": q.required,
                "max_length": q.max_length,
                "choices": "\n".join(q.choices or []),
                "position": index + 1,
            }
            for index, q in enumerate(campaign.questions)
        ],
    }


@bp.route(ORGANISER_PREFIX + "/questions", methods=["GET", "POST"])
@login_required
def questions(campaign_id: int) -> str | Response:
    campaign = _campaign(campaign_id)
    if request.method == "POST":
        form = forms.QuestionsForm()
    else:
        form = forms.QuestionsForm(data=_questions_data(campaign))
    page_errors: list[str] = []
    if request.method == "POST" and request.form.get("action") == "add":
        form.questions.append_entry({"kind": "short_text"})
    elif form.validate_on_submit():
        inputs = []
        for entry in form.questions:
            sub = entry.form
            inputs.append(
                service.QuestionInput(
                    id=_entry_id(sub.id.data),
                    label=sub.label.data or "",
                    kind=sub.kind.data or "",
                    help_text=sub.help_text.data or "",
                    required=bool(sub.required.data),
                    max_length=sub.max_length.data,
                    choices=tuple((sub.choices.data or "").splitlines()),
                    position=sub.position.data,
                    remove=bool(sub.remove.data),
                )
            )
        try:
            changes = service.save_questions(
                campaign, inputs, current_user, expected_version=_version(form)
            )
        except service.ValidationFailed as failed:
            page_errors = _attach_errors(form, failed.errors)
        else:
            flash(
                _("Les questions sont enregistrées.")
                if changes
                else _("Aucune modification à enregistrer."),
                "success" if changes else "info",
            )
            return redirect(url_for("campaigns.questions", campaign_id=campaign.id))
    return _organiser_page(
        "campaigns/questions.html",
        campaign,
        "questions",
        form=form,
        page_errors=page_errors,
        editable=campaign.status in service.EDITABLE_QUESTION_STATUSES,
    )


def _entry_id(value: object) -> int | None:
    if value in (None, ""):
        return None
    number = _int_or_none(value)
    if number is None:
        abort(404)
    return number


# ---------------------------------------------------------------- grids ----------------------


def _grid_data(campaign: Campaign, kind: str) -> dict[str, object]:
    criteria = campaign.grid(kind)
    return {
        "version": campaign.version,
        "scale_min": criteria[0].scale_min if criteria else 0,
        "scale_max": criteria[0].scale_max if criteria else 4,
        "criteria": [
            {
                "id": c.id,
                "label": c.label,
                "description": c.description,
                "weight": f"{c.weight:g}".replace(".", ","),
                "levels": "\n".join(c.level_descriptions or []),
                "position": index + 1,
            }
            for index, c in enumerate(criteria)
        ],
    }


@bp.route(ORGANISER_PREFIX + "/grilles/<kind>", methods=["GET", "POST"])
@login_required
def grid(campaign_id: int, kind: str) -> str | Response:
    campaign = _campaign(campaign_id)
    kind = service.grid_kind(kind)
    if request.method == "POST":
        form = forms.GridForm()
    else:
        form = forms.GridForm(data=_grid_data(campaign, kind))
    page_errors: list[str] = []
    if request.method == "POST" and request.form.get("action") == "add":
        form.criteria.append_entry({"weight": "1"})
    elif form.validate_on_submit():
        inputs = [
            service.CriterionInput(
                id=_entry_id(entry.form.id.data),
                label=entry.form.label.data or "",
                description=entry.form.description.data or "",
                weight=entry.form.weight.number,
                levels=tuple((entry.form.levels.data or "").splitlines()),
                position=entry.form.position.data,
                remove=bool(entry.form.remove.data),
            )
            for entry in form.criteria
        ]
        try:
            changes = service.save_grid(
                campaign,
                kind,
                form.scale_min.data,
                form.scale_max.data,
                inputs,
                current_user,
                expected_version=_version(form),
            )
        except service.ValidationFailed as failed:
            page_errors = _attach_errors(form, failed.errors)
        else:
            flash(
                _("La grille est enregistrée.") if changes else _("Aucune modification."),
                "success" if changes else "info",
            )
            return redirect(url_for("campaigns.grid", campaign_id=campaign.id, kind=kind))
    return _organiser_page(
        "campaigns/grid.html",
        campaign,
        f"grid_{kind}",
        form=form,
        kind=kind,
        page_errors=page_errors,
        locked=service.grid_in_use(campaign.id, kind),
    )


# ---------------------------------------------------------------- jury -----------------------


def _jury_data(campaign: Campaign) -> dict[str, object]:
    return {
        "version": campaign.version,
        "reviews_per_proposal": campaign.reviews_per_proposal,
        "blind_review": campaign.blind_review,
        "scores_visibility": campaign.scores_visibility,
        "same_administration_conflict": campaign.same_administration_conflict,
        "allow_supports": campaign.allow_supports,
    }


@dataclass(frozen=True)
class _MembersPage:
    """A page listing the people of one role, with the form inviting more, beside the settings
    they go with: the organisers on the settings page, the jurors on the jury page."""

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
        return _organiser_page(
            self.template,
            campaign,
            self.active,
            form=form,
            invite_form=invite_form if invite_form is not None else self.invite_form(),
            members=service.members(campaign, self.role),
            remove_form=forms.ConfirmForm(),
            page_errors=page_errors or [],
        )


ORGANISERS_PAGE = _MembersPage(
    role=Role.ORGANISER,
    endpoint="campaigns.settings",
    template="campaigns/settings.html",
    active="settings",
    invite_prefix="org",
    settings_form=forms.SettingsForm,
    stored=_settings_data,
)
JURY_PAGE = _MembersPage(
    role=Role.JUROR,
    endpoint="campaigns.jury_settings",
    template="campaigns/jury.html",
    active="jury",
    invite_prefix="jury",
    settings_form=forms.JurySettingsForm,
    stored=_jury_data,
)


@bp.route(ORGANISER_PREFIX + "/jury", methods=["GET", "POST"])
@login_required
def jury_settings(campaign_id: int) -> str | Response:
    campaign = _campaign(campaign_id)
    if request.method == "POST":
        form = forms.JurySettingsForm()
    else:
        form = forms.JurySettingsForm(data=_jury_data(campaign))
    page_errors: list[str] = []
    if form.validate_on_submit():
        try:
            changes = service.update_jury_settings(
                campaign,
                service.JurySettings(
                    reviews_per_proposal=form.reviews_per_proposal.data,
                    blind_review=bool(form.blind_review.data),
                    scores_visibility=form.scores_visibility.data or "",
                    same_administration_conflict=bool(form.same_administration_conflict.data),
                    allow_supports=bool(form.allow_supports.data),
                ),
                current_user,
                expected_version=_version(form),
            )
        except service.ValidationFailed as failed:
            page_errors = _attach_errors(form, failed.errors)
        else:
            flash(
                _("Les réglages du jury sont enregistrés.")
                if changes
                else _("Aucune modification à enregistrer."),
                "success" if changes else "info",
            )
            return redirect(url_for("campaigns.jury_settings", campaign_id=campaign.id))
    return JURY_PAGE.render(campaign, form, page_errors=page_errors)


@bp.route(ORGANISER_PREFIX + "/jury/invitations", methods=["POST"])
@login_required
def invite_jurors(campaign_id: int) -> str | Response:
    return _invite(campaign_id, JURY_PAGE)


@bp.route(ORGANISER_PREFIX + "/jury/<int:membership_id>/retirer", methods=["POST"])
@login_required
def remove_juror(campaign_id: int, membership_id: int) -> Response:
    return _remove_member(campaign_id, membership_id, JURY_PAGE)


# ---------------------------------------------------------------- audit log ------------------


@bp.route(ORGANISER_PREFIX + "/journal")
@login_required
def audit_log(campaign_id: int) -> str:
    campaign = _campaign(campaign_id)
    form = forms.AuditFilterForm(formdata=request.args)
    form.validate()
    filters = service.AuditFilters(
        action=(form.action.data or "")[:80],
        actor=(form.actor.data or "")[:254],
        start=form.start.data if not form.start.errors else None,
        end=form.end.data if not form.end.errors else None,
    )
    page = request.args.get("page", 1, type=int) or 1
    result = service.audit_log(campaign, filters, page)
    form.action.choices = [("", _("Toutes les actions"))] + [
        (a, str(AUDIT_ACTION_LABELS.get(a, a))) for a in result.actions
    ]
    form.actor.choices = [("", _("Toutes les personnes"))] + [
        (a, _("Système") if a in ("", "system") else a) for a in result.actors
    ]
    args = {
        key: value
        for key, value in {
            "action": filters.action,
            "actor": filters.actor,
            "start": filters.start.isoformat() if filters.start else "",
            "end": filters.end.isoformat() if filters.end else "",
        }.items()
        if value
    }
    return _organiser_page(
        "campaigns/audit_log.html",
        campaign,
        "audit",
        filter_form=form,
        result=result,
        filter_args=args,
        action_labels=AUDIT_ACTION_LABELS,
        field_labels=FIELD_LABELS,
        page_url=_page_url(campaign.id, args),
    )


def _page_url(campaign_id: int, args: dict[str, str]) -> Callable[[int], str]:
    def url(page: int) -> str:
        return url_for("campaigns.audit_log", campaign_id=campaign_id, page=page, **args)

    return url


@bp.app_template_filter("audit_datetime")
def audit_datetime(value: str) -> str:
    """An ISO UTC date of the audit log ("2026-11-24T10:00:00Z"), shown in Paris."""
    from challenge.site.templating import paris_datetime

    try:
        parsed = datetime.fromisoformat(value.removesuffix("Z"))
    except ValueError:
        return value
    return paris_datetime(parsed.replace(tzinfo=None))
