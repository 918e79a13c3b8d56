"""Starting the Telegram bot: configuration problems are one clear sentence."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.settings import SettingsError
from bot.telegram.app import run_telegram, serve
from bot.telegram.session import RetryPolicy
from flows.loader import DefinitionError
from storage.database import DatabaseError
from storage.keys import KeyFileError, generate_staff_key, write_public_key_file
from storage.server_secret import ServerSecretError
from tests.bot.e2e.support import bot_settings
from tests.telegram_emulator import BotApiEmulator


async def test_missing_token_and_bad_webhook_secret_open_nothing(tmp_path: Path) -> None:
    async with await BotApiEmulator.start() as emulator:
        no_token = bot_settings(emulator, tmp_path).model_copy(update={"telegram_token": None})
        with pytest.raises(SettingsError, match="OCLEP_TELEGRAM_TOKEN is not set"):
            run_telegram(no_token)
        webhook = bot_settings(emulator, tmp_path, webhook_url="https://bot.example.org/tg")
        with pytest.raises(SettingsError, match="OCLEP_WEBHOOK_SECRET is not set"):
            await serve(webhook, asyncio.Event())
        assert emulator.calls == []
    assert not (tmp_path / "oclep.db").exists()  # nothing opened before the checks


async def test_refused_token_is_one_sentence(tmp_path: Path) -> None:
    async with await BotApiEmulator.start() as emulator:
        wrong = bot_settings(emulator, tmp_path, telegram_token="1:" + "x" * 35)
        with pytest.raises(SettingsError, match="Telegram refused OCLEP_TELEGRAM_TOKEN"):
            await serve(wrong, asyncio.Event(), staff_key=generate_staff_key().public_key)


async def test_unreachable_api_is_one_sentence(tmp_path: Path) -> None:
    async with await BotApiEmulator.start() as emulator:
        settings = bot_settings(emulator, tmp_path)
    with pytest.raises(SettingsError, match="Cannot reach the Telegram Bot API"):
        await serve(
            settings,
            asyncio.Event(),
            staff_key=generate_staff_key().public_key,
            retry_policy=RetryPolicy(max_attempts=1),
        )


def _bad_secret_file(tmp_path: Path) -> dict[str, Any]:
    secret = tmp_path / "short.secret"
    secret.write_bytes(b"too short")
    secret.chmod(0o600)
    return {"server_secret_file": secret}


def _bad_questionnaire(tmp_path: Path) -> dict[str, Any]:
    questionnaire = tmp_path / "broken.yaml"
    questionnaire.write_text("questions: [\n")
    return {"questionnaire_file": questionnaire}


LOCAL_PROBLEMS = [
    pytest.param(
        lambda tmp: {"staff_public_key": tmp / "missing.pub"}, KeyFileError, "missing.pub", id="key"
    ),
    pytest.param(
        lambda tmp: {"staff_public_key": None},
        SettingsError,
        "OCLEP_STAFF_PUBLIC_KEY is not set",
        id="no-key",
    ),
    pytest.param(
        lambda tmp: {"database_url": "mysql://nope/db"}, DatabaseError, "database URL", id="db"
    ),
    pytest.param(_bad_secret_file, ServerSecretError, "short.secret", id="secret"),
    pytest.param(_bad_questionnaire, DefinitionError, "broken.yaml", id="questionnaire"),
]


@pytest.mark.parametrize(("problem", "error", "words"), LOCAL_PROBLEMS)
async def test_local_problems_are_reported_before_any_bot_api_call(
    tmp_path: Path, problem: Any, error: type[Exception], words: str
) -> None:
    valid_key = tmp_path / "staff.pub"
    write_public_key_file(valid_key, generate_staff_key().public_key)
    async with await BotApiEmulator.start() as emulator:
        values = {"staff_public_key": valid_key, **problem(tmp_path)}
        settings = bot_settings(emulator, tmp_path / "data", **values)
        with pytest.raises(error, match=words):
            await serve(settings, asyncio.Event())
        assert emulator.calls == []  # not even getMe


def _unreachable_api_base() -> str:
    """An address where nothing listens (the emulator, started and stopped again)."""

    async def started_and_stopped() -> str:
        async with await BotApiEmulator.start() as emulator:
            return emulator.api_base

    return asyncio.run(started_and_stopped())


def test_cli_offline_with_a_bad_key_path_says_so_at_once(tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "OCLEP_TELEGRAM_TOKEN": "123456:" + "A" * 35,
        "OCLEP_TELEGRAM_API_BASE": _unreachable_api_base(),
        "OCLEP_STAFF_PUBLIC_KEY": str(tmp_path / "nowhere" / "staff.pub"),
        "OCLEP_DATA_DIR": str(tmp_path / "data"),
        "OCLEP_SERVER_SECRET_FILE": str(tmp_path / "server.secret"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 2, result.stderr
    assert "oclep-bot: Cannot read" in result.stderr
    assert "staff.pub" in result.stderr
    assert "Traceback" not in result.stderr
    # No getMe at all: against an address where nothing listens, the retrying session
    # would log each retry (at INFO, which `run` shows) and end with "Cannot reach".
    assert "retrying" not in result.stderr
    assert "Cannot reach" not in result.stderr
