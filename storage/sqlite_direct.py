"""A dedicated SQLite connection on a thread of its own, driven without SQLAlchemy.

The bot's hot path (load a draft, change it) is a handful of short statements per event,
run while every other writer of the process waits. Each trip to SQLite's thread and back
costs an event-loop turn, and on a busy loop a turn is long: a transaction of seven trips
held the write lock several times longer than SQLite needed. So a transaction here is three
trips (BEGIN with its first read, the writes as one batch, COMMIT), and statements are
SQLAlchemy Core statements compiled once for SQLite with named parameters, so both paths
share one definition of each statement.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any, Final, TypeVar

from sqlalchemy.dialects import sqlite
from sqlalchemy.sql.elements import ClauseElement

# Named parameters (":name") let the writer pass the same dicts SQLAlchemy takes.
_SQLITE_NAMED: Final = sqlite.dialect(paramstyle="named")

Row = tuple[Any, ...]
Step = tuple[ClauseElement, Mapping[str, Any] | None]
_T = TypeVar("_T")


def _bindable(parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    # Dates are stored as SQLAlchemy stores them on SQLite: ISO text.
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in (parameters or {}).items()
    }


class SqliteDirect:
    """One stdlib `sqlite3` connection, used only from its own single thread.

    `begin()` defers BEGIN to the next trip, so opening a transaction and its first read
    cost one trip; `batch` runs several statements in one trip.
    """

    def __init__(self, connection: sqlite3.Connection, thread: ThreadPoolExecutor) -> None:
        self._connection = connection
        self._thread = thread
        self._compiled: dict[int, tuple[ClauseElement, str]] = {}
        self._deferred: list[str] = []

    @classmethod
    async def open(cls, path: str, pragmas: Sequence[str]) -> SqliteDirect:
        """Connect in autocommit mode (transactions are explicit) and apply `pragmas`."""
        thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oclep-sqlite")

        def connect() -> sqlite3.Connection:
            connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            try:
                for pragma in pragmas:
                    connection.execute(pragma).fetchall()
            except BaseException:
                connection.close()
                raise
            return connection

        try:
            connection = await asyncio.get_running_loop().run_in_executor(thread, connect)
        except BaseException:
            thread.shutdown(wait=False)
            raise
        return cls(connection, thread)

    def _sql(self, statement: ClauseElement) -> str:
        cached = self._compiled.get(id(statement))
        if cached is None or cached[0] is not statement:
            sql = str(statement.compile(dialect=_SQLITE_NAMED))
            cached = (statement, sql)
            self._compiled[id(statement)] = cached
        return cached[1]

    async def _trip(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run `work` on SQLite's thread, after any deferred transaction control."""
        deferred, self._deferred = self._deferred, []
        connection = self._connection

        def run() -> _T:
            for sql in deferred:
                connection.execute(sql)
            return work(connection)

        return await asyncio.get_running_loop().run_in_executor(self._thread, run)

    async def batch(self, steps: Sequence[Step]) -> list[list[Row]]:
        """Run the statements in order in one trip; the rows of each (RETURNING for writes)."""
        compiled = [(self._sql(statement), _bindable(values)) for statement, values in steps]

        def run(connection: sqlite3.Connection) -> list[list[Row]]:
            return [connection.execute(sql, values).fetchall() for sql, values in compiled]

        return await self._trip(run)

    async def rows(
        self, statement: ClauseElement, parameters: Mapping[str, Any] | None = None
    ) -> list[Row]:
        """Run `statement` and return its rows (of RETURNING, for writes)."""
        return (await self.batch([(statement, parameters)]))[0]

    async def run(self, sql: str) -> list[Row]:
        """Run literal SQL without parameters (transaction control, pragmas)."""
        return await self._trip(lambda connection: connection.execute(sql).fetchall())

    def begin(self, sql: str = "BEGIN IMMEDIATE") -> None:
        """Open a transaction with the next trip."""
        self._deferred.append(sql)

    async def end(self, sql: str) -> None:
        """COMMIT or ROLLBACK; nothing to do if the transaction never reached SQLite."""
        if self._deferred:
            self._deferred.clear()
            return
        await self.run(sql)

    async def close(self) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(self._thread, self._connection.close)
        finally:
            self._thread.shutdown(wait=False)
