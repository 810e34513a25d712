"""The campaign's audit log page: filters, pagination, each event's details in words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from challenge.audit.labels import ACTION_LABELS, action_label
from challenge.campaigns import forms
from challenge.campaigns.queries.audit_log import AuditFilters
from challenge.campaigns.queries.audit_log import audit_log as audit_page
from challenge.campaigns.views import bp
from challenge.campaigns.views.common import ORGANISER_PREFIX, organised_campaign, organiser_page
from challenge.site.templating import paris_datetime

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


def _filters(form: forms.AuditFilterForm) -> AuditFilters:
    return AuditFilters(
        action=(form.action.data or "")[:80],
        actor=(form.actor.data or "")[:254],
        start=form.start.data if not form.start.errors else None,
        end=form.end.data if not form.end.errors else None,
    )


def _filter_args(filters: AuditFilters) -> dict[str, str]:
    """The filters as the query string carries them (empty ones left out)."""
    args = {
        "action": filters.action,
        "actor": filters.actor,
        "start": filters.start.isoformat() if filters.start else "",
        "end": filters.end.isoformat() if filters.end else "",
    }
    return {key: value for key, value in args.items() if value}


@bp.route(ORGANISER_PREFIX + "/journal")
@login_required
def audit_log(campaign_id: int) -> str:
    campaign = organised_campaign(campaign_id)
    form = forms.AuditFilterForm(formdata=request.args)
    form.validate()
    filters = _filters(form)
    page = request.args.get("page", 1, type=int) or 1
    result = audit_page(campaign, filters, page)
    form.action.choices = [("", _("Toutes les actions"))] + [
        (a, action_label(a)) for a in result.actions
    ]
    form.actor.choices = [("", _("Toutes les personnes"))] + [
        (a, _("Système") if a in ("", "system") else a) for a in result.actors
    ]
    args = _filter_args(filters)
    return organiser_page(
        "campaigns/audit_log.html",
        campaign,
        "audit",
        filter_form=form,
        result=result,
        filter_args=args,
        action_labels=ACTION_LABELS,
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
    try:
        parsed = datetime.fromisoformat(value.removesuffix("Z"))
    except ValueError:
        return value
    return paris_datetime(parsed.replace(tzinfo=None))
