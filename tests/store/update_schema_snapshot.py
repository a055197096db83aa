"""Regenerate ``schema_snapshot.json`` from the migrations.

Run after adding a migration: ``.venv/bin/python tests/store/update_schema_snapshot.py``.
Review the diff: it is the schema change the migration makes.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from store.migrate import dump_schema, migrate

SNAPSHOT = Path(__file__).with_name("schema_snapshot.json")


def current_schema() -> str:
    """The schema an empty database has after every migration, as ``dump_schema`` text."""
    con = duckdb.connect()
    try:
        migrate(con)
        return dump_schema(con)
    finally:
        con.close()


if __name__ == "__main__":
    SNAPSHOT.write_text(current_schema(), encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
