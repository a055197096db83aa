"""Migrations apply once, the schema matches its snapshot, and the SQLModel models match it."""

from __future__ import annotations

import difflib
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from duckdb_engine import ConnectionWrapper
from sqlalchemy.pool import StaticPool
from update_schema_snapshot import SNAPSHOT, current_schema

from store import SchemaVersionError, open_store
from store.db import DB_FILENAME
from store.migrate import dump_schema, load_migrations, migrate
from store.models import STORE_REGISTRY, TABLE_MODELS

REGENERATE = ".venv/bin/python tests/store/update_schema_snapshot.py"


def _diff(expected: str, actual: str) -> str:
    return "".join(
        difflib.unified_diff(
            expected.splitlines(True), actual.splitlines(True), "expected", "actual"
        )
    )


def test_migrations_are_numbered_from_one() -> None:
    versions = [m.version for m in load_migrations()]
    assert versions == list(range(1, len(versions) + 1))


def test_migrate_is_idempotent() -> None:
    con = duckdb.connect()
    assert migrate(con) == [m.version for m in load_migrations()]
    before = dump_schema(con)
    assert migrate(con) == []
    assert dump_schema(con) == before
    rows = con.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()
    assert rows == [(m.version, m.name) for m in load_migrations()]


def test_reopening_a_store_applies_nothing_twice(home: Path) -> None:
    with open_store(home, background_flush=False):
        pass
    with open_store(home, background_flush=False) as store, store.db.connection() as con:
        count = con.execute("SELECT count(*) FROM schema_migrations").fetchone()
    assert count == (len(load_migrations()),)


def test_schema_matches_snapshot() -> None:
    expected = SNAPSHOT.read_text(encoding="utf-8")
    actual = current_schema()
    assert actual == expected, (
        "The migrated schema differs from tests/store/schema_snapshot.json. If the change is "
        f"intended (a new migration), regenerate it with `{REGENERATE}` and review the diff.\n"
        + _diff(expected, actual)
    )


def test_sqlmodel_models_match_migrations() -> None:
    """Every column's name, order, type and nullability, keys, uniques and indexes agree."""
    migrated = duckdb.connect()
    migrate(migrated)
    from_models = duckdb.connect()
    engine = sa.create_engine(
        "duckdb://", creator=lambda: ConnectionWrapper(from_models), poolclass=StaticPool
    )
    STORE_REGISTRY.metadata.create_all(engine)
    expected, actual = dump_schema(migrated), dump_schema(from_models)
    assert actual == expected, (
        "store/models.py disagrees with the migrations (+ is what the models would create):\n"
        + _diff(expected, actual)
    )


def test_every_table_has_exactly_one_model() -> None:
    tables = sorted(str(model.__tablename__) for model in TABLE_MODELS)
    assert tables == sorted(STORE_REGISTRY.metadata.tables)
    assert len(set(tables)) == len(tables)


def test_changed_applied_migration_is_refused(home: Path) -> None:
    with open_store(home, background_flush=False) as store, store.db.connection() as con:
        con.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
    with pytest.raises(SchemaVersionError, match="changed after it was applied"):
        open_store(home)


def test_store_from_a_newer_kitchen_is_refused(home: Path) -> None:
    with open_store(home, background_flush=False) as store, store.db.connection() as con:
        con.execute("INSERT INTO schema_migrations VALUES (999, '0999_future.sql', 'x', now())")
    with pytest.raises(SchemaVersionError, match="newer Kitchen"):
        open_store(home)
    with pytest.raises(SchemaVersionError):
        open_store(home, read_only=True)


def test_read_only_open_of_an_unmigrated_file_is_refused(home: Path) -> None:
    home.mkdir()
    duckdb.connect(str(home / DB_FILENAME)).close()
    with pytest.raises(SchemaVersionError, match="open it read-write once"):
        open_store(home, read_only=True)
