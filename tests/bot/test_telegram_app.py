"""Starting the Telegram bot: configuration problems are one clear sentence."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.settings import SettingsError
from bot.telegram.app import run_telegram, serve
from bot.telegram.session import RetryPolicy
from tests.bot.e2e.support import bot_settings
from tests.telegram_emulator import BotApiEmulator


async def test_missing_token_refused_token_and_bad_webhook_secret(tmp_path: Path) -> None:
    async with await BotApiEmulator.start() as emulator:
        no_token = bot_settings(emulator, tmp_path).model_copy(update={"telegram_token": None})
        with pytest.raises(SettingsError, match="OCLEP_TELEGRAM_TOKEN is not set"):
            run_telegram(no_token)
        wrong = bot_settings(emulator, tmp_path, telegram_token="1:" + "x" * 35)
        with pytest.raises(SettingsError, match="Telegram refused OCLEP_TELEGRAM_TOKEN"):
            await serve(wrong, asyncio.Event())
        webhook = bot_settings(emulator, tmp_path, webhook_url="https://bot.example.org/tg")
        with pytest.raises(SettingsError, match="OCLEP_WEBHOOK_SECRET is not set"):
            await serve(webhook, asyncio.Event())
    assert not (tmp_path / "oclep.db").exists()  # nothing opened before the checks


async def test_unreachable_api_is_one_sentence(tmp_path: Path) -> None:
    async with await BotApiEmulator.start() as emulator:
        settings = bot_settings(emulator, tmp_path)
    with pytest.raises(SettingsError, match="Cannot reach the Telegram Bot API"):
        await serve(settings, asyncio.Event(), retry_policy=RetryPolicy(max_attempts=1))
