"""Injected faults: 429 with retry_after, 5xx, held requests and duplicate deliveries."""

import asyncio

import pytest
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError

from tests.telegram_emulator import BotApiEmulator, FaultKind

from .http import call
from .tiny_bot import TinyBotLog, connect, polling_bot


async def test_rate_limit_answers_429_and_takes_no_effect(emulator: BotApiEmulator) -> None:
    user = emulator.user(user_id=8001)
    emulator.faults.rate_limit(methods={"sendMessage"}, probability=1.0, retry_after=3, count=1)
    status, response = await call(
        emulator, "sendMessage", form={"chat_id": user.chat_id, "text": "hola"}
    )
    assert (status, response) == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 3",
            "parameters": {"retry_after": 3},
        },
    )
    assert user.screen() == []
    (refused,) = emulator.calls_to("sendMessage")
    assert (refused.applied, refused.fault) == (False, "rate_limit")


async def test_aiogram_raises_retry_after_and_a_retrying_caller_succeeds(
    emulator: BotApiEmulator,
) -> None:
    user = emulator.user(user_id=8002)
    emulator.faults.rate_limit(methods={"sendMessage"}, retry_after=1, count=1)
    async with connect(emulator) as bot:
        with pytest.raises(TelegramRetryAfter) as refused:
            await bot.send_message(user.chat_id, "intento 1")
        assert refused.value.retry_after == 1

        emulator.faults.rate_limit(methods={"sendMessage"}, retry_after=1, count=1)
        attempts = 0
        while True:
            attempts += 1
            try:
                await bot.send_message(user.chat_id, "intento 2")
                break
            except TelegramRetryAfter as error:
                await asyncio.sleep(error.retry_after)
    assert attempts == 2
    assert [m.text for m in user.screen()] == ["intento 2"]


async def test_rate_limit_is_deterministic_for_a_seed(emulator: BotApiEmulator) -> None:
    def refused_pattern(seed: int) -> list[bool]:
        emulator.faults.clear()
        rule = emulator.faults.rate_limit(methods={"sendMessage"}, probability=0.2, seed=seed)
        return [rule.fires() for _ in range(200)]

    first, again, other = refused_pattern(7), refused_pattern(7), refused_pattern(8)
    assert first == again
    assert first != other
    assert 20 <= sum(first) <= 60  # about 20 % of 200


async def test_server_error_takes_no_effect(emulator: BotApiEmulator) -> None:
    user = emulator.user(user_id=8003)
    emulator.faults.server_error(probability=1.0, status=502, count=1)
    async with connect(emulator) as bot:
        with pytest.raises(TelegramServerError):
            await bot.send_message(user.chat_id, "hola")
        await bot.send_message(user.chat_id, "de nuevo")
    assert [m.text for m in user.screen()] == ["de nuevo"]
    assert emulator.faults.injected[FaultKind.SERVER_ERROR] == 1


async def test_timeout_holds_the_request_and_does_not_apply_it(emulator: BotApiEmulator) -> None:
    user = emulator.user(user_id=8004)
    emulator.faults.timeout(probability=1.0, delay=5.0, methods={"sendMessage"}, count=1)
    async with connect(emulator, timeout=0.3) as bot:
        with pytest.raises(TelegramNetworkError):
            await bot.send_message(user.chat_id, "perdido")
        await emulator.wait_until(
            lambda: any(c.fault == "timeout" for c in emulator.calls),
            description="the held request being logged",
        )
        await bot.send_message(user.chat_id, "entregado")
    assert [m.text for m in user.screen()] == ["entregado"]


async def test_faults_spare_get_updates_unless_named(emulator: BotApiEmulator) -> None:
    emulator.faults.server_error(probability=1.0)
    status, _ = await call(emulator, "getUpdates", form={"timeout": 0})
    assert status == 200
    emulator.faults.server_error(probability=1.0, methods={"getUpdates"})
    status, _ = await call(emulator, "getUpdates", form={"timeout": 0})
    assert status == 500


async def test_duplicate_delivery_reaches_the_bot_twice(emulator: BotApiEmulator) -> None:
    user = emulator.user(user_id=8005)
    emulator.faults.duplicate_delivery(probability=1.0, count=1)
    log = TinyBotLog()
    async with polling_bot(emulator, log):
        await user.send_text("una vez")
        await emulator.wait_until(lambda: len(log.texts) == 2, description="two deliveries")
        await user.send_text("otra")
        await emulator.wait_until(lambda: len(log.texts) == 3, description="the next update")
    assert log.texts == ["una vez", "una vez", "otra"]
    assert log.update_ids[0] == log.update_ids[1] != log.update_ids[2]
