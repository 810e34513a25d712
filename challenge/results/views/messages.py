"""The organisers' result messages: templates, preview, bulk send, delivery and resend."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from challenge.access.outcomes import OUTCOME_LABELS
from challenge.errors import Invalid, NotFound, Refused
from challenge.results.forms import ActionForm, TemplateForm
from challenge.results.models import Outcome
from challenge.results.queries.delivery import DELIVERY_FILTERS, delivery_page
from challenge.results.queries.messages import MessagesPage
from challenge.results.queries.outbox import KIND_CONVOCATION
from challenge.results.queries.recipients import OUTCOME_ORDER
from challenge.results.service import messages as result_messages
from challenge.results.views import bp
from challenge.results.views.common import ORGANISER, apply_errors, organiser_context


def _template_forms(page: MessagesPage) -> dict[str, TemplateForm]:
    forms = {}
    for outcome in OUTCOME_ORDER:
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
    page: MessagesPage,
    forms: dict[str, TemplateForm],
    active_outcome: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    recipient_key = request.args.get("destinataire", "")
    preview = None
    chosen = None
    if recipient_key:
        try:
            chosen, preview = result_messages.preview(current_user, page.campaign.id, recipient_key)
        except NotFound:
            flash(_("Ce destinataire n’existe pas : choisissez-en un dans la liste."), "error")
    return (
        render_template(
            "results/messages.html",
            page=page,
            forms=forms,
            active_outcome=active_outcome or (chosen.outcome if chosen else Outcome.LAUREATE.value),
            preview=preview,
            chosen=chosen,
            action_form=ActionForm(),
            outcome_labels=OUTCOME_LABELS,
            **organiser_context(page.campaign, "messages"),
        ),
        status,
    )


@bp.route(ORGANISER + "/messages")
@login_required
def messages(campaign_id: int) -> tuple[str, int]:
    page = result_messages.messages_page(current_user, campaign_id)
    return _render_messages(page, _template_forms(page))


def _template_input(form: TemplateForm) -> result_messages.TemplateInput:
    return result_messages.TemplateInput(
        form.subject.data or "", form.body.data or "", form.next_steps.data or ""
    )


@bp.route(ORGANISER + "/messages/modeles/<outcome>", methods=["POST"])
@login_required
def save_template(campaign_id: int, outcome: str) -> Response | tuple[str, int]:
    if outcome not in OUTCOME_ORDER:
        raise NotFound
    page = result_messages.messages_page(current_user, campaign_id)
    forms = _template_forms(page)
    form = TemplateForm(prefix=outcome)
    forms[outcome] = form
    if form.validate_on_submit():
        try:
            result_messages.save_template(current_user, campaign_id, outcome, _template_input(form))
        except Invalid as invalid:
            for message in apply_errors(form, invalid.errors):
                flash(message, "error")
        except Refused as refusal:
            flash(refusal.message, "error")
            return redirect(url_for("results.messages", campaign_id=campaign_id))
        else:
            flash(
                _("Le modèle « %(label)s » est enregistré.", label=OUTCOME_LABELS[outcome]),
                "success",
            )
            return redirect(
                url_for("results.messages", campaign_id=campaign_id, _anchor=f"modele-{outcome}")
            )
    flash(_("Le modèle n’est pas enregistré : corrigez les champs signalés."), "error")
    return _render_messages(page, forms, active_outcome=outcome, status=400)


@bp.route(ORGANISER + "/messages/envoyer", methods=["POST"])
@login_required
def send_results(campaign_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        report = result_messages.send_results(current_user, campaign_id)
    except Refused as refusal:
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
def message_status(campaign_id: int) -> str:
    page = delivery_page(
        current_user,
        campaign_id,
        status=request.args.get("statut", ""),
        page=request.args.get("page", 1, type=int) or 1,
    )
    return render_template(
        "results/message_status.html",
        page=page,
        action_form=ActionForm(),
        outcome_labels=OUTCOME_LABELS,
        filters=DELIVERY_FILTERS,
        **organiser_context(page.campaign, "messages"),
    )


@bp.route(ORGANISER + "/messages/<int:message_id>/renvoyer", methods=["POST"])
@login_required
def resend_message(campaign_id: int, message_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        message = result_messages.resend(current_user, campaign_id, message_id)
    except Refused as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("results.message_status", campaign_id=campaign_id))
    flash(_("Le message à %(to)s va être renvoyé.", to=message.to_address), "success")
    if message.kind == KIND_CONVOCATION:
        return redirect(url_for("results.pitch_slots", campaign_id=campaign_id))
    return redirect(url_for("results.message_status", campaign_id=campaign_id))
