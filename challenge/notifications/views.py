"""The development mailbox (/dev/mail) and the admin's list of sent messages."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from challenge.extensions import db
from challenge.notifications import service
from challenge.notifications.mailbox import find_mail, list_mail
from challenge.notifications.models import MessageStatus, OutboxMessage

bp = Blueprint("notifications", __name__)

PAGE_SIZE = 50


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
    if not current_user.is_admin:
        abort(403)


@bp.route("/admin/messages")
@login_required
def admin_messages() -> str:
    _require_admin()
    status = request.args.get("statut", "")
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in {s.value for s in MessageStatus}:
        query = query.where(OutboxMessage.status == status)
    else:
        status = ""
    messages = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    counts = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    total = counts.get(status, 0) if status else sum(counts.values())
    return render_template(
        "notifications/admin_messages.html",
        messages=messages,
        counts=counts,
        status=status,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        statuses=[s.value for s in MessageStatus],
    )


@bp.route("/admin/messages/<int:message_id>/relancer", methods=["POST"])
@login_required
def retry_message(message_id: int) -> Response:
    _require_admin()
    try:
        service.retry_failed(message_id, current_user)
    except LookupError:
        abort(404)
    flash(_("Le message va être renvoyé."), "success")
    return redirect(url_for("notifications.admin_messages", statut=request.args.get("statut", "")))
