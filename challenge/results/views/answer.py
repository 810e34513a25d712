"""The agent's answer to a convocation, through the personal link of the e-mail (no sign-in)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from challenge.errors import Invalid
from challenge.results.forms import AnswerForm
from challenge.results.queries.answer import InvalidLink, answer_page
from challenge.results.service.convocations import answer_convocation
from challenge.results.views import bp
from challenge.results.views.common import apply_errors

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


def _invalid_link(invalid: InvalidLink) -> tuple[str, int]:
    return render_template(
        "results/answer_invalid.html", text=INVALID_LINK_TEXTS[invalid.reason]()
    ), 400


def _answered(confirmed: bool) -> str:
    if confirmed:
        return _("Merci : votre présence est confirmée.")
    return _("Votre demande est transmise aux organisateurs, qui vous recontacteront.")


@bp.route("/pitch/reponse/<token>", methods=["GET", "POST"])
def pitch_answer(token: str) -> Response | tuple[str, int]:
    try:
        page = answer_page(token)
    except InvalidLink as invalid:
        return _invalid_link(invalid)
    form = AnswerForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            confirm = form.choice.data == "confirm"
            try:
                answer_convocation(token, confirm=confirm, note=form.note.data or "")
            except InvalidLink as invalid:
                return _invalid_link(invalid)
            except Invalid as invalid:
                apply_errors(form, invalid.errors)
            else:
                flash(_answered(confirm), "success")
                return redirect(url_for("results.pitch_answer", token=token))
        status = 400
    return render_template("results/answer.html", page=page, form=form), status
