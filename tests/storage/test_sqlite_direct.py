"""The bot's direct SQLite path waits for another process's lock without blocking the loop."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import pytest

from storage.database import Database, open_database
from storage.repository import Change, Outcome
from storage.sqlite_direct import CheckpointConnection, SqliteDirect
from tests.storage.repository_support import Setup, at_version, record

# A staff tool writing beside the bot: another process holding SQLite's write lock.
_HOLD_LOCK = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("COMMIT")
"""


@contextmanager
def write_lock_held_elsewhere(path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holds the write lock until `release` writes to its stdin."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait()


def release(holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None
    holder.stdin.write("\n")
    holder.stdin.flush()
    holder.wait(timeout=10)


@asynccontextmanager
async def sqlite_file(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'oclep.db'}")
    try:
        yield database
    finally:
        await database.close()


class Ticker:
    """Counts how often the event loop got to run it: a blocked loop counts nothing."""

    def __init__(self) -> None:
        self.ticks = 0
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(0.005)
            self.ticks += 1

    def stop(self) -> None:
        self._task.cancel()


async def test_an_answer_waits_for_a_staff_tools_lock_while_the_loop_runs(tmp_path: Path) -> None:
    async with sqlite_file(tmp_path) as database:
        setup = Setup(database)
        repository = setup.repository()
        pseudonym = setup.pseudonym(7_000_000_501)
        await setup.start_draft(pseudonym, state=b"0", repository=repository)
        with write_lock_held_elsewhere(tmp_path / "oclep.db") as holder:
            ticker = Ticker()
            answering = asyncio.create_task(
                repository.apply(
                    pseudonym,
                    update_id=1,
                    decide=at_version(1, Change(state=b"1", answers=(record("q", "r1"),))),
                )
            )
            await asyncio.sleep(0.3)
            assert not answering.done()  # waiting for the lock...
            assert ticker.ticks >= 10  # ...while the loop serves everyone else
            release(holder)
            result = await asyncio.wait_for(answering, 5)
            ticker.stop()
        assert result.outcome is Outcome.APPLIED
        [submission] = await setup.decrypted()
        assert submission.records == (record("q", "r1"),)


async def test_a_lock_held_past_the_busy_wait_fails_and_changes_nothing(tmp_path: Path) -> None:
    async with sqlite_file(tmp_path) as database:
        del database  # only its schema is needed
        path = tmp_path / "oclep.db"
        direct = SqliteDirect.open(str(path), (), busy_wait=0.1)
        try:
            with write_lock_held_elsewhere(path):
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    await direct.run("BEGIN IMMEDIATE")
                assert not direct.in_transaction
            await direct.run("BEGIN IMMEDIATE")  # free again
            await direct.run("ROLLBACK")
        finally:
            direct.close()


async def test_reads_are_not_held_up_while_a_checkpoint_waits_for_a_slow_writer(
    tmp_path: Path,
) -> None:
    async with sqlite_file(tmp_path) as database:
        setup = Setup(database)
        repository = setup.repository()
        pseudonym = setup.pseudonym(7_000_000_502)
        await setup.start_draft(pseudonym, state=b"0", repository=repository)
        slow_writer_in = asyncio.Event()

        async def slow_writer() -> None:  # e.g. expiry through SQLAlchemy, which suspends
            async with database.write_transaction():
                slow_writer_in.set()
                await asyncio.sleep(0.5)

        writing = asyncio.create_task(slow_writer())
        await slow_writer_in.wait()
        scrubbing = asyncio.create_task(database.scrub())  # its checkpoint waits for the lock
        await asyncio.sleep(0.05)
        started = time.perf_counter()
        assert (await repository.load(pseudonym)).draft is not None
        assert time.perf_counter() - started < 0.2
        await writing
        assert await scrubbing


async def test_commits_without_key_changes_still_get_checkpointed(tmp_path: Path) -> None:
    async with sqlite_file(tmp_path) as database:
        await database.scrub()
        wal = tmp_path / "oclep.db-wal"
        for _ in range(450):  # state-only changes: none asks for a scrub itself
            async with database.sqlite_write() as writer:
                await writer.run("UPDATE alembic_version SET version_num = version_num")
        async with asyncio.timeout(5):
            while database.scrub_pending:  # noqa: ASYNC110 - a property, no event to wait on
                await asyncio.sleep(0.01)
        # SQLite's own automatic checkpoint is off on this connection (it would fsync on the
        # event loop): the log was emptied by the checkpoints asked for in the background.
        assert wal.stat().st_size == 0


async def test_a_cancelled_checkpoint_statement_finishes_before_its_caller_lets_go(
    tmp_path: Path,
) -> None:
    connection = await CheckpointConnection.open(str(tmp_path / "c.db"), ())
    slow = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) "
        "SELECT count(*) FROM n"
    )
    try:
        started = time.perf_counter()
        running = asyncio.create_task(connection.run(slow))
        await asyncio.sleep(0.02)
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
        waited = time.perf_counter() - started
        alone = time.perf_counter()
        assert await connection.run(slow) == [(3000000,)]
        assert waited >= (time.perf_counter() - alone) * 0.5  # it waited for the statement
    finally:
        await connection.close()
