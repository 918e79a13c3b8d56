"""Dedicated SQLite connections for the bot's hot path, driven without SQLAlchemy.

The hot path (load a draft, change it) is a handful of short statements per event, run
while every other writer of the process waits. Sent to a driver thread, each statement cost
a trip there and back, and the way back waits for an event-loop turn, which is long on a
busy bot: the write lock was held several times longer than SQLite needed, and it, not the
CPU, limited the bot. In WAL mode with `synchronous=NORMAL` these statements touch only
cached pages and the log, with no fsync (that happens at checkpoints), so they run here,
on the event loop's thread, in tens of microseconds. What can take long runs elsewhere:
waiting for another process's write lock is done by retrying with asyncio sleeps (the
connection's own busy timeout is a few milliseconds), and checkpoints, which fsync, run on
a worker thread (`CheckpointConnection`).

Statements are SQLAlchemy Core statements compiled once for SQLite with named parameters,
so both paths share one definition of each statement.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final

from sqlalchemy.dialects import sqlite
from sqlalchemy.sql.elements import ClauseElement

from storage.backoff import Backoff

# Named parameters (":name") let the writer pass the same dicts SQLAlchemy takes.
_SQLITE_NAMED: Final = sqlite.dialect(paramstyle="named")
# How long one statement may block the event loop waiting for a lock that another process
# holds (rare: WAL readers never block, and only staff tools write beside the bot).
_LOOP_BUSY_TIMEOUT_MS: Final = 5
_LOCK_BACKOFF: Final = Backoff(first=0.002, cap=0.05)

Row = tuple[Any, ...]


def _bindable(parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    # Dates are stored as SQLAlchemy stores them on SQLite: ISO text.
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in (parameters or {}).items()
    }


def _is_busy(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF  # extended codes: BUSY_RECOVERY...
    return code in {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


def connect(
    path: str, pragmas: Sequence[str], *, in_thread: bool = False, timeout: float = 5.0
) -> sqlite3.Connection:
    """An autocommit connection (transactions are explicit) with `pragmas` applied; `timeout`
    is the busy timeout while they are (a pragma in the list may change it)."""
    connection = sqlite3.connect(
        path, timeout=timeout, isolation_level=None, check_same_thread=not in_thread
    )
    try:
        for pragma in pragmas:
            connection.execute(pragma).fetchall()
    except BaseException:
        connection.close()
        raise
    return connection


class SqliteDirect:
    """One stdlib `sqlite3` connection used on the event loop's thread.

    The methods are coroutines so that SQLAlchemy's connection and this one serve the same
    repository code; they suspend only to wait for another process's lock. `busy_wait` is
    how long in all they wait for it (the other connections' `busy_timeout`).
    """

    def __init__(self, connection: sqlite3.Connection, busy_wait: float) -> None:
        self._connection = connection
        self._busy_wait = busy_wait
        self._compiled: dict[int, tuple[ClauseElement, str]] = {}

    @classmethod
    def open(cls, path: str, pragmas: Sequence[str], busy_wait: float) -> SqliteDirect:
        # No automatic checkpoint: the COMMIT that crossed its threshold would fsync here, on
        # the event loop. storage/database.py asks for checkpoints on the worker thread.
        connection = connect(
            path,
            (
                *pragmas,
                f"PRAGMA busy_timeout={_LOOP_BUSY_TIMEOUT_MS}",
                "PRAGMA wal_autocheckpoint=0",
            ),
            timeout=_LOOP_BUSY_TIMEOUT_MS / 1000,
        )
        return cls(connection, busy_wait)

    def _sql(self, statement: ClauseElement) -> str:
        cached = self._compiled.get(id(statement))
        if cached is None or cached[0] is not statement:
            sql = str(statement.compile(dialect=_SQLITE_NAMED))
            cached = (statement, sql)
            self._compiled[id(statement)] = cached
        return cached[1]

    async def _patiently(self, sql: str, values: Mapping[str, Any] | None = None) -> list[Row]:
        """Run one statement, retrying while another process holds the lock it needs."""
        deadline = time.monotonic() + self._busy_wait
        failures = 0
        while True:
            try:
                return self._connection.execute(sql, values or {}).fetchall()
            except sqlite3.OperationalError as error:
                if not _is_busy(error) or time.monotonic() >= deadline:
                    raise
            failures += 1
            await asyncio.sleep(_LOCK_BACKOFF.delay(failures))

    async def rows(
        self, statement: ClauseElement, parameters: Mapping[str, Any] | None = None
    ) -> list[Row]:
        """Run `statement` and return its rows (of RETURNING, for writes)."""
        return await self._patiently(self._sql(statement), _bindable(parameters))

    async def run(self, sql: str) -> list[Row]:
        """Run literal SQL without parameters (transaction control)."""
        return await self._patiently(sql)

    @property
    def in_transaction(self) -> bool:
        return self._connection.in_transaction

    def close(self) -> None:
        self._connection.close()


class CheckpointConnection:
    """A connection used only on a worker thread, for checkpoints (they fsync)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    @classmethod
    async def open(cls, path: str, pragmas: Sequence[str]) -> CheckpointConnection:
        return cls(await asyncio.to_thread(connect, path, pragmas, in_thread=True))

    async def run(self, sql: str) -> list[Row]:
        """Run literal SQL on the worker thread; callers never run two at once.

        Cancelled, it still waits for the statement to finish (a thread cannot be stopped):
        the caller's locks are released only when the connection is idle again.
        """
        running = asyncio.ensure_future(
            asyncio.to_thread(lambda: self._connection.execute(sql).fetchall())
        )
        cancelled = False
        while True:
            try:
                result = await asyncio.shield(running)
            except asyncio.CancelledError:
                if running.done():
                    raise
                cancelled = True
                continue
            if cancelled:
                raise asyncio.CancelledError
            return result

    async def close(self) -> None:
        await asyncio.to_thread(self._connection.close)
