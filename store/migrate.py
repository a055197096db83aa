"""Numbered SQL migrations and the schema dump the snapshot test compares.

Migrations are ``store/migrations/NNNN_name.sql``, applied in order, each in its own
transaction together with its row in ``schema_migrations``. Applying is idempotent: applied
versions are skipped. A migration file that changed after it was applied, or a database that
has versions this code does not know (made by a newer Kitchen), is refused rather than guessed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from store.errors import SchemaVersionError
from store.ids import utcnow

# Beside this module rather than via importlib.resources, which cannot read a namespace
# package (what an editable install made before store/__init__.py existed resolves to).
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

_BOOTSTRAP = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL,
    checksum VARCHAR NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL
)
"""


@dataclass(frozen=True)
class Migration:
    """One migration file.

    Attributes:
        version: Its number (``0001`` is 1).
        name: The file name.
        sql: The statements.
        checksum: SHA-256 of ``sql``, recorded when applied.
    """

    version: int
    name: str
    sql: str
    checksum: str


def load_migrations() -> list[Migration]:
    """Read the shipped migration files in version order.

    Returns:
        The migrations, numbered 1, 2, ... without gaps.

    Raises:
        SchemaVersionError: A file is misnamed or a number is missing or repeated.
    """
    found: list[Migration] = []
    for entry in MIGRATIONS_DIR.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = _NAME.match(entry.name)
        if match is None:
            raise SchemaVersionError(f"migration file {entry.name!r} is not named NNNN_name.sql")
        sql = entry.read_text(encoding="utf-8")
        checksum = hashlib.sha256(sql.encode()).hexdigest()
        found.append(Migration(int(match.group(1)), entry.name, sql, checksum))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise SchemaVersionError(
            f"migrations must be numbered 1..n without gaps: {[m.name for m in found]}"
        )
    return found


def applied_migrations(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    """Return ``{version: checksum}`` of the migrations applied to ``con``'s database."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_migrations'"
    ).fetchall()  # fetchall, not fetchone: no cursor stays open on the connection
    if not exists or exists[0][0] == 0:
        return {}
    rows = con.execute("SELECT version, checksum FROM schema_migrations").fetchall()
    return {int(version): str(checksum) for version, checksum in rows}


def pending_migrations(con: duckdb.DuckDBPyConnection) -> list[Migration]:
    """Return the shipped migrations not yet applied, after checking the applied ones.

    Raises:
        SchemaVersionError: The database is newer than this code, or an applied migration's
            file has changed since.
    """
    shipped = load_migrations()
    applied = applied_migrations(con)
    known = {m.version for m in shipped}
    unknown = sorted(set(applied) - known)
    if unknown:
        raise SchemaVersionError(
            f"the store has schema versions {unknown} that this Kitchen does not know; "
            "it was written by a newer Kitchen. Upgrade Kitchen to open it."
        )
    for migration in shipped:
        recorded = applied.get(migration.version)
        if recorded is not None and recorded != migration.checksum:
            raise SchemaVersionError(
                f"migration {migration.name} changed after it was applied to this store; "
                "add a new numbered migration instead of editing an applied one"
            )
    return [m for m in shipped if m.version not in applied]


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every pending migration, each in its own transaction.

    Args:
        con: A writable connection.

    Returns:
        The versions applied now (empty when the schema was current).
    """
    con.execute(_BOOTSTRAP)
    done: list[int] = []
    for migration in pending_migrations(con):
        con.begin()
        try:
            con.execute(migration.sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?, ?)",
                [migration.version, migration.name, migration.checksum, utcnow()],
            )
        except BaseException:
            con.rollback()
            raise
        con.commit()
        done.append(migration.version)
    return done


def require_current(con: duckdb.DuckDBPyConnection) -> None:
    """Check, without writing, that every shipped migration has been applied.

    Raises:
        SchemaVersionError: Some are pending (open the store read-write once to apply them).
    """
    pending = pending_migrations(con)
    if pending:
        raise SchemaVersionError(
            f"the store's schema is older than this Kitchen (pending: "
            f"{[m.name for m in pending]}); open it read-write once to migrate"
        )


def dump_schema(con: duckdb.DuckDBPyConnection) -> str:
    """Describe the database's tables, columns, constraints and indexes as stable JSON.

    The text is what ``tests/store/schema_snapshot.json`` pins: columns in order with type and
    nullability, key and unique constraints, and index columns. Sorted, so equal schemas dump
    equal text.

    Returns:
        Indented JSON ending in a newline.
    """
    tables: dict[str, dict[str, object]] = {}
    for (table,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_name"
    ).fetchall():
        columns = con.execute(
            "SELECT column_name, data_type, is_nullable, column_default FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index",
            [table],
        ).fetchall()
        constraints = con.execute(
            "SELECT constraint_type, constraint_column_names FROM duckdb_constraints() "
            "WHERE schema_name = 'main' AND table_name = ? "
            "AND constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'CHECK', 'FOREIGN KEY') "
            "ORDER BY constraint_type, constraint_column_names::VARCHAR",
            [table],
        ).fetchall()
        indexes = con.execute(
            "SELECT index_name, expressions, is_unique FROM duckdb_indexes() "
            "WHERE schema_name = 'main' AND table_name = ? ORDER BY index_name",
            [table],
        ).fetchall()
        tables[str(table)] = {
            "columns": [
                f"{name} {dtype}{'' if nullable else ' NOT NULL'}"
                + (f" DEFAULT {default}" if default is not None else "")
                for name, dtype, nullable, default in columns
            ],
            "constraints": [f"{kind} ({', '.join(cols)})" for kind, cols in constraints],
            "indexes": [
                f"{'UNIQUE ' if unique else ''}{name} {exprs}" for name, exprs, unique in indexes
            ],
        }
    return json.dumps(tables, indent=2, sort_keys=True) + "\n"
