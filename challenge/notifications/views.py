"""The development mailbox (/dev/mail) and the admin's list of sent messages."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from challenge.access.roles import may_see_every_message
from challenge.errors import Forbidden
from challenge.notifications import service
from challenge.notifications.mailbox import find_mail, list_mail
from challenge.notifications.queries import STATUSES, sent_messages

bp = Blueprint("notifications", __name__)


def _dev_only() -> Path:
    if not current_app.config.get("DEV_MAIL_VIEWER"):
        abort(404)
    return Path(current_app.config["MAIL_FOLDER"])


@bp.route("/dev/mail")
def dev_mailbox() -> str:
    folder = _dev_only()
    return render_template("notifications/dev_mailbox.html", messages=list_mail(folder))


@bp.route("/dev/mail/<name>")
def dev_mail(name: str) -> str:
    message = find_mail(_dev_only(), name)
    if message is None:
        abort(404)
    return render_template("notifications/dev_mail.html", message=message)


def _require_admin() -> None:
    if not may_see_every_message(current_user):
        raise Forbidden


@bp.route("/admin/messages")
@login_required
def admin_messages() -> str:
    _require_admin()
    result = sent_messages(
        request.args.get("statut", ""), request.args.get("page", 1, type=int) or 1
    )
    return render_template(
        "notifications/admin_messages.html",
        messages=result.messages,
        counts=result.counts,
        status=result.status,
        page=result.page,
        pages=result.pages,
        statuses=list(STATUSES),
    )


@bp.route("/admin/messages/<int:message_id>/relancer", methods=["POST"])
@login_required
def retry_message(message_id: int) -> Response:
    service.retry_failed(message_id, current_user)
    flash(_("Le message va être renvoyé."), "success")
    return redirect(url_for("notifications.admin_messages", statut=request.args.get("statut", "")))
