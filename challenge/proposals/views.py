"""Pages of the proposals domain (thin: parse, call the service, render or redirect)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, user_logged_in
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from challenge.access.domains import normalise_email
from challenge.access.proposals import (
    accepts_submissions,
    campaign_domains,
    may_edit,
    may_remove_author,
)
from challenge.campaigns.models import Campaign
from challenge.errors import Forbidden, Invalid
from challenge.proposals import storage
from challenge.proposals.fields import TEXT_FIELDS, YES, field_labels, field_value
from challenge.proposals.forms import (
    AttachmentForm,
    CoauthorForm,
    ConfirmForm,
    ProposalForm,
    SupportForm,
    proposal_form,
)
from challenge.proposals.labels import badge_label, status_label
from challenge.proposals.models import IN_COMPETITION, Proposal
from challenge.proposals.queries.authorship import Authored, authored
from challenge.proposals.queries.campaigns import campaign_for_new_proposal, public_campaign
from challenge.proposals.queries.downloads import attachment_for_download
from challenge.proposals.queries.history import history, latest_late_copy
from challenge.proposals.queries.irritants import irritant as irritant_for
from challenge.proposals.queries.irritants import irritants as irritants_page
from challenge.proposals.queries.my_proposals import my_proposals as my_proposals_of
from challenge.proposals.queries.my_proposals import progress_of
from challenge.proposals.refusals import CampaignClosed, DomainNotAllowed, SaveConflict
from challenge.proposals.service import attachments, coauthors, drafting, supports

bp = Blueprint("proposals", __name__)

Page = str | Response | tuple[str, int] | tuple[Response, int]


def _bind_co_authors(sender: Flask, user: object, **extra: object) -> None:
    """Invitations sent to an address become co-authorships when that person signs in."""
    coauthors.bind_authors(user)  # type: ignore[arg-type]


@bp.record_once
def _connect_sign_in_signal(state) -> None:  # type: ignore[no-untyped-def]
    user_logged_in.connect(_bind_co_authors, state.app)


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {"campaign_page_url": _campaign_page_url}


@bp.record_once
def _register_labels(state) -> None:  # type: ignore[no-untyped-def]
    """The proposals' status words, for every domain's templates."""
    state.app.jinja_env.globals["proposal_status_label"] = status_label
    state.app.jinja_env.globals["proposal_badge_label"] = badge_label


def _campaign_page_url(campaign: Campaign) -> str | None:
    """The campaign's public page, once the campaigns domain provides it."""
    if "campaigns.public_page" not in current_app.view_functions:
        return None
    return url_for("campaigns.public_page", slug=campaign.slug)


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """The French 413 page, with the way back to the proposal (its saved text is untouched:
    files are sent by a form of their own, never with the text)."""
    proposal_id = (request.view_args or {}).get("proposal_id")
    back = url_for("proposals.edit_proposal", proposal_id=proposal_id) if proposal_id else None
    return render_template(
        "proposals/upload_too_large.html",
        back=back,
        max_size=_human_size(current_app.config["MAX_CONTENT_LENGTH"]),
    ), 413


def _human_size(size: int) -> str:
    """A size for people: "10 Mo", or "48 ko" below a megabyte."""
    if size >= 1024 * 1024:
        return _("%(n)s Mo", n=f"{size / (1024 * 1024):.0f}")
    return _("%(n)s ko", n=f"{size / 1024:.0f}")


@bp.errorhandler(DomainNotAllowed)
def _not_allowed(error: DomainNotAllowed) -> tuple[str, int]:
    return render_template(
        "proposals/not_allowed.html",
        campaign=error.campaign,
        email=error.email,
        domains=campaign_domains(error.campaign),
    ), 403


@bp.errorhandler(CampaignClosed)
def _closed(error: CampaignClosed) -> tuple[str, int]:
    return render_template("proposals/closed.html", campaign=error.campaign), 409


# ---------------------------------------------------------------- writing --------------------


def _removable_authors(proposal: Proposal | None) -> set[int]:
    """The co-authors the person may remove (or leave, for themselves), as the access rule says."""
    if proposal is None:
        return set()
    return {a.id for a in proposal.authors if may_remove_author(current_user, proposal, a)}


def _form_page(
    form: ProposalForm,
    campaign: Campaign,
    found: Authored | None = None,
    conflict: SaveConflict | None = None,
    status: int = 200,
    coauthor_form: CoauthorForm | None = None,
    attachment_form: AttachmentForm | None = None,
    unsaved: bool = False,
) -> tuple[str, int]:
    """The form page; ``unsaved`` when it shows back text that was not saved."""
    proposal = found.proposal if found else None
    open_now = accepts_submissions(campaign)
    return render_template(
        "proposals/form.html",
        form=form,
        campaign=campaign,
        proposal=proposal,
        is_submitter=found.is_submitter if found else True,
        accepts_submissions=open_now,
        sent=proposal is not None and proposal.status in IN_COMPETITION,
        conflict=conflict,
        unsaved=unsaved or conflict is not None,
        coauthor_form=coauthor_form or CoauthorForm(formdata=None),
        attachment_form=attachment_form or AttachmentForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        accept=storage.ACCEPT_ATTRIBUTE,
        max_bytes=current_app.config["MAX_CONTENT_LENGTH"],
        max_size=_human_size(current_app.config["MAX_CONTENT_LENGTH"]),
        authors=proposal.authors if proposal is not None else [],
        removable=_removable_authors(proposal),
    ), status


def _filled_form(found: Authored) -> ProposalForm:
    """The form as the proposal is saved, on the version it was read at."""
    proposal, campaign = found.proposal, found.campaign
    form = proposal_form(campaign.questions, formdata=None, obj=proposal)
    for question in campaign.questions:
        getattr(form, f"question_{question.id}").data = (proposal.answers or {}).get(
            str(question.id), ""
        )
    form.version.data = str(proposal.version)
    return form


@bp.route("/campagnes/<slug>/proposer", methods=["GET", "POST"])
@login_required
def new_proposal(slug: str) -> Page:
    if request.method == "GET":
        campaign = campaign_for_new_proposal(slug, current_user)
    else:
        # A form opened before the deadline and sent after it is still kept, as a draft.
        campaign = public_campaign(slug)
    if request.method == "GET":
        form = proposal_form(
            campaign.questions,
            formdata=None,
            administration=current_user.administration,
            service=current_user.service,
            region=current_user.region,
        )
        return _form_page(form, campaign)
    form = proposal_form(campaign.questions)
    if not form.validate():
        return _form_page(form, campaign, status=400, unsaved=True)
    try:
        result = drafting.create_draft(
            campaign,
            current_user,
            form.to_input(campaign.questions),
            submit=request.form.get("action") == "submit",
        )
    except Invalid as invalid:
        form.add_errors(invalid.errors)
        return _form_page(form, campaign, status=400, unsaved=True)
    return _after_save(result, form, campaign)


@bp.route("/propositions/<int:proposal_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_proposal(proposal_id: int) -> Page:
    found = authored(proposal_id, current_user)
    proposal, campaign = found.proposal, found.campaign
    if request.method == "GET":
        if not may_edit(current_user, proposal):
            flash(
                _("La date limite est passée : cette proposition ne peut plus être modifiée."),
                "info",
            )
            return redirect(url_for("proposals.show_proposal", proposal_id=proposal.id))
        return _form_page(_filled_form(found), campaign, found)

    form = proposal_form(campaign.questions)
    if not form.validate():
        if _wants_json():
            return jsonify(ok=False, errors=form.errors), 400
        return _form_page(form, campaign, found, status=400, unsaved=True)
    try:
        result = drafting.save(
            proposal.id,
            current_user,
            form.to_input(campaign.questions),
            form.base_version(),
            submit=request.form.get("action") == "submit",
        )
    except Invalid as invalid:
        if _wants_json():
            return jsonify(ok=False, errors=invalid.errors), 400
        form.add_errors(invalid.errors)
        return _form_page(form, campaign, found, status=400, unsaved=True)
    except SaveConflict as conflict:
        if _wants_json():
            return jsonify(ok=False, conflict=True, version=conflict.current_version), 409
        # The person's text stays in the form; saving again (after reading the changes) wins.
        form.version.data = str(conflict.current_version)
        found = authored(proposal_id, current_user)
        return _form_page(form, campaign, found, conflict=conflict, status=409)
    if _wants_json():
        return jsonify(ok=True, version=result.proposal.version, late=result.late)
    return _after_save(result, form, campaign)


def _after_save(result: drafting.SaveResult, form: ProposalForm, campaign: Campaign) -> Page:
    proposal = result.proposal
    if result.late:
        return _after_late_save(proposal)
    if result.errors:
        return _sending_refused(result, form, campaign)
    if result.submitted:
        flash(
            _(
                "Votre proposition est envoyée. Vous allez recevoir un accusé de réception par "
                "courriel. Vous pouvez encore la modifier jusqu’à la date limite."
            ),
            "success",
        )
        return redirect(url_for("proposals.show_proposal", proposal_id=proposal.id))
    if proposal.status in IN_COMPETITION:
        message = (
            _("Vos modifications sont enregistrées. Le jury lira cette nouvelle version.")
            if result.changed
            else _("Aucune modification à enregistrer.")
        )
        flash(message, "success" if result.changed else "info")
        return redirect(url_for("proposals.show_proposal", proposal_id=proposal.id))
    flash(
        _(
            "Brouillon enregistré. Personne d’autre que vous et vos co-auteurs ne peut le lire. "
            "Pensez à l’envoyer avant la date limite."
        )
        if campaign.deadline_at
        else _("Brouillon enregistré."),
        "success",
    )
    return redirect(url_for("proposals.edit_proposal", proposal_id=proposal.id))


def _after_late_save(proposal: Proposal) -> Response:
    """After the deadline: a draft is kept as a draft; a sent text is kept as an unsent copy."""
    if proposal.status == "draft" or proposal.status == "withdrawn":
        flash(
            _(
                "La date limite de dépôt est passée : votre proposition ne peut plus être "
                "envoyée. Votre texte est conservé comme brouillon."
            ),
            "warning",
        )
        return redirect(url_for("proposals.edit_proposal", proposal_id=proposal.id))
    flash(
        _(
            "La date limite de dépôt est passée : le jury lira votre proposition telle "
            "qu’elle était à la date limite. Le texte que vous venez d’écrire n’est pas "
            "perdu : il est conservé ci-dessous et dans l’historique."
        ),
        "warning",
    )
    return redirect(url_for("proposals.show_proposal", proposal_id=proposal.id))


def _sending_refused(result: drafting.SaveResult, form: ProposalForm, campaign: Campaign) -> Page:
    """Saved but not sent: the form again, with what is missing beside each field."""
    form.add_errors(result.errors)
    form.version.data = str(result.proposal.version)
    flash(
        _(
            "Votre brouillon est enregistré, mais il n’est pas encore envoyé : complétez les "
            "champs signalés, puis envoyez-le."
        ),
        "warning",
    )
    found = authored(result.proposal.id, current_user)
    return _form_page(form, campaign, found, status=400)


@bp.route("/propositions/<int:proposal_id>/envoyer", methods=["POST"])
@login_required
def submit_proposal(proposal_id: int) -> Page:
    form = ConfirmForm()
    if not form.validate():
        return redirect(url_for("proposals.show_proposal", proposal_id=proposal_id))
    result = drafting.submit(proposal_id, current_user)
    if result.errors:
        flash(_("Avant d’envoyer votre proposition, complétez les champs signalés."), "warning")
        return redirect(url_for("proposals.edit_proposal", proposal_id=proposal_id, verifier=1))
    if result.submitted:
        flash(
            _(
                "Votre proposition est envoyée. Vous allez recevoir un accusé de réception par courriel."
            ),
            "success",
        )
    return redirect(url_for("proposals.show_proposal", proposal_id=proposal_id))


@bp.route("/propositions/<int:proposal_id>/retirer", methods=["GET", "POST"])
@login_required
def withdraw_proposal(proposal_id: int) -> Page:
    found = authored(proposal_id, current_user)
    if not found.is_submitter:
        raise Forbidden
    form = ConfirmForm()
    if request.method == "POST" and form.validate():
        try:
            drafting.withdraw(proposal_id, current_user)
        except Invalid:
            flash(_("Cette proposition n’est pas envoyée : il n’y a rien à retirer."), "info")
            return redirect(url_for("proposals.show_proposal", proposal_id=proposal_id))
        flash(
            _(
                "Votre proposition est retirée : le jury ne la lira pas. Vous pouvez l’envoyer "
                "de nouveau jusqu’à la date limite."
            ),
            "success",
        )
        return redirect(url_for("proposals.show_proposal", proposal_id=proposal_id))
    return render_template(
        "proposals/withdraw.html",
        proposal=found.proposal,
        campaign=found.campaign,
        form=form,
        accepts_submissions=accepts_submissions(found.campaign),
    )


# ---------------------------------------------------------------- reading --------------------


@bp.route("/propositions/<int:proposal_id>")
@login_required
def show_proposal(proposal_id: int) -> str:
    found = authored(proposal_id, current_user)
    proposal, campaign = found.proposal, found.campaign
    open_now = accepts_submissions(campaign)
    return render_template(
        "proposals/show.html",
        proposal=proposal,
        campaign=campaign,
        is_submitter=found.is_submitter,
        me=found.author,
        progress=progress_of(proposal),
        accepts_submissions=open_now,
        editable=may_edit(current_user, proposal),
        sent=proposal.status in IN_COMPETITION,
        labels=field_labels(campaign.questions),
        text_fields=TEXT_FIELDS,
        late_copy=latest_late_copy(proposal) if not open_now else None,
        confirm_form=ConfirmForm(formdata=None),
        yes=YES,
    )


@bp.route("/propositions/<int:proposal_id>/historique")
@login_required
def proposal_history(proposal_id: int) -> str:
    found, entries = history(proposal_id, current_user)
    return render_template(
        "proposals/history.html",
        proposal=found.proposal,
        campaign=found.campaign,
        entries=entries,
        labels=field_labels(found.campaign.questions),
        field_value=field_value,
        yes=YES,
    )


@bp.route("/mes-propositions")
@login_required
def my_proposals() -> str:
    return render_template("proposals/my_proposals.html", items=my_proposals_of(current_user))


# ---------------------------------------------------------------- co-authors ----------------


@bp.route("/propositions/<int:proposal_id>/coauteurs", methods=["POST"])
@login_required
def invite_coauthor(proposal_id: int) -> Page:
    found = authored(proposal_id, current_user)
    form = CoauthorForm()
    if form.validate():
        try:
            coauthors.invite_coauthor(proposal_id, current_user, form.email.data)
        except Invalid as invalid:
            form.email.errors = [invalid.errors.get("email", "")]
        else:
            flash(
                _(
                    "Invitation envoyée à %(email)s.",
                    email=normalise_email(form.email.data),
                ),
                "success",
            )
            return redirect(
                url_for("proposals.edit_proposal", proposal_id=proposal_id) + "#coauteurs"
            )
    return _form_with_side_error(found, coauthor_form=form)


def _form_with_side_error(
    found: Authored,
    coauthor_form: CoauthorForm | None = None,
    attachment_form: AttachmentForm | None = None,
) -> Page:
    """The edit page again, with the co-author or attachment form's error beside its field."""
    form = _filled_form(found)
    return _form_page(
        form,
        found.campaign,
        found,
        status=400,
        coauthor_form=coauthor_form,
        attachment_form=attachment_form,
    )


@bp.route("/propositions/<int:proposal_id>/coauteurs/<int:author_id>/retirer", methods=["POST"])
@login_required
def remove_coauthor(proposal_id: int, author_id: int) -> Page:
    form = ConfirmForm()
    if not form.validate():
        return redirect(url_for("proposals.edit_proposal", proposal_id=proposal_id))
    removed = coauthors.remove_coauthor(proposal_id, current_user, author_id)
    if removed.email == normalise_email(current_user.email):
        flash(_("Vous ne faites plus partie des auteurs de cette proposition."), "success")
        return redirect(url_for("proposals.my_proposals"))
    flash(_("%(email)s ne fait plus partie des auteurs.", email=removed.email), "success")
    return redirect(url_for("proposals.edit_proposal", proposal_id=proposal_id) + "#coauteurs")


# ---------------------------------------------------------------- attachments ---------------


@bp.route("/propositions/<int:proposal_id>/pieces-jointes", methods=["POST"])
@login_required
def upload_attachment(proposal_id: int) -> Page:
    found = authored(proposal_id, current_user)
    form = AttachmentForm()
    if form.validate():
        upload = form.file.data
        try:
            attachment = attachments.add_attachment(
                proposal_id, current_user, upload.filename or "", upload.stream
            )
        except Invalid as invalid:
            form.file.errors = [invalid.errors.get("file", "")]
        else:
            flash(_("Fichier ajouté : %(name)s.", name=attachment.filename), "success")
            return redirect(
                url_for("proposals.edit_proposal", proposal_id=proposal_id) + "#pieces-jointes"
            )
    return _form_with_side_error(found, attachment_form=form)


@bp.route("/propositions/<int:proposal_id>/pieces-jointes/<int:attachment_id>")
@login_required
def download_attachment(proposal_id: int, attachment_id: int) -> Response:
    download = attachment_for_download(proposal_id, attachment_id, current_user)
    response = send_file(
        download.path,
        mimetype=download.attachment.content_type,
        as_attachment=True,
        download_name=download.attachment.filename,
        conditional=False,
        etag=False,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@bp.route(
    "/propositions/<int:proposal_id>/pieces-jointes/<int:attachment_id>/supprimer",
    methods=["POST"],
)
@login_required
def remove_attachment(proposal_id: int, attachment_id: int) -> Page:
    form = ConfirmForm()
    if form.validate():
        removed = attachments.remove_attachment(proposal_id, current_user, attachment_id)
        flash(_("Fichier supprimé : %(name)s.", name=removed.filename), "success")
    return redirect(url_for("proposals.edit_proposal", proposal_id=proposal_id) + "#pieces-jointes")


# ---------------------------------------------------------------- "Moi aussi" ---------------


@bp.route("/campagnes/<slug>/moi-aussi")
@login_required
def irritants(slug: str) -> Page:
    page = request.args.get("page", 1, type=int) or 1
    result = irritants_page(slug, current_user, request.args.get("q", ""), page)
    return render_template("proposals/irritants.html", result=result)


@bp.route("/campagnes/<slug>/moi-aussi/<int:proposal_id>", methods=["GET", "POST"])
@login_required
def support_irritant(slug: str, proposal_id: int) -> Page:
    item = irritant_for(slug, proposal_id, current_user)
    form = SupportForm(testimony=item.testimony)
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                supports.support(slug, proposal_id, current_user, form.testimony.data or "")
            except Invalid as invalid:
                form.testimony.errors = [invalid.errors["testimony"]]
            else:
                flash(_("Merci : votre soutien est enregistré, le jury le verra."), "success")
                return redirect(url_for("proposals.irritants", slug=slug))
        status = 400
    campaign = public_campaign(slug, with_questions=False)
    return render_template(
        "proposals/support.html",
        campaign=campaign,
        item=item,
        form=form,
        confirm_form=ConfirmForm(formdata=None),
    ), status


@bp.route("/campagnes/<slug>/moi-aussi/<int:proposal_id>/retirer", methods=["POST"])
@login_required
def withdraw_support(slug: str, proposal_id: int) -> Page:
    form = ConfirmForm()
    if form.validate():
        supports.withdraw_support(slug, proposal_id, current_user)
        flash(_("Votre soutien est retiré."), "success")
    return redirect(url_for("proposals.irritants", slug=slug))
