"""Migrations: from empty to head and back on SQLite and PostgreSQL; the models match them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade
from sqlalchemy import inspect

from challenge.extensions import db
from tests.conftest import make_app, migrate_to_head, new_pg_database

# The tables of the first migration; later migrations add to this list, never remove from it.
CORE_TABLES = {
    "user_account",
    "login_token",
    "membership",
    "campaign",
    "outbox_message",
    "audit_event",
}


def tables(app: Flask) -> set[str]:
    with app.app_context():
        names = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    return names


def model_differences(app: Flask) -> list[object]:
    """What ``flask db migrate`` would write: empty when the migrations match the models."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, db.metadata)
    with app.app_context():
        db.engine.dispose()
    return differences


def upgrade_then_downgrade(app: Flask) -> None:
    assert tables(app) == set(), "the database must start empty"

    migrate_to_head(app)
    after_upgrade = tables(app)
    assert after_upgrade >= CORE_TABLES | {"alembic_version"}
    assert after_upgrade - {"alembic_version"} == set(db.metadata.tables), (
        "every model has its table and every table its model"
    )
    assert model_differences(app) == []

    with app.app_context():
        downgrade(revision="base")
        db.engine.dispose()
    assert tables(app) - {"alembic_version"} == set(), "downgrade to base leaves no table behind"

    migrate_to_head(app)  # and the way up works again after the way down
    assert tables(app) >= CORE_TABLES


def test_sqlite_upgrade_and_downgrade(tmp_path: Path) -> None:
    app = make_app(tmp_path / "instance")
    upgrade_then_downgrade(app)


def test_sqlite_template_matches_the_models(app: Flask) -> None:
    """The migrated database every test starts from (conftest's template) has the models' shape."""
    assert model_differences(app) == []


@pytest.fixture
def fresh_pg_database() -> Iterator[str]:
    """A PostgreSQL database of this test's own, created empty and dropped afterwards."""
    with new_pg_database("challenge_migrations") as url:
        yield url


@pytest.mark.postgres
def test_postgresql_upgrade_and_downgrade(tmp_path: Path, fresh_pg_database: str) -> None:
    app = make_app(tmp_path / "instance", DATABASE_URL=fresh_pg_database)
    upgrade_then_downgrade(app)


@pytest.mark.postgres
def test_postgresql_database_of_the_suite_matches_the_models(
    tmp_path: Path, pg_migrated: str
) -> None:
    app = make_app(tmp_path / "instance", DATABASE_URL=pg_migrated)
    assert model_differences(app) == []
