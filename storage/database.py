"""Opening the database: async engine, SQLite hardening, schema migrations."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sqlite3
import stat
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.elements import ClauseElement

from storage.backoff import Backoff
from storage.secure_files import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE
from storage.sqlite_direct import CheckpointConnection, SqliteDirect

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
# A checkpoint waits this long for readers at most: it holds the write lock while it waits.
_SCRUB_BUSY_TIMEOUT_MS: Final = 50
_BUSY_TIMEOUT_MS: Final = 5000
# How long a commit that replaced key material waits for its WAL scrub before the caller goes
# on (the respondent's reply waits for it); after that the retries continue in the
# background, quickly at first, then every `_SCRUB_BACKOFF.cap` seconds at most.
SCRUB_WAIT_SECONDS: Final = 2.0
_SCRUB_BACKOFF: Final = Backoff(first=0.02, cap=5.0)
_SCRUB_RETRY_BACKGROUND: Final = 1.0
_SCRUB_AT_OPEN_SECONDS: Final = 0.5
# Direct commits that changed no key material, after which a checkpoint is asked for anyway
# (the direct writer has SQLite's automatic checkpoint turned off).
_COMMITS_PER_CHECKPOINT: Final = 200
_SQLITE_COMPANIONS: Final = ("-wal", "-shm", "-journal")
_log = logging.getLogger(__name__)

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
    """Create the database folder (0700) and file (0600) before SQLite creates them 0644;
    tighten an existing folder, file and its -wal/-shm/-journal to the same modes."""
    if _is_memory(url) or url.database is None:
        return
    path = Path(url.database)
    try:
        if not path.parent.exists():
            path.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True)
        _tighten(path.parent, PRIVATE_DIR_MODE)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600))
        # SQLite gives its -wal and -shm files the mode of the database file; files left by
        # an earlier run with a looser mode keep it, so every one is checked.
        for companion in (path, *(Path(f"{path}{suffix}") for suffix in _SQLITE_COMPANIONS)):
            if companion.exists() or companion.is_symlink():
                _tighten(companion, PRIVATE_FILE_MODE)
    except OSError as exc:
        raise DatabaseConfigError(
            f"Cannot prepare the SQLite database file {path} ({exc.strerror}); "
            "check the path and the folder's permissions."
        ) from None


def _tighten(path: Path, mode: int) -> None:
    """Give `path` exactly `mode` if it is ours; refuse what we cannot make private."""
    status = path.lstat()
    kind = "folder" if mode == PRIVATE_DIR_MODE else "file"
    wanted_type = stat.S_ISDIR if mode == PRIVATE_DIR_MODE else stat.S_ISREG
    if not wanted_type(status.st_mode):
        raise DatabaseConfigError(
            f"The SQLite database {kind} {path} is not a plain {kind} (a symbolic link or a "
            "special file); point the database URL at a real path."
        )
    if status.st_uid != os.geteuid():
        raise DatabaseConfigError(
            f"The SQLite database {kind} {path} belongs to another user; run the bot as "
            "its owner or move the database to a folder of the bot's user."
        )
    if stat.S_IMODE(status.st_mode) & 0o077:
        os.chmod(path, mode, follow_symlinks=False)


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


def is_known_revision(revision: str) -> bool:
    """Whether this program ships `revision` (a newer program may have written another)."""
    try:
        return ScriptDirectory.from_config(_alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def _upgrade(connection: Connection) -> None:
    config = _alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


class _WriterQueue:
    """In-process order for SQLite writers, and the coalesced WAL scrubs.

    SQLite lets one writer in at a time and makes the others poll; with many tasks polling,
    an unlucky one can wait past the busy timeout. Queueing them on an asyncio lock makes
    the wait fair, leaving the busy timeout for other processes only.

    Scrubs are grouped: a commit that asks for one takes a ticket and waits for the first
    checkpoint that *starts* after it; that checkpoint serves every ticket taken before it
    started. A checkpoint counts only if SQLite reports it complete (no reader in the way,
    log emptied); otherwise one task retries until it succeeds.

    While a checkpoint runs, the direct writers and readers wait at `no_checkpoint`, not in
    the locks' queues: the locks hand over to one waiter per event-loop turn, and a busy
    loop's turns are long; the gate lets all of them go in one turn. Their transactions do
    not suspend (storage/sqlite_direct.py), so after the gate the locks are free.
    """

    def __init__(self) -> None:
        self.writer = asyncio.Lock()
        self.requested = 0  # commits that asked for a scrub
        self.scrubbed = 0  # every such commit up to this number has been scrubbed
        self.progress = asyncio.Condition()
        self.scrubbing: asyncio.Task[None] | None = None
        # Dedicated connections, opened on first use (SQLite files only): one for the
        # writers, who queue on `writer` anyway, one for single-statement reads.
        self.raw: SqliteDirect | None = None
        self.reader: SqliteDirect | None = None
        self.checkpointer: CheckpointConnection | None = None
        self.checkpointing = asyncio.Lock()  # one checkpoint at a time on `checkpointer`
        self.reads = asyncio.Lock()
        self.no_checkpoint = asyncio.Event()
        self.no_checkpoint.set()
        self.commits_unscrubbed = 0  # direct commits since the last scrub was asked for


@dataclass(frozen=True)
class Database:
    """An open database: the async engine and what kind of database sits behind it."""

    url: URL
    engine: AsyncEngine
    # The bot's hot path on SQLite runs on a direct connection (storage/sqlite_direct.py);
    # False sends it through SQLAlchemy like everything else (bench/bot.py compares the two).
    direct_sqlite: bool = True
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

    @property
    def has_sqlite_writer(self) -> bool:
        """Whether `sqlite_write` is available: SQLite databases in a file."""
        return self.direct_sqlite and self.is_sqlite and not _is_memory(self.url)

    @asynccontextmanager
    async def sqlite_write(self) -> AsyncIterator[SqliteDirect]:
        """A write transaction (BEGIN IMMEDIATE) on the dedicated SQLite writer connection."""
        queue = self._queue
        await queue.no_checkpoint.wait()
        async with queue.writer:
            writer = self._sqlite_writer()
            if writer.in_transaction:  # never expected: a transaction left open is ended
                await writer.run("ROLLBACK")
            await writer.run("BEGIN IMMEDIATE")
            try:
                yield writer
                await writer.run("COMMIT")
            except BaseException:
                if writer.in_transaction:
                    await writer.run("ROLLBACK")
                raise
        # This connection never checkpoints by itself (its COMMIT would fsync on the event
        # loop): commits that change no key material ask for a scrub now and then, in the
        # background, so the log stays short.
        queue.commits_unscrubbed += 1
        if queue.commits_unscrubbed >= _COMMITS_PER_CHECKPOINT:
            self._request_scrub()

    async def sqlite_read(
        self, statement: ClauseElement, parameters: Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        """Run one read statement on the dedicated reader connection (autocommit: a single
        statement sees one consistent snapshot)."""
        queue = self._queue
        # One read at a time on this connection (SQLite's thread serves one call at a time
        # anyway); holding the lock also keeps these reads out of a checkpoint's way.
        await queue.no_checkpoint.wait()
        async with queue.reads:
            if queue.reader is None:
                queue.reader = self._open_direct()
            return await queue.reader.rows(statement, parameters)

    def _sqlite_writer(self) -> SqliteDirect:
        queue = self._queue
        if queue.raw is None:
            queue.raw = self._open_direct()
        return queue.raw

    def _open_direct(self) -> SqliteDirect:
        """A dedicated connection with the same pragmas as every other one."""
        return SqliteDirect.open(
            self.url.database or "", _SQLITE_PRAGMAS, busy_wait=_BUSY_TIMEOUT_MS / 1000
        )

    async def scrub(self, *, wait: float = SCRUB_WAIT_SECONDS) -> bool:
        """Push old page images out of SQLite's write-ahead log after key material changed.

        The WAL keeps earlier versions of changed pages until a checkpoint: a replaced chain
        key or a withdrawn answer would survive there. A TRUNCATE checkpoint copies the newest
        pages (already zeroed by secure_delete) into the database file and empties the log.

        Waits up to `wait` seconds for the first checkpoint that starts after this call and
        succeeds (one checkpoint serves every commit waiting for it). Returns whether the
        scrub is done; if not (a reader held its snapshot all along), a background task
        keeps retrying every few seconds until it is. PostgreSQL has no equivalent (see
        docs/storage.md): always True.
        """
        if not self.is_sqlite or _is_memory(self.url):
            return True
        queue = self._queue
        ticket = self._request_scrub()
        try:
            async with asyncio.timeout(wait), queue.progress:
                await queue.progress.wait_for(lambda: queue.scrubbed >= ticket)
        except TimeoutError:
            return False
        return True

    def request_scrub(self) -> None:
        """Ask for a WAL scrub in the background, without waiting for it (SQLite files only)."""
        if self.is_sqlite and not _is_memory(self.url):
            self._request_scrub()

    def _request_scrub(self) -> int:
        """Take a ticket for the next checkpoint (started in the background if none runs)."""
        queue = self._queue
        queue.requested += 1
        queue.commits_unscrubbed = 0
        if queue.scrubbing is None or queue.scrubbing.done():
            queue.scrubbing = asyncio.create_task(self._scrub_until_done())
        return queue.requested

    @property
    def scrub_pending(self) -> bool:
        """Whether some commit still waits for its WAL scrub (for tests and monitoring)."""
        return self._queue.scrubbed < self._queue.requested

    async def _scrub_until_done(self) -> None:
        queue = self._queue
        failures = 0
        started = asyncio.get_running_loop().time()
        warned = False
        while queue.scrubbed < queue.requested:
            covered = queue.requested  # every commit before this checkpoint starts
            try:
                done = await self._checkpoint()
            except (OSError, DBAPIError, sqlite3.Error) as exc:
                done = False
                failure = type(exc).__name__
            else:
                failure = "a reader holds an old snapshot"
            if done:
                async with queue.progress:
                    queue.scrubbed = covered
                    queue.progress.notify_all()
                failures, warned = 0, False
                started = asyncio.get_running_loop().time()
                continue
            failures += 1
            delay = _SCRUB_BACKOFF.delay(failures)
            waited = asyncio.get_running_loop().time() - started
            if waited >= SCRUB_WAIT_SECONDS:
                if not warned:
                    # Class-level only: never which respondent's commit is waiting.
                    _log.warning("WAL scrub not done yet (%s); retrying in the background", failure)
                    warned = True
                delay = max(delay, _SCRUB_RETRY_BACKGROUND)
            await asyncio.sleep(delay)

    async def _checkpoint(self) -> bool:
        """One TRUNCATE checkpoint; True only if SQLite says it completed and emptied the log.

        A PASSIVE checkpoint goes first, with the writers still going: it copies the log into
        the database file and fsyncs it, which took ~40 ms per checkpoint on the development
        machine's disk, all of it with every respondent's write held (bench/bot.py). The
        TRUNCATE checkpoint that follows, under the locks as before, has only what was
        written meanwhile to copy, and is what the scrub counts.
        """
        queue = self._queue
        async with queue.checkpointing:
            with contextlib.suppress(OSError, DBAPIError, sqlite3.Error):
                await (await self._checkpointer()).run("PRAGMA wal_checkpoint(PASSIVE)")
            return await self._checkpoint_locked()

    async def _checkpoint_locked(self) -> bool:
        queue = self._queue
        async with queue.writer:
            # Closed only once the writer lock is ours: waiting for a slow writer (a staff
            # tool's lock, a SQLAlchemy transaction) must not hold up the reads.
            queue.no_checkpoint.clear()
            try:
                async with queue.reads:
                    return await self._checkpoint_now()
            finally:
                queue.no_checkpoint.set()

    async def _checkpoint_now(self) -> bool:
        # On a connection of its own, on a worker thread: a checkpoint fsyncs, and the
        # event loop must not wait for the disk. This process's writers and direct reads
        # are held off by the locks, so only other readers (pooled connections, other
        # processes) can make it busy.
        checkpointer = await self._checkpointer()
        found = await checkpointer.run("PRAGMA wal_checkpoint(TRUNCATE)")
        if not found:
            return False
        busy, log_pages, _checkpointed = found[0]
        return bool(busy == 0 and log_pages == 0)

    async def _checkpointer(self) -> CheckpointConnection:
        checkpointer = self._queue.checkpointer
        if checkpointer is None:
            checkpointer = await CheckpointConnection.open(
                self.url.database or "",
                (*_SQLITE_PRAGMAS, f"PRAGMA busy_timeout={_SCRUB_BUSY_TIMEOUT_MS}"),
            )
            self._queue.checkpointer = checkpointer
        return checkpointer

    async def close(self) -> None:
        """Close the engine; a scrub still pending gets one last attempt first."""
        scrubbing = self._queue.scrubbing
        if scrubbing is not None and not scrubbing.done():
            scrubbing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await scrubbing
        if self.scrub_pending:
            with contextlib.suppress(OSError, DBAPIError, sqlite3.Error):
                if await self._checkpoint():
                    self._queue.scrubbed = self._queue.requested
            if self._queue.scrubbed < self._queue.requested:
                _log.warning("WAL scrub still pending at close; the next start will retry it")
        await self._close_direct()
        await self.engine.dispose()

    async def _close_direct(self) -> None:
        queue = self._queue
        async with queue.writer, queue.reads:
            for direct in (queue.raw, queue.reader):
                if direct is not None:
                    direct.close()
            if queue.checkpointer is not None:
                await queue.checkpointer.close()
            queue.raw = queue.reader = queue.checkpointer = None

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


def _unavailable(url: URL, exc: BaseException) -> DatabaseUnavailableError:
    """The one sentence for a database that would not open, naming the backend configured."""
    if url.get_backend_name() == "sqlite":
        return DatabaseUnavailableError(
            f"Cannot use the SQLite database file {url.database} ({type(exc).__name__}); "
            "check that the bot's user can read and write the file and its folder (SQLite "
            "writes its -wal and -shm files beside it) and that the disk is not full."
        )
    return DatabaseUnavailableError(
        f"Cannot use the PostgreSQL database at {describe_url(url)} ({type(exc).__name__}); "
        "check the URL, that the PostgreSQL server is running and that the user may connect."
    )


async def open_database(
    url: str = DEFAULT_DATABASE_URL,
    *,
    upgrade: bool | None = None,
    must_exist: bool = False,
    direct_sqlite: bool = True,
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
    engine = _engine(parsed)
    database = Database(url=parsed, engine=engine, direct_sqlite=direct_sqlite)
    try:
        await _upgrade_or_check(database, upgrade)
    except (OSError, DBAPIError, OperationalError) as exc:
        await engine.dispose()
        raise _unavailable(parsed, exc) from None
    except BaseException:
        await engine.dispose()
        raise
    return database


def _engine(parsed: URL) -> AsyncEngine:
    """The engine for a parsed URL; a missing driver is a configuration error."""
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
    try:
        engine = create_async_engine(
            parsed.difference_update_query([SEARCH_PATH_PARAMETER]), **engine_options
        )
    except ModuleNotFoundError as exc:  # the driver of an extra that is not installed
        extra = " 'oclep[postgres]'" if parsed.get_backend_name() == "postgresql" else ""
        raise DatabaseConfigError(
            f"The database driver {exc.name} for {describe_url(parsed)} is not installed; "
            f"install it with `pip install{extra or ' ' + str(exc.name)}`."
        ) from None
    if parsed.get_backend_name() == "sqlite":
        _harden_sqlite(engine)
        logging.getLogger("aiosqlite").addFilter(_AIOSQLITE_FILTER)  # idempotent
    return engine


async def _upgrade_or_check(database: Database, upgrade: bool | None) -> None:
    if upgrade or (upgrade is None and database.is_sqlite):
        await database.upgrade()
        # A scrub left pending by a previous run (a crash, a reader at close) is done now.
        # Its connection is closed again: tools that only read never keep one open.
        if await database.scrub(wait=_SCRUB_AT_OPEN_SECONDS):
            await database._close_direct()
    elif upgrade is None:
        await database.check_schema()
