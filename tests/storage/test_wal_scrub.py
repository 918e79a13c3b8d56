"""SQLite's WAL scrub: an ended draft's sealed state leaves the log, even with readers about;
no reply waits for it (no answer key rides in a draft any more)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

from storage.database import open_database
from storage.pseudonyms import DraftKey
from storage.repository import Change, Repository
from tests.storage.repository_support import QUESTIONNAIRE, Setup, at_version, record


def _on_disk(path: Path) -> bytes:
    parts = [path, Path(f"{path}-wal")]
    return b"".join(part.read_bytes() for part in parts if part.exists())


def _wal_size(path: Path) -> int:
    return Path(f"{path}-wal").stat().st_size


def _sealed_state(path: Path) -> bytes:
    with sqlite3.connect(path) as connection:
        (blob,) = connection.execute("SELECT state FROM drafts").fetchone()
    return bytes(blob)


async def _answered_once(setup: Setup, repo: Repository, user_id: int) -> DraftKey:
    pseudonym = setup.pseudonym(user_id)
    await repo.start_or_resume(
        pseudonym, questionnaire=QUESTIONNAIRE, campaign=None, initial_state=b"{}"
    )
    await repo.apply(
        pseudonym, update_id=1, decide=at_version(1, Change(state=b"{}", answers=(record("a", 1),)))
    )
    return pseudonym


async def test_an_ended_drafts_state_leaves_the_log_even_past_a_reader(tmp_path: Path) -> None:
    path = tmp_path / "data" / "oclep.db"
    async with await open_database(f"sqlite+aiosqlite:///{path}") as database:
        setup = Setup(database)
        repo = setup.repository()
        pseudonym = await _answered_once(setup, repo, 1234567890)
        ended = _sealed_state(path)
        # Another respondent's load, or `oclep-admin stats`, mid-flight: an open snapshot.
        reader = sqlite3.connect(path, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM submissions").fetchone()
        started = time.monotonic()
        done = await repo.apply(pseudonym, update_id=2, decide=at_version(2, Change(complete=True)))
        # The reply does not wait for the checkpoint that the reader holds up.
        assert time.monotonic() - started < 1.0
        assert done.receipt is not None
        assert database.scrub_pending
        assert ended in _on_disk(path)
        reader.execute("COMMIT")
        reader.close()
        for _ in range(80):  # the background retry runs every 1-5 s
            if not database.scrub_pending:
                break
            await asyncio.sleep(0.1)
        assert not database.scrub_pending
        assert ended not in _on_disk(path)
        assert _wal_size(path) == 0
