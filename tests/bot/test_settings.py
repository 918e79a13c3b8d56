"""Settings problems stop the bot with one sentence and exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.runtime import staff_public_key
from bot.settings import BotSettings, SettingsError, load_settings
from storage.keys import KeyFileError


def test_invalid_value_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCLEP_DRAFT_TTL_DAYS", "0")
    with pytest.raises(SettingsError, match="OCLEP_DRAFT_TTL_DAYS"):
        load_settings()


def test_missing_staff_key_names_the_setting() -> None:
    with pytest.raises(SettingsError, match="OCLEP_STAFF_PUBLIC_KEY"):
        staff_public_key(BotSettings(staff_public_key=None))


def test_unreadable_staff_key_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="Cannot read"):
        staff_public_key(BotSettings(staff_public_key=tmp_path / "missing.pub"))


def test_cli_exits_2_without_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OCLEP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OCLEP_TELEGRAM_API_BASE", "ftp://example.org")
    result = CliRunner().invoke(app, ["console"])
    assert result.exit_code == 2
    assert "OCLEP_TELEGRAM_API_BASE" in result.output
    assert "Traceback" not in result.output


def test_attachment_limits_are_settings_in_files_and_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCLEP_ATTACHMENT_MAX_FILES", "4")
    monkeypatch.setenv("OCLEP_ATTACHMENT_MAX_FILE_MB", "5")
    monkeypatch.setenv("OCLEP_ATTACHMENT_MAX_DRAFT_MB", "12")
    monkeypatch.setenv("OCLEP_ATTACHMENT_MAX_DAY_MB", "30")
    limits = load_settings().file_limits
    assert (limits.files, limits.file_bytes, limits.draft_bytes, limits.day_bytes) == (
        4,
        5 * 1024 * 1024,
        12 * 1024 * 1024,
        30 * 1024 * 1024,
    )


def test_attachment_defaults_are_the_documented_ones() -> None:
    limits = BotSettings().file_limits
    assert (limits.files, limits.file_bytes // 2**20) == (10, 20)
    assert (limits.draft_bytes // 2**20, limits.day_bytes // 2**20) == (60, 100)


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("OCLEP_ATTACHMENT_MAX_FILE_MB", "21", "OCLEP_ATTACHMENT_MAX_FILE_MB"),  # over Telegram's
        ("OCLEP_ATTACHMENT_MAX_FILES", "0", "OCLEP_ATTACHMENT_MAX_FILES"),
        ("OCLEP_ATTACHMENT_MAX_DRAFT_MB", "10", "OCLEP_ATTACHMENT_MAX_DRAFT_MB"),  # < 20 per file
        ("OCLEP_ATTACHMENT_MAX_DAY_MB", "50", "OCLEP_ATTACHMENT_MAX_DAY_MB"),  # < 60 per draft
    ],
)
def test_inconsistent_attachment_limits_are_one_sentence(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=named):
        load_settings()
