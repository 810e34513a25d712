"""The application factory of the "Y a-t-il un intrapreneur parmi nous ?" platform."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from challenge.config import PROJECT_ROOT, build_config
from challenge.extensions import babel, csrf, db, limiter, login_manager, migrate, select_locale

DSFR_DIST = PROJECT_ROOT / "node_modules" / "@gouvfr" / "dsfr" / "dist"


def create_app(config: dict[str, object] | None = None, **overrides: object) -> Flask:
    """Build the Flask application from the environment (or ``config``), with ``overrides``."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_relative_config=False,
    )
    app.config.update(config if config is not None else build_config())
    app.config.update(overrides)
    app.instance_path = str(app.config["INSTANCE_PATH"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    _init_extensions(app)
    _register_blueprints(app)
    _register_template_helpers(app)

    from challenge.site.errors import register_error_handlers

    register_error_handlers(app)

    from challenge.cli import register_commands

    register_commands(app)

    from worker.celery_app import celery_init_app

    celery_init_app(app)
    if not app.debug:
        logging.basicConfig(level=logging.INFO)
    return app


def _init_extensions(app: Flask) -> None:
    import challenge.models  # noqa: F401  (the whole schema, for Alembic and relationships)

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(PROJECT_ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message_category = "info"

    from challenge.accounts.models import load_user

    login_manager.user_loader(load_user)


def _register_blueprints(app: Flask) -> None:
    from flask import Blueprint

    from challenge.accounts.views import bp as accounts_bp
    from challenge.campaigns.views import bp as campaigns_bp
    from challenge.exports.views import bp as exports_bp
    from challenge.jury.views import bp as jury_bp
    from challenge.notifications.views import bp as notifications_bp
    from challenge.proposals.views import bp as proposals_bp
    from challenge.results.views import bp as results_bp
    from challenge.site.views import bp as site_bp

    # The DSFR's dist/ tree is served as it is, so its CSS finds fonts and icons by relative paths.
    dsfr = Blueprint("dsfr", __name__, static_folder=str(DSFR_DIST), static_url_path="/dsfr")
    app.register_blueprint(dsfr)
    app.register_blueprint(site_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(notifications_bp)
    for domain in (campaigns_bp, proposals_bp, jury_bp, results_bp, exports_bp):
        app.register_blueprint(domain)


def _register_template_helpers(app: Flask) -> None:
    from challenge.site.templating import register as register_templating

    register_templating(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:  # type: ignore[no-untyped-def]
    """WAL and a busy timeout let the web, worker and beat processes share one SQLite file."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
