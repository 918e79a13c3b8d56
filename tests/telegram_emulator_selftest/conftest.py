"""Fixtures for the emulator's own tests: a running emulator per test."""

from collections.abc import AsyncIterator

import pytest

from tests.telegram_emulator import BotApiEmulator


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    """An emulator on a random local port, stopped after the test."""
    emu = await BotApiEmulator.start()
    try:
        yield emu
    finally:
        await emu.stop()
