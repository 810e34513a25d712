"""Settings from the environment: the embedded default, production, and what production refuses."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from challenge.config import DEFAULT_ALLOWED_DOMAINS, ConfigurationError, build_config

PG_URL = "postgresql+psycopg://challenge:secret@db.internal:5432/challenge"
REDIS = "redis://cache.internal:6379/0"


def production_env(instance: Path, **extra: str) -> dict[str, str]:
    env = {
        "CHALLENGE_ENV": "production",
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": PG_URL,
        "CELERY_BROKER_URL": REDIS,
        "SMTP_URL": "smtp+starttls://mailer:pw@smtp.internal:587",
        "SECRET_KEY": "a-long-production-secret",
        "PUBLIC_URL": "https://intrapreneurs.beta.gouv.fr/",
    }
    env.update(extra)
    return env


def test_embedded_default_needs_no_server(tmp_path: Path) -> None:
    config = build_config({"INSTANCE_PATH": str(tmp_path)})

    assert config["ENV_NAME"] == "development"
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'challenge.sqlite3'}"
    celery = config["CELERY"]
    assert celery["broker_url"] == "filesystem://localhost/"
    assert celery["result_backend"] == f"file://{tmp_path / 'results'}"
    assert celery["broker_transport_options"]["data_folder_in"] == str(tmp_path / "broker/queue")
    assert celery["task_default_queue"] == "celery"
    for folder in ("broker/queue", "broker/control", "broker/processed", "results"):
        assert (tmp_path / folder).is_dir(), folder
    # Mail goes to files that /dev/mail shows; no SMTP server needed.
    assert config["SMTP_URL"] is None
    assert config["MAIL_FOLDER"] == str(tmp_path / "mail")
    assert config["DEV_MAIL_VIEWER"] is True
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["BABEL_DEFAULT_LOCALE"] == "fr"
    assert config["BABEL_DEFAULT_TIMEZONE"] == "Europe/Paris"
    assert config["ALLOWED_EMAIL_DOMAINS"] == DEFAULT_ALLOWED_DOMAINS
    assert config["OUTBOX_RETRY_BASE_SECONDS"] == 30


def test_embedded_secret_key_is_kept_in_the_instance_folder(tmp_path: Path) -> None:
    first = build_config({"INSTANCE_PATH": str(tmp_path)})["SECRET_KEY"]
    second = build_config({"INSTANCE_PATH": str(tmp_path)})["SECRET_KEY"]

    assert first == second, "sessions must survive a restart of the embedded default"
    assert len(first) >= 40
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert build_config({"INSTANCE_PATH": str(tmp_path / "other")})["SECRET_KEY"] != first


def test_production_reads_its_servers_from_the_environment(tmp_path: Path) -> None:
    config = build_config(production_env(tmp_path))

    assert config["ENV_NAME"] == "production"
    assert config["TESTING"] is False
    assert config["SECRET_KEY"] == "a-long-production-secret"
    assert not (tmp_path / "secret_key").exists()
    assert config["SQLALCHEMY_DATABASE_URI"] == PG_URL
    assert config["CELERY"]["broker_url"] == REDIS
    assert config["CELERY"]["result_backend"] == REDIS
    assert config["CELERY"]["broker_transport_options"] == {}
    assert not (tmp_path / "broker").exists()
    assert config["SMTP_URL"] == "smtp+starttls://mailer:pw@smtp.internal:587"
    assert config["PUBLIC_URL"] == "https://intrapreneurs.beta.gouv.fr"
    # Cookies only over HTTPS, never readable from JavaScript; no development mailbox; no demo.
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["DEV_MAIL_VIEWER"] is False
    assert config["DEMO_SEED"] is False


def test_production_result_backend_and_queue_can_be_set_apart(tmp_path: Path) -> None:
    config = build_config(
        production_env(
            tmp_path,
            CELERY_RESULT_BACKEND="redis://results.internal:6379/1",
            CELERY_QUEUE="intrapreneurs",
            OUTBOX_RETRY_BASE_SECONDS="5",
        )
    )

    assert config["CELERY"]["broker_url"] == REDIS
    assert config["CELERY"]["result_backend"] == "redis://results.internal:6379/1"
    assert config["CELERY"]["task_default_queue"] == "intrapreneurs"
    assert config["OUTBOX_RETRY_BASE_SECONDS"] == 5


def test_production_refuses_to_start_without_secret_key(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        build_config(env)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        build_config({**env, "SECRET_KEY": ""})
    assert not (tmp_path / "secret_key").exists(), "no key may be made up in production"


@pytest.mark.parametrize(
    "database",
    [None, "sqlite:////var/lib/challenge/challenge.sqlite3"],
    ids=["no DATABASE_URL", "SQLite"],
)
def test_production_refuses_sqlite(tmp_path: Path, database: str | None) -> None:
    env = production_env(tmp_path)
    if database is None:
        del env["DATABASE_URL"]
    else:
        env["DATABASE_URL"] = database
    with pytest.raises(ConfigurationError, match="PostgreSQL"):
        build_config(env)


def test_allowed_domains_are_normalised(tmp_path: Path) -> None:
    config = build_config(
        {
            "INSTANCE_PATH": str(tmp_path),
            "ALLOWED_EMAIL_DOMAINS": " @DGFiP.finances.gouv.fr, ,caf.fr ",
        }
    )
    assert config["ALLOWED_EMAIL_DOMAINS"] == ("dgfip.finances.gouv.fr", "caf.fr")


def test_secure_cookies_can_be_forced_in_development(tmp_path: Path) -> None:
    config = build_config({"INSTANCE_PATH": str(tmp_path), "SESSION_COOKIE_SECURE": "yes"})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True


def test_overrides_win(tmp_path: Path) -> None:
    config = build_config({"INSTANCE_PATH": str(tmp_path)}, LOGIN_LINK_MINUTES=5)
    assert config["LOGIN_LINK_MINUTES"] == 5
