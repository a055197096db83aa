"""The one DuckDB connection of a store, its lock, and the mapping of DuckDB errors.

A ``Database`` owns a single ``duckdb`` connection. SQLModel sessions run on that same
connection (through a SQLAlchemy engine whose pool hands it out), so ORM writes, raw SQL and
Arrow bulk inserts all see one transaction state. DuckDB connections are not safe to share
between threads, so every use goes through one re-entrant lock.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from duckdb_engine import ConnectionWrapper
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from store.errors import (
    AlreadyExistsError,
    NotFoundError,
    ReadOnlyStoreError,
    StoreClosedError,
    StoreError,
    StoreLockedError,
)

DB_FILENAME = "kitchen.duckdb"

RecordT = TypeVar("RecordT")

_LOCK_PID = re.compile(r"PID (\d+)")


class Database:
    """A DuckDB file opened once, shared by raw SQL and SQLModel sessions.

    Args:
        path: The DuckDB file.
        read_only: Open without write access. Fails if the file does not exist.

    Raises:
        NotFoundError: ``read_only`` and there is no file at ``path``.
        StoreLockedError: Another process holds the file.
        StoreError: The file is not a DuckDB database DuckDB can open.
    """

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self._lock = threading.RLock()
        if read_only and not path.exists():
            raise NotFoundError(f"no Kitchen store at {path}")
        try:
            self._con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            raise translate_error(exc, path) from exc
        # Timestamps are compared and rendered in UTC whatever the host's zone is.
        self._con.execute("SET TimeZone = 'UTC'")
        con = self._con
        self._engine = sa.create_engine(
            "duckdb://", creator=lambda: ConnectionWrapper(con), poolclass=StaticPool
        )
        self._closed = False

    @property
    def closed(self) -> bool:
        """Whether ``close()`` has been called."""
        return self._closed

    @property
    def lock(self) -> threading.RLock:
        """The lock that serialises every use of the connection."""
        return self._lock

    def require_writable(self) -> None:
        """Raise ``ReadOnlyStoreError`` when the store was opened read-only."""
        if self.read_only:
            raise ReadOnlyStoreError(f"{self.path} is open read-only; this operation writes")

    @contextmanager
    def connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Yield the raw connection under the lock, mapping predictable DuckDB errors.

        Yields:
            The DuckDB connection, in auto-commit mode.
        """
        with self._lock:
            self._check_open()
            try:
                yield self._con
            except duckdb.Error as exc:
                raise translate_error(exc, self.path) from exc

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Yield the raw connection inside one write transaction, committed on success.

        Yields:
            The DuckDB connection with a transaction open.

        Raises:
            ReadOnlyStoreError: The store is read-only.
        """
        self.require_writable()
        with self.connection() as con:
            con.begin()
            try:
                yield con
            except BaseException:
                con.rollback()
                raise
            con.commit()

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """Yield a SQLModel session on the shared connection.

        Args:
            write: Commit when the block ends without error (and require a writable store).
                A read session is rolled back on exit.

        Yields:
            A session whose loaded objects stay usable after it closes.
        """
        if write:
            self.require_writable()
        with self._lock:
            self._check_open()
            try:
                with Session(self._engine, expire_on_commit=False) as session:
                    yield session
                    if write:
                        session.commit()
            except sa_exc.DBAPIError as exc:
                orig = exc.orig
                if isinstance(orig, duckdb.Error):
                    raise translate_error(orig, self.path) from exc
                raise
            except duckdb.Error as exc:
                raise translate_error(exc, self.path) from exc

    def close(self) -> None:
        """Close the connection; later use raises ``StoreClosedError``. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._engine.dispose()
            self._con.close()

    def _check_open(self) -> None:
        if self._closed:
            raise StoreClosedError(f"the store at {self.path} is closed")


def fetch_records(
    con: duckdb.DuckDBPyConnection, record: type[RecordT], sql: str, params: object = None
) -> list[RecordT]:
    """Run a query and build one ``record`` per row, passing columns by name.

    Args:
        con: The connection (already under the database lock).
        record: A SQLModel class or dataclass whose fields are the query's column names.
        sql: The query.
        params: Its parameters.

    Returns:
        The records, in row order.
    """
    cursor = con.execute(sql, params)
    names = [column[0] for column in cursor.description or ()]
    factory: Any = record
    return [
        factory(**{name: _utc(value) for name, value in zip(names, row, strict=True)})
        for row in cursor.fetchall()
    ]


def _utc(value: object) -> object:
    # DuckDB hands out zoneinfo("UTC") datetimes, SQLModel sessions datetime.UTC ones; one
    # kind everywhere keeps records comparable and their reprs stable.
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def translate_error(exc: duckdb.Error, path: Path) -> Exception:
    """Map a DuckDB error whose cause is predictable to a ``StoreError``.

    Args:
        exc: The DuckDB error.
        path: The database file, named in messages.

    Returns:
        The ``StoreError`` to raise instead, or ``exc`` itself when the error is unexpected
        (a bug should surface as what it is).
    """
    message = str(exc)
    if isinstance(exc, duckdb.IOException) and "lock" in message.lower():
        match = _LOCK_PID.search(message)
        return StoreLockedError(path, int(match.group(1)) if match else None)
    if isinstance(exc, duckdb.ConnectionException) and "different configuration" in message:
        return StoreError(
            f"this process already has {path} open with another mode (read-only vs "
            "read-write); use that Store, or close it first"
        )
    if isinstance(exc, duckdb.ConstraintException):
        return AlreadyExistsError(_strip_prefix(message))
    if "read-only mode" in message:
        return ReadOnlyStoreError(f"{path} is open read-only; this operation writes")
    if isinstance(exc, duckdb.IOException | duckdb.SerializationException):
        return StoreError(f"cannot use the Kitchen store {path}: {_strip_prefix(message)}")
    return exc


def _strip_prefix(message: str) -> str:
    # DuckDB messages start with "Constraint Error: " and the like; the store's own error
    # class already says what kind of error it is.
    head, sep, tail = message.partition(": ")
    return tail if sep and head.endswith("Error") else message
