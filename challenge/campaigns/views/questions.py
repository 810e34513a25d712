"""The page of the proposal form's extra questions."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from challenge.campaigns import forms
from challenge.campaigns.service.questions import (
    EDITABLE_QUESTION_STATUSES,
    QuestionInput,
    save_questions,
)
from challenge.campaigns.views import bp
from challenge.campaigns.views.common import (
    ORGANISER_PREFIX,
    entry_id,
    form_version,
    organised_campaign,
    organiser_page,
    refusal_messages,
)
from challenge.campaigns.views.form_data import questions_data
from challenge.errors import Refused


def _inputs(form: forms.QuestionsForm) -> list[QuestionInput]:
    return [
        QuestionInput(
            id=entry_id(entry.form.id.data),
            label=entry.form.label.data or "",
            kind=entry.form.kind.data or "",
            help_text=entry.form.help_text.data or "",
            required=bool(entry.form.required.data),
            max_length=entry.form.max_length.data,
            choices=tuple((entry.form.choices.data or "").splitlines()),
            position=entry.form.position.data,
            remove=bool(entry.form.remove.data),
        )
        for entry in form.questions
    ]


@bp.route(ORGANISER_PREFIX + "/questions", methods=["GET", "POST"])
@login_required
def questions(campaign_id: int) -> str | Response:
    campaign = organised_campaign(campaign_id)
    if request.method == "POST":
        form = forms.QuestionsForm()
    else:
        form = forms.QuestionsForm(data=questions_data(campaign))
    page_errors: list[str] = []
    if request.method == "POST" and request.form.get("action") == "add":
        form.questions.append_entry({"kind": "short_text"})
    elif form.validate_on_submit():
        try:
            changes = save_questions(
                campaign, _inputs(form), current_user, expected_version=form_version(form)
            )
        except Refused as refused:
            page_errors = refusal_messages(form, refused)
        else:
            flash(
                _("Les questions sont enregistrées.")
                if changes
                else _("Aucune modification à enregistrer."),
                "success" if changes else "info",
            )
            return redirect(url_for("campaigns.questions", campaign_id=campaign.id))
    return organiser_page(
        "campaigns/questions.html",
        campaign,
        "questions",
        form=form,
        page_errors=page_errors,
        editable=campaign.status in EDITABLE_QUESTION_STATUSES,
    )
