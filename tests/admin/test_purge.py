"""`oclep-admin purge`: expired drafts become partial submissions; tombstones are listed."""

from __future__ import annotations

import asyncio
from pathlib import Path

from storage.database import open_database
from storage.keys import read_private_key_file
from storage.reader import DecryptedSubmission, read_submissions
from tests.admin.cli_support import run
from tests.admin.fixtures.builder import PASSPHRASE, Known, drive, engines
from tests.admin.fixtures.plans import make_plans


def statuses(folder: Path) -> dict[str, str]:
    key = read_private_key_file(folder / "staff.key", PASSPHRASE)

    async def read() -> dict[str, str]:
        found = {}
        async with await open_database(f"sqlite+aiosqlite:///{folder / 'oclep.db'}") as database:
            async for result in read_submissions(database, {key.key_id: key}):
                assert isinstance(result, DecryptedSubmission)
                found[result.meta.id.hex()] = result.meta.status
        return found

    return asyncio.run(read())


def test_purge_expires_drafts_and_lists_tombstones(tmp_path: Path) -> None:
    plans = make_plans(7, 200, {v: e.questionnaire for v, e in engines().items()})
    chosen = [p for p in plans if p.fate == "partial" and (p.stop_after or 99) <= 10][:2]
    chosen += [p for p in plans if p.fate == "withdrawn"][:1]
    chosen += [p for p in plans if p.fate == "complete"][:1]
    assert len(chosen) == 4
    known: list[Known] = asyncio.run(drive(tmp_path, chosen, purge_day=None))
    by_fate = {p.fate: k for p, k in zip(chosen, known, strict=True)}
    before = statuses(tmp_path)
    drafts = [k.submission_id for p, k in zip(chosen, known, strict=True) if p.fate == "partial"]
    assert all(before[d] == "in_progress" for d in drafts)
    assert by_fate["withdrawn"].submission_id not in before

    url = f"sqlite+aiosqlite:///{tmp_path / 'oclep.db'}"
    result = run(["purge", "--database-url", url])  # today is long after March 2025
    assert result.exit_code == 0, result.stderr
    assert "Expired drafts (now partial submissions, or deleted if empty): 2" in result.stderr
    assert by_fate["withdrawn"].submission_id in result.stderr.replace("\n", "")
    after = statuses(tmp_path)
    assert all(after[d] == "partial" for d in drafts)
    assert after[by_fate["complete"].submission_id] == "complete"

    ids = run(["purge", "--database-url", url, "--ids-only"])
    assert ids.stdout.split() == [by_fate["withdrawn"].submission_id]
    assert "Expired drafts" not in ids.stderr


def test_purge_of_a_missing_database(tmp_path: Path) -> None:
    result = run(["purge", "--database-url", f"sqlite+aiosqlite:///{tmp_path / 'none.db'}"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: There is no database")
