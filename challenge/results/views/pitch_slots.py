"""The organisers' pitch day: slots, placing the pitch list, convocations."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from challenge.errors import Invalid, Refused
from challenge.results.forms import ActionForm, MoveForm, SlotForm, SlotGeneratorForm
from challenge.results.queries.phases import slot_refusal
from challenge.results.queries.slots import SlotsPage, slot_for_edit, slots_page
from challenge.results.service import convocations
from challenge.results.service import pitch_slots as slot_writes
from challenge.results.service.slot_input import GenerateInput, SlotInput
from challenge.results.views import bp
from challenge.results.views.common import ORGANISER, apply_errors, organiser_context
from challenge.timeutils import utc_to_paris


def _move_choices(page: SlotsPage, form: MoveForm) -> None:
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
    page: SlotsPage,
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
            **organiser_context(page.campaign, "pitch_slots"),
        ),
        status,
    )


def _back_to_slots(campaign_id: int) -> Response:
    return redirect(url_for("results.pitch_slots", campaign_id=campaign_id))


def _submit(campaign_id: int, form: FlaskForm, change: Callable[[], str]) -> Response | None:
    """Validate ``form`` and make the change (which returns its success message): back to the
    slots when done or refused; None when the page must show the form again, its errors set
    beside its fields."""
    if not form.validate_on_submit():
        return None
    try:
        success = change()
    except Invalid as invalid:
        for message in apply_errors(form, invalid.errors):
            flash(message, "error")
        return None
    except Refused as refusal:
        flash(refusal.message, "error")
        return _back_to_slots(campaign_id)
    flash(success, "success")
    return _back_to_slots(campaign_id)


@bp.route(ORGANISER + "/pitchs")
@login_required
def pitch_slots(campaign_id: int) -> tuple[str, int]:
    return _render_slots(slots_page(current_user, campaign_id))


def _generate_input(form: SlotGeneratorForm) -> GenerateInput:
    return GenerateInput(
        day=form.day.data,
        start=form.start.data,
        count=form.count.data,
        duration=form.duration.data,
        gap=form.gap.data,
        break_every=form.break_every.data,
        break_minutes=form.break_minutes.data,
        location=form.location.data or "",
        video_link=form.video_link.data or "",
    )


@bp.route(ORGANISER + "/pitchs/generer", methods=["POST"])
@login_required
def generate_slots(campaign_id: int) -> Response | tuple[str, int]:
    page = slots_page(current_user, campaign_id)
    form = SlotGeneratorForm()

    def generate() -> str:
        count = slot_writes.generate_slots(current_user, campaign_id, _generate_input(form))
        return ngettext("%(num)s créneau créé.", "%(num)s créneaux créés.", count)

    done = _submit(campaign_id, form, generate)
    if done is not None:
        return done
    flash(_("Aucun créneau n’a été créé : corrigez les champs signalés."), "error")
    return _render_slots(page, generator=form, status=400)


def _slot_input(form: SlotForm) -> SlotInput:
    return SlotInput(
        day=form.day.data,
        start=form.start.data,
        duration=form.duration.data,
        location=form.location.data or "",
        video_link=form.video_link.data or "",
    )


@bp.route(ORGANISER + "/pitchs/creneaux", methods=["POST"])
@login_required
def add_slot(campaign_id: int) -> Response | tuple[str, int]:
    page = slots_page(current_user, campaign_id)
    form = SlotForm()

    def add() -> str:
        slot_writes.add_slot(current_user, campaign_id, _slot_input(form))
        return _("Le créneau est ajouté.")

    done = _submit(campaign_id, form, add)
    if done is not None:
        return done
    flash(_("Le créneau n’est pas ajouté : corrigez les champs signalés."), "error")
    return _render_slots(page, slot_form=form, status=400)


@bp.route(ORGANISER + "/pitchs/creneaux/<int:slot_id>", methods=["GET", "POST"])
@login_required
def edit_slot(campaign_id: int, slot_id: int) -> Response | tuple[str, int]:
    campaign, slot = slot_for_edit(current_user, campaign_id, slot_id)
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

        def update() -> str:
            slot_writes.update_slot(current_user, campaign_id, slot_id, _slot_input(form))
            return _("Le créneau est modifié.")

        done = _submit(campaign_id, form, update)
        if done is not None:
            return done
        status = 400
    return (
        render_template(
            "results/slot_edit.html",
            form=form,
            slot=slot,
            refusal=slot_refusal(campaign),
            **organiser_context(campaign, "pitch_slots"),
        ),
        status,
    )


def _slot_action(campaign_id: int, action: Callable[[], object], success: str) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action()
    except Invalid as invalid:
        flash(" ".join([str(invalid.message), *invalid.errors.values()]), "error")
    except Refused as refusal:
        flash(refusal.message, "error")
    else:
        flash(success, "success")
    return _back_to_slots(campaign_id)


@bp.route(ORGANISER + "/pitchs/creneaux/<int:slot_id>/supprimer", methods=["POST"])
@login_required
def delete_slot(campaign_id: int, slot_id: int) -> Response:
    return _slot_action(
        campaign_id,
        lambda: slot_writes.delete_slot(current_user, campaign_id, slot_id),
        _("Le créneau est supprimé."),
    )


@bp.route(ORGANISER + "/pitchs/creneaux/<int:slot_id>/liberer", methods=["POST"])
@login_required
def free_slot(campaign_id: int, slot_id: int) -> Response:
    return _slot_action(
        campaign_id,
        lambda: slot_writes.free_slot(current_user, campaign_id, slot_id),
        _("Le créneau est libéré."),
    )


@bp.route(ORGANISER + "/pitchs/remplir", methods=["POST"])
@login_required
def fill_slots(campaign_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    reset = request.form.get("reset") == "1"
    try:
        filling = slot_writes.fill_slots(current_user, campaign_id, reset=reset)
    except Refused as refusal:
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
def move_proposal(campaign_id: int) -> Response | tuple[str, int]:
    page = slots_page(current_user, campaign_id)
    form = MoveForm()
    _move_choices(page, form)

    def move() -> str:
        slot_writes.move_proposal(
            current_user, campaign_id, form.proposal_id.data, form.slot_id.data
        )
        return _("La proposition a changé de créneau.")

    done = _submit(campaign_id, form, move)
    if done is not None:
        return done
    flash(_("Rien n’a changé : corrigez les champs signalés."), "error")
    return _render_slots(page, move_form=form, status=400)


@bp.route(ORGANISER + "/pitchs/convocations", methods=["POST"])
@login_required
def send_convocations(campaign_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        count = convocations.send_convocations(current_user, campaign_id)
    except Refused as refusal:
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
