"""Public pages: home, legal pages, language switch, health check."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import format_date, get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from challenge.accounts.service import safe_next, set_locale
from challenge.extensions import csrf
from challenge.site.queries import database_answers, home_campaigns

bp = Blueprint("site", __name__)

# The date of the accessibility statement; change it when the statement changes.
ACCESSIBILITY_STATEMENT_DATE = (2026, 11, 24)


@bp.route("/")
def home() -> str:
    return render_template("site/home.html", campaigns=home_campaigns())


def _legal(page: str) -> str:
    from datetime import date

    locale = str(get_locale() or "fr")
    statement_date = format_date(date(*ACCESSIBILITY_STATEMENT_DATE), "long")
    return render_template(f"site/legal/{locale}/{page}.html", statement_date=statement_date)


@bp.route("/accessibilite")
def accessibility() -> str:
    return _legal("accessibility")


@bp.route("/mentions-legales")
def legal_notice() -> str:
    return _legal("legal_notice")


@bp.route("/donnees-personnelles")
def personal_data() -> str:
    return _legal("personal_data")


@bp.route("/cookies")
def cookies() -> str:
    return _legal("cookies")


@bp.route("/plan-du-site")
def sitemap() -> str:
    return render_template("site/sitemap.html")


@bp.route("/langue", methods=["POST"])
def set_language() -> Response:
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            set_locale(current_user, lang)
    return redirect(safe_next(request.form.get("next")) or url_for("site.home"))


@bp.route("/healthz")
@csrf.exempt
def health() -> tuple[dict[str, str], int]:
    """For load balancers: 200 when the database answers."""
    if not database_answers():
        return {"status": "database unavailable"}, 503
    return {"status": "ok"}, 200
