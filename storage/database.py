"""Opening the database: async engine, SQLite hardening, schema migrations."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

DEFAULT_DATABASE_URL: Final = "sqlite+aiosqlite:///./data/oclep.db"
MIGRATIONS_DIR: Final = Path(__file__).parent / "migrations"

SQLITE_DRIVER: Final = "sqlite+aiosqlite"
POSTGRES_DRIVER: Final = "postgresql+asyncpg"
# `...?search_path=name` keeps all tables in one PostgreSQL schema (shared servers, tests).
SEARCH_PATH_PARAMETER: Final = "search_path"
_SCHEMA_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
# Friendly spellings an operator may write, mapped to the async driver we ship.
_DRIVER_ALIASES: Final = {
    "sqlite": SQLITE_DRIVER,
    SQLITE_DRIVER: SQLITE_DRIVER,
    "postgresql": POSTGRES_DRIVER,
    "postgres": POSTGRES_DRIVER,
    POSTGRES_DRIVER: POSTGRES_DRIVER,
}

# Why each pragma: WAL lets readers (exports, stats) run beside the bot; secure_delete zeroes
# deleted rows so withdrawn answers and replaced chain keys do not linger in free pages;
# trusted_schema=OFF keeps a tampered file from running SQL functions through its schema.
_WRITE_OPTION: Final = "oclep_write"
# A scrub waits this long for readers at most: it holds the write lock while it waits.
_SCRUB_BUSY_TIMEOUT_MS: Final = 50
_BUSY_TIMEOUT_MS: Final = 5000

_SQLITE_PRAGMAS: Final = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA secure_delete=ON",
    f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}",
    "PRAGMA trusted_schema=OFF",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)


class DatabaseError(Exception):
    """A database problem staff or operators can fix; the message is one sentence."""


class DatabaseConfigError(DatabaseError):
    """The database URL is malformed or names a database we do not support."""


class DatabaseUnavailableError(DatabaseError):
    """The database server could not be reached or refused the connection."""


class DatabaseSchemaError(DatabaseError):
    """The database schema is not at the version this program needs."""


def parse_database_url(url: str) -> URL:
    """Return the URL with its async driver; `DatabaseConfigError` for anything unsupported."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseConfigError(
            "The database URL is not a valid URL; use sqlite+aiosqlite:///path/to/oclep.db "
            "or postgresql+asyncpg://user@host:5432/dbname."
        ) from None
    driver = _DRIVER_ALIASES.get(parsed.drivername)
    if driver is None:
        raise DatabaseConfigError(
            f"The database URL uses {parsed.drivername!r}, which is not supported; "
            "use sqlite+aiosqlite:///path/to/oclep.db or postgresql+asyncpg://user@host/dbname."
        )
    if driver == POSTGRES_DRIVER and not parsed.database:
        raise DatabaseConfigError(
            "The PostgreSQL database URL names no database; add it after the host, "
            "as in postgresql+asyncpg://user@host:5432/dbname."
        )
    if driver == SQLITE_DRIVER and SEARCH_PATH_PARAMETER in parsed.query:
        raise DatabaseConfigError("The search_path URL parameter applies to PostgreSQL only.")
    search_path = parsed.query.get(SEARCH_PATH_PARAMETER)
    if search_path is not None and (
        not isinstance(search_path, str) or not _SCHEMA_NAME.fullmatch(search_path)
    ):
        raise DatabaseConfigError(
            "The search_path URL parameter must be one schema name of letters, digits and _."
        )
    return parsed.set(drivername=driver)


def describe_url(url: URL) -> str:
    """The URL as it may appear in messages: never with its password."""
    return url.render_as_string(hide_password=True)


def _is_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _prepare_sqlite_file(url: URL) -> None:
    """Create the database folder (0700) and file (0600) before SQLite creates them 0644."""
    if _is_memory(url) or url.database is None:
        return
    path = Path(url.database)
    try:
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            # SQLite gives its -wal and -shm files the mode of the database file.
            os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    except OSError as exc:
        raise DatabaseConfigError(
            f"Cannot create the SQLite database file {path} ({exc.strerror}); "
            "check the path and the folder's permissions."
        ) from None


def _require_sqlite_file(url: URL) -> None:
    if url.get_backend_name() != "sqlite" or _is_memory(url):
        return
    if not Path(url.database or "").is_file():
        raise DatabaseConfigError(
            f"There is no database at {url.database}; check --database-url (or OCLEP_DATABASE_URL)."
        )


def _harden_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in _SQLITE_PRAGMAS:
                cursor.execute(pragma)
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # The driver would open the transaction only at the first write, leaving earlier
        # reads outside it; an explicit BEGIN makes every transaction whole. Writers ask for
        # IMMEDIATE: they take the write lock up front and wait their turn (busy_timeout)
        # instead of failing when a read snapshot cannot be upgraded.
        immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class _NoStatementDebug(logging.Filter):
    """Drops aiosqlite's DEBUG records: they print every statement with its parameters
    (pseudonyms, sealed blobs), whatever level the application logs at."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO


_AIOSQLITE_FILTER: Final = _NoStatementDebug()


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest schema revision this program ships."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def _upgrade(connection: Connection) -> None:
    config = _alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


class _WriterQueue:
    """In-process order for SQLite writers, and coalescing of WAL scrubs.

    SQLite lets one writer in at a time and makes the others poll; with many tasks polling,
    an unlucky one can wait past the busy timeout. Queueing them on an asyncio lock makes
    the wait fair, leaving the busy timeout for other processes only.
    """

    def __init__(self) -> None:
        self.writer = asyncio.Lock()
        self.scrubber = asyncio.Lock()
        self.commits = 0  # commits that asked for a scrub
        self.scrubbed = 0  # every such commit up to this number has been scrubbed


@dataclass(frozen=True)
class Database:
    """An open database: the async engine and what kind of database sits behind it."""

    url: URL
    engine: AsyncEngine
    _queue: _WriterQueue = field(default_factory=_WriterQueue, repr=False, compare=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    async def upgrade(self) -> None:
        """Bring the schema to the newest revision (idempotent)."""
        async with self.engine.begin() as connection:
            schema = self.url.query.get(SEARCH_PATH_PARAMETER)
            if isinstance(schema, str):  # validated by parse_database_url
                await connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            await connection.run_sync(_upgrade)

    async def schema_revision(self) -> str | None:
        """The revision the database is at, or None for an empty database."""
        async with self.engine.connect() as connection:
            return await connection.run_sync(_current_revision)

    async def check_schema(self) -> None:
        """`DatabaseSchemaError` unless the schema is at the revision this program needs."""
        current = await self.schema_revision()
        head = head_revision()
        if current != head:
            raise DatabaseSchemaError(
                f"The database schema is at revision {current or 'none'} but this program "
                f"needs {head}; run `oclep-admin db upgrade --database-url "
                f"{describe_url(self.url)}`."
            )

    @asynccontextmanager
    async def write_transaction(self) -> AsyncIterator[AsyncConnection]:
        """A transaction that holds the right to write from its first statement.

        SQLite: BEGIN IMMEDIATE (writers queue on the database lock). PostgreSQL: a plain
        transaction; lock the rows you will change with SELECT ... FOR UPDATE.
        """
        if not self.is_sqlite:
            async with self.engine.connect() as connection, connection.begin():
                yield connection
            return
        async with self._queue.writer, self.engine.connect() as connection:
            await connection.execution_options(**{_WRITE_OPTION: True})
            async with connection.begin():
                yield connection

    async def scrub(self) -> None:
        """Push old page images out of SQLite's write-ahead log after key material changed.

        The WAL keeps earlier versions of changed pages until a checkpoint: a replaced chain
        key or a withdrawn answer would survive there. A TRUNCATE checkpoint copies the newest
        pages (already zeroed by secure_delete) into the database file and empties the log.
        Best effort: with readers still active it does what it can, and the next one finishes.
        PostgreSQL has no equivalent; see docs/storage.md.
        """
        if not self.is_sqlite:
            return
        queue = self._queue
        queue.commits += 1
        ticket = queue.commits
        async with queue.scrubber:
            if queue.scrubbed >= ticket:
                return  # a checkpoint that began after our commit has already run
            covered = queue.commits
            await self._checkpoint()
            queue.scrubbed = covered

    async def _checkpoint(self) -> None:
        async with self.engine.connect() as connection:
            # On the driver connection, in one call: outside any transaction (a checkpoint
            # cannot run inside one) and with one round trip to SQLite's thread.
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None
            restore = f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS};"
            try:
                await driver.executescript(
                    f"PRAGMA busy_timeout={_SCRUB_BUSY_TIMEOUT_MS};"
                    f" PRAGMA wal_checkpoint(TRUNCATE); {restore}"
                )
            except BaseException:
                await driver.execute(restore)  # never hand back a connection that gives up fast
                raise

    async def close(self) -> None:
        await self.engine.dispose()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


async def open_database(
    url: str = DEFAULT_DATABASE_URL, *, upgrade: bool | None = None, must_exist: bool = False
) -> Database:
    """Open the database at `url`.

    `upgrade=None` (the default) upgrades an embedded SQLite database by itself and only
    checks a PostgreSQL one, whose schema is changed by `oclep-admin db upgrade` alone;
    `upgrade=True` upgrades either; `upgrade=False` neither checks nor upgrades.
    `must_exist=True` refuses to create a missing SQLite file (for tools that only read).
    """
    parsed = parse_database_url(url)
    if must_exist:
        _require_sqlite_file(parsed)
    # Statement parameters hold pseudonyms and sealed blobs: never in logs or error messages,
    # even when the application logs SQLAlchemy at INFO or DEBUG.
    engine_options: dict[str, Any] = {"echo": False, "hide_parameters": True}
    if parsed.get_backend_name() == "sqlite":
        _prepare_sqlite_file(parsed)
        if _is_memory(parsed):
            # One shared connection, or every checkout would see a new empty database.
            engine_options["poolclass"] = StaticPool
    search_path = parsed.query.get(SEARCH_PATH_PARAMETER)
    if isinstance(search_path, str):
        engine_options["connect_args"] = {"server_settings": {"search_path": search_path}}
    engine = create_async_engine(
        parsed.difference_update_query([SEARCH_PATH_PARAMETER]), **engine_options
    )
    if parsed.get_backend_name() == "sqlite":
        _harden_sqlite(engine)
        logging.getLogger("aiosqlite").addFilter(_AIOSQLITE_FILTER)  # idempotent
    database = Database(url=parsed, engine=engine)
    try:
        if upgrade or (upgrade is None and database.is_sqlite):
            await database.upgrade()
        elif upgrade is None:
            await database.check_schema()
    except (OSError, DBAPIError, OperationalError) as exc:
        await engine.dispose()
        raise DatabaseUnavailableError(
            f"Cannot use the database at {describe_url(parsed)} ({type(exc).__name__}); "
            "check the URL, that the server is running and that the user may connect."
        ) from None
    except BaseException:
        await engine.dispose()
        raise
    return database
