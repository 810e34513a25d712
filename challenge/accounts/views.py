"""Sign-in by e-mail link, sign-out and profile pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from challenge.access.domains import normalise_email
from challenge.accounts import service
from challenge.accounts.forms import ConfirmLinkForm, ProfileForm, SignInForm
from challenge.errors import Refused
from challenge.extensions import limiter

bp = Blueprint("accounts", __name__)


def _email_key() -> str:
    return "email:" + normalise_email(request.form.get("email", ""))


def _rate_limit_message() -> str:
    return _(
        "Trop de demandes de lien de connexion. Pour protéger votre compte, patientez "
        "quelques minutes avant d’en demander un nouveau ; le dernier lien reçu reste valable "
        "15 minutes."
    )


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_PER_IP"],
    methods=["POST"],
    error_message=_rate_limit_message,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_PER_EMAIL"],
    key_func=_email_key,
    methods=["POST"],
    error_message=_rate_limit_message,
)
def sign_in() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("site.home"))
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            service.request_link(form.email.data, form.next.data, str(get_locale()))
        except Refused as refused:
            form.email.errors.append(str(refused.message))
        else:
            session["sign_in_email"] = normalise_email(form.email.data)
            return redirect(url_for("accounts.link_sent"))
    return render_template("accounts/sign_in.html", form=form)


@bp.route("/connexion/lien-envoye")
def link_sent() -> str:
    return render_template("accounts/link_sent.html", email=session.get("sign_in_email", ""))


@bp.route("/connexion/lien/<token>", methods=["GET", "POST"])
def confirm_link(token: str) -> str | Response | tuple[str, int]:
    form = ConfirmLinkForm()
    try:
        if request.method == "POST" and form.validate_on_submit():
            signed_in = service.consume_link(token)
            login_user(signed_in.user)
            session["lang"] = signed_in.user.locale
            if not signed_in.user.profile_complete:
                flash(_("Bienvenue ! Présentez-vous en quelques mots pour commencer."), "success")
                return redirect(url_for("accounts.profile", next=signed_in.next_url or None))
            flash(_("Vous êtes connecté."), "success")
            return redirect(signed_in.next_url or url_for("site.home"))
        found = service.check_link(token)
    except service.SignInLinkGone as invalid:
        form = SignInForm(email=invalid.email)
        return render_template("accounts/invalid_link.html", reason=invalid.reason, form=form), 410
    return render_template("accounts/confirm_link.html", form=form, email=found.email)


@bp.route("/deconnexion", methods=["POST"])
def sign_out() -> Response:
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("site.home"))


@bp.route("/profil", methods=["GET", "POST"])
@login_required
def profile() -> str | Response:
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        service.update_profile(
            current_user,
            service.Profile(
                first_name=form.first_name.data,
                last_name=form.last_name.data,
                administration=form.administration.data,
                service=form.service.data or "",
                region=form.region.data or "",
            ),
        )
        flash(_("Votre profil est enregistré."), "success")
        return redirect(service.safe_next(request.args.get("next")) or url_for("site.home"))
    return render_template("accounts/profile.html", form=form)
