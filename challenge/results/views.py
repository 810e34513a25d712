"""Pages of the results domain (thin: parse, call the service, render or redirect)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from challenge.jury.ranking import NORMALISATION_EXPLANATION_EN, NORMALISATION_EXPLANATION_FR
from challenge.results import service
from challenge.results.forms import (
    ActionForm,
    AnswerForm,
    ConsentForm,
    MoveForm,
    SlotForm,
    SlotGeneratorForm,
    TemplateForm,
)
from challenge.results.models import Outcome
from challenge.timeutils import utc_to_paris

bp = Blueprint("results", __name__)

ORGANISER = "/organisation/campagnes/<int:campaign_id>"
JUROR = "/jury/campagnes/<int:campaign_id>"


def _http_errors(view: Callable[..., Any]) -> Callable[..., Any]:
    """The service's NotFound and Forbidden become 404 and 403 pages."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except service.NotFound:
            abort(404)
        except service.Forbidden:
            abort(403)

    return wrapper


def _organiser_context(campaign: Any, active: str) -> dict[str, object]:
    views = current_app.view_functions
    return {
        "campaign": campaign,
        "active": active,
        "dashboard_url": (
            url_for("campaigns.dashboard", campaign_id=campaign.id)
            if "campaigns.dashboard" in views
            else None
        ),
        "organiser_index_url": (
            url_for("campaigns.organiser_index") if "campaigns.organiser_index" in views else None
        ),
    }


def _apply_errors(form: Any, errors: dict[str, str]) -> list[str]:
    """Put each error beside its field; return those that belong to no field."""
    loose = []
    for name, message in errors.items():
        field = getattr(form, name, None) if form is not None else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), message]
        else:
            loose.append(message)
    return loose


# ---------------------------------------------------------------- pitch slots ----------------


def _move_choices(page: service.SlotsPage, form: MoveForm) -> None:
    titles = {p.id: p.title for p in page.pitch_list}
    form.proposal_id.choices = [SelectChoice(p.id, p.title or f"#{p.id}") for p in page.pitch_list]
    form.slot_id.choices = [
        SelectChoice(
            r.id,
            utc_to_paris(r.starts_at).strftime("%d/%m %H:%M")
            + (f" — {titles.get(r.proposal_id, r.title or '')}" if r.proposal_id else ""),
        )
        for r in page.rows
    ]


def _render_slots(
    page: service.SlotsPage,
    generator: SlotGeneratorForm | None = None,
    slot_form: SlotForm | None = None,
    move_form: MoveForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    move_form = move_form or MoveForm(formdata=None)
    _move_choices(page, move_form)
    return (
        render_template(
            "results/pitch_slots.html",
            page=page,
            generator=generator or SlotGeneratorForm(formdata=None),
            slot_form=slot_form or SlotForm(formdata=None),
            move_form=move_form,
            action_form=ActionForm(),
            **_organiser_context(page.campaign, "pitch_slots"),
        ),
        status,
    )


@bp.route(ORGANISER + "/pitchs")
@login_required
@_http_errors
def pitch_slots(campaign_id: int) -> tuple[str, int]:
    return _render_slots(service.slots_page(current_user, campaign_id))


def _back_to_slots(campaign_id: int) -> Response:
    return redirect(url_for("results.pitch_slots", campaign_id=campaign_id))


@bp.route(ORGANISER + "/pitchs/generer", methods=["POST"])
@login_required
@_http_errors
def generate_slots(campaign_id: int) -> Response | tuple[str, int]:
    page = service.slots_page(current_user, campaign_id)
    form = SlotGeneratorForm()
    if form.validate_on_submit():
        try:
            count = service.generate_slots(
                current_user,
                campaign_id,
                service.GenerateInput(
                    day=form.day.data,
                    start=form.start.data,
                    count=form.count.data,
                    duration=form.duration.data,
                    gap=form.gap.data,
                    break_every=form.break_every.data,
                    break_minutes=form.break_minutes.data,
                    location=form.location.data or "",
                    video_link=form.video_link.data or "",
                ),
            )
        except service.Refused as refusal:
            flash(refusal.message, "error")
            return _back_to_slots(campaign_id)
        except service.Invalid as invalid:
            for message in _apply_errors(form, invalid.errors):
                flash(message, "error")
        else:
            flash(ngettext("%(num)s créneau créé.", "%(num)s créneaux créés.", count), "success")
            return _back_to_slots(campaign_id)
    flash(_("Aucun créneau n’a été créé : corrigez les champs signalés."), "error")
    return _render_slots(page, generator=form, status=400)


def _slot_input(form: SlotForm) -> service.SlotInput:
    return service.SlotInput(
        day=form.day.data,
        start=form.start.data,
        duration=form.duration.data,
        location=form.location.data or "",
        video_link=form.video_link.data or "",
    )


@bp.route(ORGANISER + "/pitchs/creneaux", methods=["POST"])
@login_required
@_http_errors
def add_slot(campaign_id: int) -> Response | tuple[str, int]:
    page = service.slots_page(current_user, campaign_id)
    form = SlotForm()
    if form.validate_on_submit():
        try:
            service.add_slot(current_user, campaign_id, _slot_input(form))
        except service.Refused as refusal:
            flash(refusal.message, "error")
            return _back_to_slots(campaign_id)
        except service.Invalid as invalid:
            for message in _apply_errors(form, invalid.errors):
                flash(message, "error")
        else:
            flash(_("Le créneau est ajouté."), "success")
            return _back_to_slots(campaign_id)
    flash(_("Le créneau n’est pas ajouté : corrigez les champs signalés."), "error")
    return _render_slots(page, slot_form=form, status=400)


@bp.route(ORGANISER + "/pitchs/creneaux/<int:slot_id>", methods=["GET", "POST"])
@login_required
@_http_errors
def edit_slot(campaign_id: int, slot_id: int) -> Response | tuple[str, int]:
    campaign, slot = service.slot_for_edit(current_user, campaign_id, slot_id)
    local = utc_to_paris(slot.starts_at)
    form = SlotForm(
        day=local.date(),
        start=local.time().replace(tzinfo=None),
        duration=slot.duration_minutes,
        location=slot.location,
        video_link=slot.video_link,
    )
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                service.update_slot(current_user, campaign_id, slot_id, _slot_input(form))
            except service.Refused as refusal:
                flash(refusal.message, "error")
                return _back_to_slots(campaign_id)
            except service.Invalid as invalid:
                for message in _apply_errors(form, invalid.errors):
                    flash(message, "error")
            else:
                flash(_("Le créneau est modifié."), "success")
                return _back_to_slots(campaign_id)
        status = 400
    return (
        render_template(
            "results/slot_edit.html",
            form=form,
            slot=slot,
            refusal=service.slot_refusal(campaign),
            **_organiser_context(campaign, "pitch_slots"),
        ),
        status,
    )


def _slot_action(campaign_id: int, action: Callable[[], object], success: str) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action()
    except service.Refused as refusal:
        flash(refusal.message, "error")
    except service.Invalid as invalid:
        flash(" ".join([invalid.message, *invalid.errors.values()]), "error")
    else:
        flash(success, "success")
    return _back_to_slots(campaign_id)


@bp.route(ORGANISER + "/pitchs/creneaux/<int:slot_id>/supprimer", methods=["POST"])
@login_required
@_http_errors
def delete_slot(campaign_id: int, slot_id: int) -> Response:
    return _slot_action(
        campaign_id,
        lambda: service.delete_slot(current_user, campaign_id, slot_id),
        _("Le créneau est supprimé."),
    )


@bp.route(ORGANISER + "/pitchs/creneaux/<int:slot_id>/liberer", methods=["POST"])
@login_required
@_http_errors
def free_slot(campaign_id: int, slot_id: int) -> Response:
    return _slot_action(
        campaign_id,
        lambda: service.free_slot(current_user, campaign_id, slot_id),
        _("Le créneau est libéré."),
    )


@bp.route(ORGANISER + "/pitchs/remplir", methods=["POST"])
@login_required
@_http_errors
def fill_slots(campaign_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    reset = request.form.get("reset") == "1"
    try:
        filling = service.fill_slots(current_user, campaign_id, reset=reset)
    except service.Refused as refusal:
        flash(refusal.message, "error")
    else:
        flash(_("Les créneaux sont remplis dans l’ordre du classement."), "success")
        if filling.unplaced:
            flash(
                ngettext(
                    "%(num)s proposition n’a pas de créneau : ajoutez des créneaux.",
                    "%(num)s propositions n’ont pas de créneau : ajoutez des créneaux.",
                    len(filling.unplaced),
                ),
                "warning",
            )
    return _back_to_slots(campaign_id)


@bp.route(ORGANISER + "/pitchs/deplacer", methods=["POST"])
@login_required
@_http_errors
def move_proposal(campaign_id: int) -> Response | tuple[str, int]:
    page = service.slots_page(current_user, campaign_id)
    form = MoveForm()
    _move_choices(page, form)
    if form.validate_on_submit():
        try:
            service.move_proposal(
                current_user, campaign_id, form.proposal_id.data, form.slot_id.data
            )
        except service.Refused as refusal:
            flash(refusal.message, "error")
            return _back_to_slots(campaign_id)
        except service.Invalid as invalid:
            for message in _apply_errors(form, invalid.errors):
                flash(message, "error")
        else:
            flash(_("La proposition a changé de créneau."), "success")
            return _back_to_slots(campaign_id)
    flash(_("Rien n’a changé : corrigez les champs signalés."), "error")
    return _render_slots(page, move_form=form, status=400)


@bp.route(ORGANISER + "/pitchs/convocations", methods=["POST"])
@login_required
@_http_errors
def send_convocations(campaign_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        count = service.send_convocations(current_user, campaign_id)
    except service.Refused as refusal:
        flash(refusal.message, "error")
    else:
        if count:
            flash(
                ngettext("%(num)s convocation envoyée.", "%(num)s convocations envoyées.", count),
                "success",
            )
        else:
            flash(_("Chacun a déjà reçu la convocation de son créneau actuel."), "info")
    return _back_to_slots(campaign_id)


# ---------------------------------------------------------------- the agent's answer ---------

INVALID_LINK_TEXTS = {
    "invalid": lambda: _(
        "Ce lien est incomplet ou a été modifié. Ouvrez-le depuis la convocation."
    ),
    "expired": lambda: _("Ce lien a expiré. Écrivez aux organisateurs pour confirmer votre venue."),
    "outdated": lambda: _(
        "Ce créneau a changé depuis cette convocation : utilisez le lien de la convocation la "
        "plus récente."
    ),
}


@bp.route("/pitch/reponse/<token>", methods=["GET", "POST"])
@_http_errors
def pitch_answer(token: str) -> Response | tuple[str, int]:
    try:
        page = service.answer_page(token)
    except service.InvalidLink as invalid:
        return render_template(
            "results/answer_invalid.html", text=INVALID_LINK_TEXTS[invalid.reason]()
        ), 400
    form = AnswerForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                service.answer_convocation(
                    token, confirm=form.choice.data == "confirm", note=form.note.data or ""
                )
            except service.InvalidLink as invalid:
                return render_template(
                    "results/answer_invalid.html", text=INVALID_LINK_TEXTS[invalid.reason]()
                ), 400
            except service.Invalid as invalid:
                _apply_errors(form, invalid.errors)
            else:
                if form.choice.data == "confirm":
                    flash(_("Merci : votre présence est confirmée."), "success")
                else:
                    flash(
                        _(
                            "Votre demande est transmise aux organisateurs, qui vous recontacteront."
                        ),
                        "success",
                    )
                return redirect(url_for("results.pitch_answer", token=token))
        status = 400
    return render_template("results/answer.html", page=page, form=form), status


# ---------------------------------------------------------------- juror: scoring -------------


@bp.route(JUROR + "/pitchs")
@login_required
@_http_errors
def pitch_jury(campaign_id: int) -> str:
    page = service.juror_pitches(current_user, campaign_id)
    return render_template("results/pitch_jury.html", page=page, **_jury_context())


def _jury_context() -> dict[str, object]:
    views = current_app.view_functions
    return {"workspace_url": url_for("jury.workspace") if "jury.workspace" in views else None}


def _score_input(criteria: list[Any]) -> service.PitchScoreInput:
    scores: dict[int, int | None] = {}
    for criterion in criteria:
        raw = request.form.get(f"criterion-{criterion.id}", "")
        scores[criterion.id] = int(raw) if raw.strip().lstrip("-").isdigit() else None
    return service.PitchScoreInput(
        scores=scores,
        comment_for_jury=request.form.get("comment_for_jury", ""),
        message_for_agent=request.form.get("message_for_agent", ""),
    )


@bp.route(JUROR + "/pitchs/<int:proposal_id>", methods=["GET", "POST"])
@login_required
@_http_errors
def pitch_score(campaign_id: int, proposal_id: int) -> Response | tuple[str, int]:
    page = service.pitch_score_page(current_user, campaign_id, proposal_id)
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
            service.save_pitch_score(current_user, campaign_id, proposal_id, data)
        except service.Refused as refusal:
            flash(refusal.message, "error")
            return redirect(
                url_for("results.pitch_score", campaign_id=campaign_id, proposal_id=proposal_id)
            )
        except service.Invalid as invalid:
            errors = invalid.errors
            flash(invalid.message, "error")
            values = {k: v for k, v in data.scores.items() if v is not None}
            comment, message = data.comment_for_jury, data.message_for_agent
            status = 400
        else:
            flash(_("Note enregistrée pour « %(title)s ».", title=page.proposal.title), "success")
            after = service.pitch_score_page(current_user, campaign_id, proposal_id)
            target = after.next_unscored_id
            if target is None:
                return redirect(url_for("results.pitch_jury", campaign_id=campaign_id))
            return redirect(
                url_for("results.pitch_score", campaign_id=campaign_id, proposal_id=target)
            )
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


# ---------------------------------------------------------------- organiser: progress -------


def _by() -> str:
    return "normalised" if request.args.get("par") == "normalise" else "raw"


@bp.route(ORGANISER + "/pitchs/suivi")
@login_required
@_http_errors
def pitch_progress(campaign_id: int) -> str:
    progress = service.pitch_progress(current_user, campaign_id, _by())
    return render_template(
        "results/pitch_progress.html",
        progress=progress,
        explanation=(
            NORMALISATION_EXPLANATION_EN
            if str(get_locale()) == "en"
            else NORMALISATION_EXPLANATION_FR
        ),
        **_organiser_context(progress.campaign, "pitch_slots"),
    )


@bp.route(ORGANISER + "/pitchs/suivi.json")
@login_required
@_http_errors
def pitch_progress_data(campaign_id: int) -> Response:
    progress = service.pitch_progress(current_user, campaign_id, _by())
    response = jsonify(service.progress_as_json(progress))
    response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- organiser: laureates -------


@bp.route(ORGANISER + "/laureats", methods=["GET", "POST"])
@login_required
@_http_errors
def laureates(campaign_id: int) -> Response | tuple[str, int]:
    page = service.laureates_page(current_user, campaign_id)
    form = ActionForm()
    errors: dict[str, str] = {}
    chosen = {c.proposal_id: c.outcome for c in page.candidates}
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        choices: dict[int, str] = {}
        for key, value in request.form.items():
            if key.startswith("outcome-") and key[8:].isdigit():
                choices[int(key[8:])] = value
        try:
            summary = service.record_results(current_user, campaign_id, choices)
        except service.Refused as refusal:
            flash(refusal.message, "error")
            return redirect(url_for("results.laureates", campaign_id=campaign_id))
        except service.Invalid as invalid:
            errors = invalid.errors
            flash(invalid.message, "error")
            chosen = {c.proposal_id: choices.get(c.proposal_id) for c in page.candidates}
            status = 400
        else:
            flash(
                _(
                    "Résultats enregistrés : %(laureates)s lauréat(s), %(mentions)s mention(s), "
                    "%(others)s proposition(s) non retenue(s).",
                    laureates=summary.laureates,
                    mentions=summary.mentions,
                    others=summary.shortlisted_not_retained + summary.not_retained,
                ),
                "success",
            )
            return redirect(url_for("results.laureates", campaign_id=campaign_id))
    return (
        render_template(
            "results/laureates.html",
            page=page,
            form=form,
            errors=errors,
            chosen=chosen,
            outcome_labels=service.OUTCOME_LABELS,
            **_organiser_context(page.campaign, "laureates"),
        ),
        status,
    )


# ---------------------------------------------------------------- organiser: messages --------


def _template_forms(page: service.MessagesPage) -> dict[str, TemplateForm]:
    forms = {}
    for outcome in service.OUTCOME_ORDER:
        template = page.templates[outcome]
        forms[outcome] = TemplateForm(
            formdata=None,
            prefix=outcome,
            outcome=outcome,
            subject=template.subject,
            body=template.body,
            next_steps=template.next_steps,
        )
    return forms


def _render_messages(
    page: service.MessagesPage,
    forms: dict[str, TemplateForm],
    active_outcome: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    recipient_key = request.args.get("destinataire", "")
    preview = None
    chosen = None
    if recipient_key:
        try:
            chosen, preview = service.preview(current_user, page.campaign.id, recipient_key)
        except service.NotFound:
            flash(_("Ce destinataire n’existe pas : choisissez-en un dans la liste."), "error")
    elif page.recipients:
        chosen = None
    return (
        render_template(
            "results/messages.html",
            page=page,
            forms=forms,
            active_outcome=active_outcome or (chosen.outcome if chosen else Outcome.LAUREATE.value),
            preview=preview,
            chosen=chosen,
            action_form=ActionForm(),
            outcome_labels=service.OUTCOME_LABELS,
            **_organiser_context(page.campaign, "messages"),
        ),
        status,
    )


@bp.route(ORGANISER + "/messages")
@login_required
@_http_errors
def messages(campaign_id: int) -> tuple[str, int]:
    page = service.messages_page(current_user, campaign_id)
    return _render_messages(page, _template_forms(page))


@bp.route(ORGANISER + "/messages/modeles/<outcome>", methods=["POST"])
@login_required
@_http_errors
def save_template(campaign_id: int, outcome: str) -> Response | tuple[str, int]:
    if outcome not in service.OUTCOME_ORDER:
        abort(404)
    page = service.messages_page(current_user, campaign_id)
    forms = _template_forms(page)
    form = TemplateForm(prefix=outcome)
    forms[outcome] = form
    if form.validate_on_submit():
        try:
            service.save_template(
                current_user,
                campaign_id,
                outcome,
                service.TemplateInput(
                    form.subject.data or "", form.body.data or "", form.next_steps.data or ""
                ),
            )
        except service.Refused as refusal:
            flash(refusal.message, "error")
            return redirect(url_for("results.messages", campaign_id=campaign_id))
        except service.Invalid as invalid:
            for message in _apply_errors(form, invalid.errors):
                flash(message, "error")
        else:
            flash(
                _("Le modèle « %(label)s » est enregistré.", label=service.OUTCOME_LABELS[outcome]),
                "success",
            )
            return redirect(
                url_for("results.messages", campaign_id=campaign_id, _anchor=f"modele-{outcome}")
            )
    flash(_("Le modèle n’est pas enregistré : corrigez les champs signalés."), "error")
    return _render_messages(page, forms, active_outcome=outcome, status=400)


@bp.route(ORGANISER + "/messages/envoyer", methods=["POST"])
@login_required
@_http_errors
def send_results(campaign_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        report = service.send_results(current_user, campaign_id)
    except service.Refused as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("results.messages", campaign_id=campaign_id))
    if report.queued:
        flash(
            ngettext("%(num)s message envoyé.", "%(num)s messages envoyés.", report.queued),
            "success",
        )
    else:
        flash(_("Chaque destinataire a déjà reçu son message : rien de plus n’est parti."), "info")
    return redirect(url_for("results.message_status", campaign_id=campaign_id))


@bp.route(ORGANISER + "/messages/envois")
@login_required
@_http_errors
def message_status(campaign_id: int) -> str:
    page = service.delivery_page(
        current_user,
        campaign_id,
        status=request.args.get("statut", ""),
        page=request.args.get("page", 1, type=int) or 1,
    )
    return render_template(
        "results/message_status.html",
        page=page,
        action_form=ActionForm(),
        outcome_labels=service.OUTCOME_LABELS,
        filters=service.DELIVERY_FILTERS,
        **_organiser_context(page.campaign, "messages"),
    )


@bp.route(ORGANISER + "/messages/<int:message_id>/renvoyer", methods=["POST"])
@login_required
@_http_errors
def resend_message(campaign_id: int, message_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        message = service.resend(current_user, campaign_id, message_id)
    except service.Refused as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("results.message_status", campaign_id=campaign_id))
    flash(_("Le message à %(to)s va être renvoyé.", to=message.to_address), "success")
    if message.kind == service.KIND_CONVOCATION:
        return _back_to_slots(campaign_id)
    return redirect(url_for("results.message_status", campaign_id=campaign_id))


# ---------------------------------------------------------------- public page and consent ---


@bp.route("/campagnes/<slug>/laureats")
@_http_errors
def public_laureates(slug: str) -> str:
    page = service.public_laureates(slug)
    return render_template("results/public_laureates.html", page=page)


@bp.route("/propositions/<int:proposal_id>/publication-du-nom", methods=["GET", "POST"])
@login_required
@_http_errors
def name_consent(proposal_id: int) -> Response | tuple[str, int]:
    page = service.consent_page(current_user, proposal_id)
    form = ConsentForm(consent="yes" if page.consent else "no")
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            service.set_name_consent(current_user, proposal_id, form.consent.data == "yes")
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
        outcome_labels=service.OUTCOME_LABELS,
    ), status
