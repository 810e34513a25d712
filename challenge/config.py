"""Settings read from the environment, with embedded defaults.

The embedded default (no environment variable set) runs everything on one machine with no
server to install: SQLite in ``instance/``, a file-system Celery broker, e-mails written to
``instance/mail/``. Production sets ``CHALLENGE_ENV=production`` and points the variables at
PostgreSQL, Redis (or RabbitMQ) and an SMTP relay.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_ALLOWED_DOMAINS = (
    "gouv.fr",
    "francetravail.fr",
    "pole-emploi.fr",
    "beta.gouv.fr",
    "education.fr",
    "ac-paris.fr",
    "ars.sante.fr",
    "urssaf.fr",
    "caf.fr",
    "assurance-maladie.fr",
)


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _instance_secret(instance: Path) -> str:
    """A secret key kept in the instance folder, so embedded sessions survive restarts."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@dataclass(frozen=True)
class Environment:
    """What the process was given; ``build_config`` turns it into Flask settings."""

    values: dict[str, str]

    def get(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        return value if value not in (None, "") else default


class ConfigurationError(RuntimeError):
    """Raised when production is started without a setting it cannot do without."""


@dataclass(frozen=True)
class Places:
    """Where the process keeps its state: the instance folder, the database, the broker."""

    instance: Path
    database_url: str
    broker_url: str
    result_backend: str

    @property
    def broker_folder(self) -> Path:
        return self.instance / "broker"

    @property
    def embedded_broker(self) -> bool:
        return self.broker_url.startswith("filesystem://")


def _instance_folder(e: Environment) -> Path:
    instance = Path(e.get("INSTANCE_PATH", str(PROJECT_ROOT / "instance"))).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    return instance


def _places(e: Environment, production: bool, instance: Path) -> Places:
    database_url = e.get("DATABASE_URL", f"sqlite:///{instance / 'challenge.sqlite3'}")
    if production and database_url.startswith("sqlite"):
        raise ConfigurationError("DATABASE_URL must point at PostgreSQL in production")
    broker_url = e.get("CELERY_BROKER_URL", "filesystem://localhost/")
    result_backend = e.get("CELERY_RESULT_BACKEND")
    if result_backend is None:
        result_backend = (
            f"file://{instance / 'results'}"
            if broker_url.startswith("filesystem://")
            else broker_url
        )
    return Places(instance, database_url, broker_url, result_backend)


def _secret_key(e: Environment, production: bool, instance: Path) -> str:
    secret = e.get("SECRET_KEY")
    if secret is None:
        if production:
            raise ConfigurationError("SECRET_KEY must be set in production")
        secret = _instance_secret(instance)
    return secret


def _web_settings(e: Environment, production: bool, places: Places) -> dict[str, object]:
    """Sessions, uploads, exports, languages."""
    instance = places.instance
    return {
        "SQLALCHEMY_DATABASE_URI": places.database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PUBLIC_URL": e.get("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        # Sessions: HttpOnly always, Secure whenever served over HTTPS (production).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(e.get("SESSION_COOKIE_SECURE"), production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool(e.get("SESSION_COOKIE_SECURE"), production),
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": int(e.get("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024))),
        "UPLOAD_FOLDER": e.get("UPLOAD_FOLDER", str(instance / "uploads")),
        "EXPORT_FOLDER": e.get("EXPORT_FOLDER", str(instance / "exports")),
        "EXPORT_RETENTION_DAYS": int(e.get("EXPORT_RETENTION_DAYS", "7")),
        # Internationalisation: French first, English available; times shown in Paris.
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "LANGUAGES": ("fr", "en"),
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "challenge" / "translations"),
    }


def _sign_in_and_mail_settings(
    e: Environment, production: bool, instance: Path
) -> dict[str, object]:
    return {
        "ALLOWED_EMAIL_DOMAINS": tuple(
            d.strip().lower().lstrip("@")
            for d in e.get("ALLOWED_EMAIL_DOMAINS", ",".join(DEFAULT_ALLOWED_DOMAINS)).split(",")
            if d.strip()
        ),
        "LOGIN_LINK_MINUTES": int(e.get("LOGIN_LINK_MINUTES", "15")),
        "RATELIMIT_STORAGE_URI": e.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT_PER_EMAIL": e.get("LOGIN_RATE_LIMIT_PER_EMAIL", "5 per 15 minutes"),
        "LOGIN_RATE_LIMIT_PER_IP": e.get("LOGIN_RATE_LIMIT_PER_IP", "30 per 15 minutes"),
        # Mail: SMTP in production; the embedded default writes files read at /dev/mail.
        "SMTP_URL": e.get("SMTP_URL"),
        "MAIL_FROM": e.get(
            "MAIL_FROM", "Intrapreneurs <ne-pas-repondre@intrapreneurs.beta.gouv.fr>"
        ),
        "MAIL_FOLDER": e.get("MAIL_FOLDER", str(instance / "mail")),
        "DEV_MAIL_VIEWER": _bool(e.get("DEV_MAIL_VIEWER"), not production),
        "DEMO_SEED": _bool(e.get("DEMO_SEED"), not production),
        # First retry delay of a failed delivery (doubled at each attempt, capped at one hour).
        "OUTBOX_RETRY_BASE_SECONDS": int(e.get("OUTBOX_RETRY_BASE_SECONDS", "30")),
    }


def _celery_settings(e: Environment, places: Places) -> dict[str, object]:
    folder = places.broker_folder
    return {
        "broker_url": places.broker_url,
        "result_backend": places.result_backend,
        "broker_transport_options": (
            {
                "data_folder_in": str(folder / "queue"),
                "data_folder_out": str(folder / "queue"),
                "control_folder": str(folder / "control"),
                "processed_folder": str(folder / "processed"),
                "store_processed": False,
            }
            if places.embedded_broker
            else {}
        ),
        "broker_connection_retry_on_startup": True,
        # Several deployments (or test runs) may share one Redis: each one its own queue.
        "task_default_queue": e.get("CELERY_QUEUE", "celery"),
        "task_ignore_result": False,
        "result_expires": 3600,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "timezone": "Europe/Paris",
        "enable_utc": True,
        "beat_schedule_filename": str(places.instance / "celerybeat-schedule"),
        "task_always_eager": False,
    }


def _operator_settings(e: Environment) -> dict[str, object]:
    """The people behind the service, shown on the legal pages."""
    return {
        "OPERATOR_NAME": e.get("OPERATOR_NAME", "France Travail — Direction du numérique"),
        "OPERATOR_ADDRESS": e.get(
            "OPERATOR_ADDRESS", "1-5 avenue du Docteur Gley, 75987 Paris Cedex 20"
        ),
        "PUBLICATION_DIRECTOR": e.get("PUBLICATION_DIRECTOR", "Le directeur général"),
        "CONTACT_EMAIL": e.get("CONTACT_EMAIL", "intrapreneurs@beta.gouv.fr"),
        "DPO_EMAIL": e.get("DPO_EMAIL", "dpo@francetravail.fr"),
        "HOST_NAME": e.get("HOST_NAME", "OVHcloud, 2 rue Kellermann, 59100 Roubaix"),
    }


def _make_folders(places: Places) -> None:
    if places.embedded_broker:
        for sub in ("queue", "control", "processed"):
            (places.broker_folder / sub).mkdir(parents=True, exist_ok=True)
    if places.result_backend.startswith("file://"):
        Path(places.result_backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)


def build_config(env: dict[str, str] | None = None, **overrides: object) -> dict[str, object]:
    """Return the Flask configuration for the given environment (``os.environ`` by default)."""
    e = Environment(dict(os.environ if env is None else env))
    mode = e.get("CHALLENGE_ENV", "development")
    production = mode == "production"
    instance = _instance_folder(e)
    secret = _secret_key(e, production, instance)  # checked first: the first thing to set
    places = _places(e, production, instance)
    config: dict[str, object] = {
        "ENV_NAME": mode,
        "TESTING": mode == "testing",
        "SECRET_KEY": secret,
        "INSTANCE_PATH": str(places.instance),
        **_web_settings(e, production, places),
        **_sign_in_and_mail_settings(e, production, places.instance),
        "CELERY": _celery_settings(e, places),
        **_operator_settings(e),
    }
    _make_folders(places)
    config.update(overrides)
    return config
