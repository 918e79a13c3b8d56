"""Without --database-url, staff commands open the bot's database: <OCLEP_DATA_DIR>/oclep.db."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from storage.database import open_database
from tests.admin.cli_support import one_sentence, run


async def _create(path: Path) -> None:
    database = await open_database(f"sqlite+aiosqlite:///{path}", upgrade=True)
    await database.close()


def test_the_default_database_follows_oclep_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OCLEP_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # no ./data here: the plain default finds nothing
    missing = run(["stats"])
    assert missing.exit_code == 1
    assert "data/oclep.db" in one_sentence(missing)

    bot_data = tmp_path / "bot-data"
    asyncio.run(_create(bot_data / "oclep.db"))
    monkeypatch.setenv("OCLEP_DATA_DIR", str(bot_data))
    found = run(["stats"])
    assert found.exit_code == 0, found.stderr
    assert "Submissions by status" in found.stdout
    assert not (tmp_path / "data").exists()  # nothing created where the default pointed


def test_an_explicit_url_wins_over_oclep_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OCLEP_DATA_DIR", str(tmp_path / "elsewhere"))
    asyncio.run(_create(tmp_path / "chosen.db"))
    result = run(["stats", "--database-url", f"sqlite+aiosqlite:///{tmp_path / 'chosen.db'}"])
    assert result.exit_code == 0, result.stderr
    assert not (tmp_path / "elsewhere").exists()


def test_the_default_database_is_read_from_dot_env_as_the_bot_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OCLEP_DATABASE_URL", raising=False)
    monkeypatch.delenv("OCLEP_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    bot_data = tmp_path / "bot-data"
    asyncio.run(_create(bot_data / "oclep.db"))
    (tmp_path / ".env").write_text(f"OCLEP_DATA_DIR={bot_data}\n", encoding="utf-8")
    found = run(["stats"])
    assert found.exit_code == 0, found.stderr
    assert "Submissions by status" in found.stdout
    assert not (tmp_path / "data").exists()

    # The environment wins over .env, as for the bot.
    monkeypatch.setenv("OCLEP_DATA_DIR", str(tmp_path / "elsewhere"))
    missing = run(["stats"])
    assert missing.exit_code == 1
    assert "elsewhere" in one_sentence(missing)
