"""Pages of the jury domain (thin: parse, call the service, render or redirect)."""

from __future__ import annotations

import re

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
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from challenge.access.campaigns import campaign_for_organiser
from challenge.errors import ConcurrentChange, Invalid, Refused
from challenge.jury import ranking as ranking_algo
from challenge.jury.forms import (
    ActionForm,
    AdministrationConflictForm,
    PairForm,
    ProposalConflictForm,
    ReviewForm,
    RunAssignmentForm,
    ShortlistForm,
)
from challenge.jury.queries.assignments_overview import assignment_overview
from challenge.jury.queries.conflicts_page import conflicts_page
from challenge.jury.queries.proposal_scores import proposal_scores as proposal_scores_page
from challenge.jury.queries.ranking_page import RankingFilters, organiser_ranking
from challenge.jury.queries.review_page import review_page
from challenge.jury.queries.workspace import WorkState, next_to_do
from challenge.jury.queries.workspace import workspace as campaigns_at_work
from challenge.jury.service import assignments as assignment_service
from challenge.jury.service import conflicts as conflict_service
from challenge.jury.service import reviews
from challenge.jury.service.shortlist import ShortlistChoice, decide_shortlist

bp = Blueprint("jury", __name__)

# Filters of the workspace, as they appear in the address bar.
STATE_PARAMS = {
    "a-faire": WorkState.TODO,
    "brouillon": WorkState.DRAFT,
    "terminees": WorkState.DONE,
}
SORT_PARAMS = {"brute": "raw", "normalisee": "normalised"}
LEVEL = re.compile(r"^-?\d{1,6}$")


def _optional_url(endpoint: str, **values: object) -> str | None:
    """A link to another domain's page, or None while that page does not exist."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _organiser_frame(campaign_id: int, active: str, page_label: str) -> dict[str, object]:
    """What ``jury/_organiser_page.html`` needs around an organiser page."""
    return {
        "active": active,
        "page_label": page_label,
        "organiser_index_url": _optional_url("campaigns.organiser_index"),
        "dashboard_url": _optional_url("campaigns.dashboard", campaign_id=campaign_id),
    }


# ---------------------------------------------------------------- juror pages ----------------


@bp.route("/jury")
@login_required
def workspace() -> str:
    state = STATE_PARAMS.get(request.args.get("etat", ""))
    works = campaigns_at_work(current_user, state)
    return render_template(
        "jury/workspace.html",
        works=works,
        state=state,
        state_params={v: k for k, v in STATE_PARAMS.items()},
    )


@bp.route(
    "/jury/campagnes/<int:campaign_id>/propositions/<int:proposal_id>", methods=["GET", "POST"]
)
@login_required
def review(campaign_id: int, proposal_id: int) -> str | Response:
    page = review_page(current_user, campaign_id, proposal_id)
    form = ReviewForm(obj=page.review)
    errors: dict[int | str, str] = {}
    chosen: dict[int, str] = {k: _level_text(v) for k, v in page.own_scores.items()}
    if request.method == "POST":
        chosen = {c.id: request.form.get(f"criterion-{c.id}", "").strip() for c in page.criteria}
        action = request.form.get("action", "draft")
        if form.validate_on_submit():
            data = reviews.ReviewInput(
                scores={c.id: _parse_level(chosen[c.id]) for c in page.criteria},
                comment_for_jury=form.comment_for_jury.data or "",
                message_for_agent=form.message_for_agent.data or "",
            )
            submit = action in ("submit", "submit_next")
            try:
                reviews.save_review(current_user, campaign_id, proposal_id, data, submit=submit)
            except Invalid as invalid:
                errors = invalid.errors  # type: ignore[assignment]  # by criterion id
                flash(str(invalid.message), "error")
            except (Refused, ConcurrentChange) as refused:
                flash(str(refused.message), "error")
                return redirect(
                    url_for("jury.review", campaign_id=campaign_id, proposal_id=proposal_id)
                )
            else:
                return _after_save(campaign_id, proposal_id, action)
        else:
            flash(_("L’évaluation n’est pas enregistrée : corrigez les champs signalés."), "error")
    return render_template(
        "jury/review.html",
        page=page,
        form=form,
        chosen=chosen,
        errors=errors,
        conflict_form=ProposalConflictForm(),
        attachment_urls={a.id: _attachment_url(proposal_id, a.id) for a in page.attachments},
        next_id=next_to_do(current_user, campaign_id, proposal_id),
    )


def _after_save(campaign_id: int, proposal_id: int, action: str) -> Response:
    if action == "draft":
        flash(_("Brouillon enregistré. Vous pourrez le reprendre plus tard."), "success")
        return redirect(url_for("jury.review", campaign_id=campaign_id, proposal_id=proposal_id))
    flash(
        _("Évaluation envoyée. Vous pouvez la modifier jusqu’à la fin de l’évaluation."), "success"
    )
    if action == "submit_next":
        next_id = next_to_do(current_user, campaign_id, proposal_id)
        if next_id is not None:
            return redirect(url_for("jury.review", campaign_id=campaign_id, proposal_id=next_id))
        flash(_("Vous avez évalué toutes les propositions qui vous sont confiées. Merci !"), "info")
        return redirect(url_for("jury.workspace"))
    return redirect(url_for("jury.review", campaign_id=campaign_id, proposal_id=proposal_id))


def _level_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _parse_level(text: str) -> int | str | None:
    if not text:
        return None
    return int(text) if LEVEL.match(text) else text


def _attachment_url(proposal_id: int, attachment_id: int) -> str | None:
    """The proposals domain's download link for an attachment, once that page exists."""
    for endpoint in ("proposals.attachment", "proposals.download_attachment"):
        for values in (
            {"attachment_id": attachment_id},
            {"proposal_id": proposal_id, "attachment_id": attachment_id},
        ):
            url = _optional_url(endpoint, **values)
            if url:
                return url
    return None


@bp.route(
    "/jury/campagnes/<int:campaign_id>/propositions/<int:proposal_id>/conflit", methods=["POST"]
)
@login_required
def declare_proposal_conflict(campaign_id: int, proposal_id: int) -> Response:
    form = ProposalConflictForm()
    back = url_for("jury.review", campaign_id=campaign_id, proposal_id=proposal_id)
    if not form.validate_on_submit():
        flash(_("Le conflit n’est pas enregistré : la raison est trop longue."), "error")
        return redirect(back)
    try:
        conflict_service.declare_proposal_conflict(
            current_user, campaign_id, proposal_id, form.reason.data or ""
        )
    except (Refused, ConcurrentChange) as refused:
        flash(str(refused.message), "error")
        return redirect(back)
    flash(
        _(
            "Conflit d’intérêts déclaré : cette proposition ne vous est plus présentée et les "
            "organisateurs en confieront l’évaluation à un autre juré."
        ),
        "success",
    )
    return redirect(url_for("jury.workspace"))


@bp.route("/jury/campagnes/<int:campaign_id>/conflits", methods=["GET", "POST"])
@login_required
def conflicts(campaign_id: int) -> str | Response:
    page = conflicts_page(current_user, campaign_id)
    form = AdministrationConflictForm()
    if form.validate_on_submit():
        try:
            conflict_service.declare_administration_conflict(
                current_user, campaign_id, form.administration.data, form.reason.data or ""
            )
        except Invalid as invalid:
            for name, message in invalid.errors.items():
                getattr(form, str(name), form.reason).errors.append(message)
        except ConcurrentChange as conflict:
            flash(str(conflict.message), "error")
        else:
            flash(_("Conflit d’intérêts enregistré."), "success")
            return redirect(url_for("jury.conflicts", campaign_id=campaign_id))
    return render_template("jury/conflicts.html", page=page, form=form, action_form=ActionForm())


@bp.route("/jury/campagnes/<int:campaign_id>/conflits/<int:conflict_id>/retirer", methods=["POST"])
@login_required
def withdraw_conflict(campaign_id: int, conflict_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    conflict_service.withdraw_conflict(current_user, campaign_id, conflict_id)
    flash(_("Conflit d’intérêts retiré."), "success")
    return redirect(url_for("jury.conflicts", campaign_id=campaign_id))


# ---------------------------------------------------------------- organiser pages ------------


@bp.route("/organisation/campagnes/<int:campaign_id>/affectations")
@login_required
def assignments(campaign_id: int) -> str:
    overview = assignment_overview(
        current_user,
        campaign_id,
        page=request.args.get("page", 1, type=int),
        only_short=request.args.get("manquantes") == "1",
    )
    return render_template(
        "jury/assignments.html",
        overview=overview,
        campaign=overview.campaign,
        run_form=RunAssignmentForm(),
        pair_form=PairForm(),
        action_form=ActionForm(),
        **_organiser_frame(campaign_id, "assignments", _("Affectation des évaluations")),
    )


def _back_to_assignments(campaign_id: int) -> Response:
    page = request.form.get("page", "1")
    page = int(page) if page.isdigit() else 1
    return redirect(url_for("jury.assignments", campaign_id=campaign_id, page=page))


@bp.route("/organisation/campagnes/<int:campaign_id>/affectations/lancer", methods=["POST"])
@login_required
def run_assignment(campaign_id: int) -> Response:
    form = RunAssignmentForm()
    campaign_for_organiser(current_user, campaign_id)
    if not form.validate_on_submit():
        abort(400)
    try:
        run = assignment_service.run_assignment(
            current_user, campaign_id, rebalance=form.rebalance.data
        )
    except (Refused, ConcurrentChange) as refused:
        flash(str(refused.message), "error")
        return _back_to_assignments(campaign_id)
    if run.added == 0 and run.dropped == 0:
        flash(_("Rien à changer : l’affectation en place respecte déjà toutes les règles."), "info")
    else:
        flash(
            _(
                "Affectation faite : %(added)s ajout(s), %(dropped)s retrait(s), "
                "%(jurors)s juré(s) prévenu(s) par un e-mail récapitulatif.",
                added=run.added,
                dropped=run.dropped,
                jurors=run.notified_jurors,
            ),
            "success",
        )
    if run.shortfalls:
        flash(
            ngettext(
                "%(num)s proposition n’a pas assez d’évaluateurs sans conflit d’intérêts.",
                "%(num)s propositions n’ont pas assez d’évaluateurs sans conflit d’intérêts.",
                run.shortfalls,
            ),
            "warning",
        )
    return _back_to_assignments(campaign_id)


def _pair_action(campaign_id: int, action, success: str) -> Response:  # type: ignore[no-untyped-def]
    form = PairForm()
    campaign_for_organiser(current_user, campaign_id)
    if not form.validate_on_submit():
        flash(_("Choisissez une proposition et un juré."), "error")
        return _back_to_assignments(campaign_id)
    try:
        action(current_user, campaign_id, form.proposal_id.data, form.juror_id.data)
    except (Refused, ConcurrentChange) as refused:
        flash(str(refused.message), "error")
    else:
        flash(success, "success")
    return _back_to_assignments(campaign_id)


@bp.route("/organisation/campagnes/<int:campaign_id>/affectations/epingler", methods=["POST"])
@login_required
def pin_assignment(campaign_id: int) -> Response:
    return _pair_action(
        campaign_id,
        assignment_service.pin_assignment,
        _(
            "Juré ajouté à la proposition. Cette affectation manuelle sera gardée par les "
            "prochaines affectations automatiques."
        ),
    )


@bp.route("/organisation/campagnes/<int:campaign_id>/affectations/retirer", methods=["POST"])
@login_required
def remove_assignment(campaign_id: int) -> Response:
    return _pair_action(
        campaign_id,
        assignment_service.remove_assignment,
        _("Juré retiré de la proposition. L’affectation automatique ne l’y remettra pas."),
    )


@bp.route("/organisation/campagnes/<int:campaign_id>/affectations/retablir", methods=["POST"])
@login_required
def restore_assignment(campaign_id: int) -> Response:
    return _pair_action(
        campaign_id,
        assignment_service.restore_assignment,
        _(
            "Retrait annulé : la prochaine affectation automatique pourra de nouveau choisir ce juré."
        ),
    )


@bp.route("/organisation/campagnes/<int:campaign_id>/affectations/notifier", methods=["POST"])
@login_required
def notify_assignments(campaign_id: int) -> Response:
    campaign_for_organiser(current_user, campaign_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    count = assignment_service.notify_assignments(current_user, campaign_id)
    if count:
        flash(
            _("%(num)s juré(s) prévenu(s) de leurs nouvelles propositions.", num=count), "success"
        )
    else:
        flash(_("Aucun juré à prévenir : chacun connaît déjà ses propositions."), "info")
    return _back_to_assignments(campaign_id)


def _ranking_args() -> tuple[str, RankingFilters, int]:
    by = SORT_PARAMS.get(request.args.get("tri", ""), "raw")
    filters = RankingFilters(
        status=request.args.get("statut") or None,
        administration=request.args.get("administration") or None,
        disagreement=request.args.get("desaccord") == "1",
    )
    return by, filters, request.args.get("page", 1, type=int)


def _explanation() -> str:
    if str(get_locale() or "fr").startswith("en"):
        return ranking_algo.NORMALISATION_EXPLANATION_EN
    return ranking_algo.NORMALISATION_EXPLANATION_FR


def _ranking_context() -> dict[str, object]:
    return {
        "explanation": _explanation(),
        "min_reviews": ranking_algo.MIN_REVIEWS_FOR_NORMALISATION,
        "disagreement_percent": round(ranking_algo.DISAGREEMENT_FRACTION * 100),
        "sort_params": {v: k for k, v in SORT_PARAMS.items()},
    }


@bp.route("/organisation/campagnes/<int:campaign_id>/classement")
@login_required
def ranking(campaign_id: int) -> str:
    by, filters, page = _ranking_args()
    result = organiser_ranking(current_user, campaign_id, by=by, filters=filters, page=page)
    return render_template(
        "jury/ranking.html",
        result=result,
        campaign=result.campaign,
        by=by,
        filters=filters,
        **_ranking_context(),
        **_organiser_frame(campaign_id, "ranking", _("Classement")),
    )


@bp.route("/organisation/campagnes/<int:campaign_id>/classement/<int:proposal_id>")
@login_required
def proposal_scores(campaign_id: int, proposal_id: int) -> str:
    by = SORT_PARAMS.get(request.args.get("tri", ""), "raw")
    page = proposal_scores_page(current_user, campaign_id, proposal_id, by=by)
    return render_template(
        "jury/proposal_scores.html",
        page=page,
        campaign=page.campaign,
        **_ranking_context(),
        **_organiser_frame(campaign_id, "ranking", _("Notes des jurés")),
    )


@bp.route("/organisation/campagnes/<int:campaign_id>/preselection", methods=["GET", "POST"])
@login_required
def shortlist(campaign_id: int) -> str | Response:
    by, filters, page = _ranking_args()
    form = ShortlistForm()
    if request.method == "POST":
        campaign_for_organiser(current_user, campaign_id)
        response = _decide(campaign_id, form)
        if response is not None:
            return response
    result = organiser_ranking(current_user, campaign_id, by=by, filters=filters, page=page)
    return render_template(
        "jury/shortlist.html",
        result=result,
        campaign=result.campaign,
        form=form,
        by=by,
        filters=filters,
        selected_ids={int(i) for i in request.form.getlist("proposal_ids") if i.isdigit()},
        **_ranking_context(),
        **_organiser_frame(campaign_id, "shortlist", _("Présélection")),
    )


def _decide(campaign_id: int, form: ShortlistForm) -> Response | None:
    """Apply a bulk decision; None to show the page again with the error."""
    if not form.validate_on_submit():
        flash(_("Rien n’est enregistré : corrigez les champs signalés."), "error")
        return None
    raw_ids = request.form.getlist("proposal_ids")
    if any(not i.isdigit() for i in raw_ids):
        abort(400)
    action = request.form.get("action")
    if action not in ("select", "unselect"):
        abort(400)
    common = (form.note.data or "").strip()
    choices = [
        ShortlistChoice(int(i), request.form.get(f"note-{i}", "").strip() or common)
        for i in raw_ids
    ]
    try:
        count = decide_shortlist(current_user, campaign_id, choices, selected=action == "select")
    except (Refused, ConcurrentChange) as refused:
        flash(str(refused.message), "error")
        return None
    if action == "select":
        flash(_("%(num)s proposition(s) retenue(s) pour les pitchs.", num=count), "success")
    else:
        flash(_("%(num)s proposition(s) écartée(s) de la présélection.", num=count), "success")
    return redirect(request.full_path if request.query_string else request.path)
