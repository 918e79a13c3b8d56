"""SQLite's WAL scrub: replaced chain keys leave the log, even with readers about."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from storage.database import Database, open_database
from storage.repository import Repository
from tests.storage.repository_support import QUESTIONNAIRE, Setup, record


def _on_disk(path: Path) -> bytes:
    parts = [path, Path(f"{path}-wal")]
    return b"".join(part.read_bytes() for part in parts if part.exists())


def _wal_size(path: Path) -> int:
    return Path(f"{path}-wal").stat().st_size


def _sealed_chain_key(path: Path) -> bytes:
    with sqlite3.connect(path) as connection:
        (blob,) = connection.execute("SELECT chain_key FROM drafts").fetchone()
    return bytes(blob)


async def _answered_once(setup: Setup, repo: Repository, user_id: int) -> bytes:
    pseudonym = setup.pseudonym(user_id)
    await repo.start_or_resume(
        pseudonym, questionnaire=QUESTIONNAIRE, campaign=None, initial_state=b"{}"
    )
    await repo.record_answer(
        pseudonym, update_id=1, expected_version=1, plaintext=record("a", 1), new_state=b"{}"
    )
    return pseudonym


async def test_a_reader_holding_a_snapshot_delays_the_scrub_but_never_cancels_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data" / "oclep.db"
    async with await open_database(f"sqlite+aiosqlite:///{path}") as database:
        setup = Setup(database)
        repo = setup.repository()
        pseudonym = await _answered_once(setup, repo, 1234567890)
        replaced = _sealed_chain_key(path)
        # Another respondent's load, or `oclep-admin stats`, mid-flight: an open snapshot.
        reader = sqlite3.connect(path, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM submissions").fetchone()
        await repo.record_answer(
            pseudonym, update_id=2, expected_version=2, plaintext=record("b", 2), new_state=b"{}"
        )
        # The checkpoint was busy: it must not count as done, and the old key is still there.
        assert database.scrub_pending
        assert replaced in _on_disk(path)
        reader.execute("COMMIT")
        reader.close()
        for _ in range(80):  # the background retry runs every 1-5 s
            if not database.scrub_pending:
                break
            await asyncio.sleep(0.1)
        assert not database.scrub_pending
        assert replaced not in _on_disk(path)
        assert _wal_size(path) == 0


async def test_one_checkpoint_serves_many_commits_and_each_reply_waits_for_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "data" / "oclep.db"
    checkpoints = 0
    real = Database._checkpoint

    async def counted(self: Database) -> bool:
        nonlocal checkpoints
        checkpoints += 1
        return await real(self)

    monkeypatch.setattr(Database, "_checkpoint", counted)
    async with await open_database(f"sqlite+aiosqlite:///{path}") as database:
        setup = Setup(database)
        repo = setup.repository()
        respondents = list(range(1, 21))
        for user_id in respondents:
            await repo.start_or_resume(
                setup.pseudonym(user_id),
                questionnaire=QUESTIONNAIRE,
                campaign=None,
                initial_state=b"{}",
            )
        checkpoints = 0

        async def answer(user_id: int) -> None:
            pseudonym = setup.pseudonym(user_id)
            for step in range(1, 4):
                draft = await repo.load(pseudonym)
                assert draft is not None
                with sqlite3.connect(path) as connection:
                    (replaced,) = connection.execute(
                        "SELECT chain_key FROM drafts WHERE pseudonym = ?", (pseudonym,)
                    ).fetchone()
                await repo.record_answer(
                    pseudonym,
                    update_id=step,
                    expected_version=draft.version,
                    plaintext=record("q", step),
                    new_state=b"{}",
                )
                # The reply comes only once a checkpoint that started after the commit is
                # done: this respondent's replaced key is gone, whatever others commit.
                assert bytes(replaced) not in _on_disk(path)

        await asyncio.gather(*(answer(user_id) for user_id in respondents))
        commits = 3 * len(respondents)
        assert checkpoints < commits / 2, (checkpoints, commits)
