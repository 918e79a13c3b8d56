"""Polling guarantees: the offset never passes an uncommitted update; one poller per bot."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.telegram.app import serve
from bot.telegram.in_hand import UpdatesInHand
from bot.telegram.poll_lease import SecondPollerError, polling_lease
from bot.telegram.polling import PollerConflictError
from storage.keys import generate_staff_key
from tests.bot.e2e.support import bot_settings
from tests.conftest import DatabaseTarget
from tests.telegram_emulator import BotApiEmulator
from tests.telegram_emulator_selftest.http import call


def test_offset_waits_for_the_lowest_uncommitted_update() -> None:
    in_hand = UpdatesInHand()
    assert in_hand.offset is None
    assert [in_hand.take(u) for u in (10, 11, 12)] == [True, True, True]
    in_hand.done(11)
    in_hand.done(12)
    assert in_hand.offset == 10  # 10 has not committed: nothing is confirmed yet
    # The next fetch brings 10-12 again, and 13: only 13 is new.
    assert [in_hand.take(u) for u in (10, 11, 12, 13)] == [False, False, False, True]
    in_hand.done(10)
    assert in_hand.offset == 13
    in_hand.done(13)
    assert in_hand.offset == 14
    assert len(in_hand) == 0


async def test_second_poller_is_refused_by_the_database_lease(
    database_target: DatabaseTarget,
) -> None:
    if database_target.path is not None:
        database_target.path.parent.mkdir()  # the bot opens the database before the lease
    async with polling_lease(database_target.url):
        with pytest.raises(SecondPollerError, match="already polling with the database"):
            async with polling_lease(database_target.url):
                pass
    async with polling_lease(database_target.url):  # released with its holder
        pass


async def test_poller_ended_by_telegrams_409_stops_with_one_sentence(tmp_path: Path) -> None:
    async with await BotApiEmulator.start() as emulator:
        settings = bot_settings(emulator, tmp_path / "data")
        stop = asyncio.Event()
        running = asyncio.create_task(
            serve(settings, stop, staff_key=generate_staff_key().public_key, poll_seconds=5)
        )
        await emulator.wait_until(lambda: emulator.bot_is_polling, 30, "the bot polling")
        # Another process (another database, so no shared lease) polls the same bot:
        # Telegram ends our long poll with 409, as it does for the older of two polls.
        status, _ = await call(emulator, "getUpdates", form={"timeout": 0})
        assert status == 200
        with pytest.raises(PollerConflictError) as refused:
            await asyncio.wait_for(running, 30)
    message = str(refused.value)
    assert message.startswith("Another process is polling this bot's updates")
    assert "\n" not in message
