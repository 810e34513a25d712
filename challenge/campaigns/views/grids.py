"""The pages of the two scoring grids."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from challenge.campaigns import forms
from challenge.campaigns.queries.grids import grid_in_use, grid_kind
from challenge.campaigns.service.grids import CriterionInput, save_grid
from challenge.campaigns.views import bp
from challenge.campaigns.views.common import (
    ORGANISER_PREFIX,
    entry_id,
    form_version,
    organised_campaign,
    organiser_page,
    refusal_messages,
)
from challenge.campaigns.views.form_data import grid_data
from challenge.errors import Refused


def _inputs(form: forms.GridForm) -> list[CriterionInput]:
    return [
        CriterionInput(
            id=entry_id(entry.form.id.data),
            label=entry.form.label.data or "",
            description=entry.form.description.data or "",
            weight=entry.form.weight.number,
            levels=tuple((entry.form.levels.data or "").splitlines()),
            position=entry.form.position.data,
            remove=bool(entry.form.remove.data),
        )
        for entry in form.criteria
    ]


@bp.route(ORGANISER_PREFIX + "/grilles/<kind>", methods=["GET", "POST"])
@login_required
def grid(campaign_id: int, kind: str) -> str | Response:
    campaign = organised_campaign(campaign_id)
    kind = grid_kind(kind)
    if request.method == "POST":
        form = forms.GridForm()
    else:
        form = forms.GridForm(data=grid_data(campaign, kind))
    page_errors: list[str] = []
    if request.method == "POST" and request.form.get("action") == "add":
        form.criteria.append_entry({"weight": "1"})
    elif form.validate_on_submit():
        try:
            changes = save_grid(
                campaign,
                kind,
                form.scale_min.data,
                form.scale_max.data,
                _inputs(form),
                current_user,
                expected_version=form_version(form),
            )
        except Refused as refused:
            page_errors = refusal_messages(form, refused)
        else:
            flash(
                _("La grille est enregistrée.") if changes else _("Aucune modification."),
                "success" if changes else "info",
            )
            return redirect(url_for("campaigns.grid", campaign_id=campaign.id, kind=kind))
    return organiser_page(
        "campaigns/grid.html",
        campaign,
        f"grid_{kind}",
        form=form,
        kind=kind,
        page_errors=page_errors,
        locked=grid_in_use(campaign.id, kind),
    )
