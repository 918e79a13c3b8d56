"""The retrying session against the emulator: 429s waited out, 5xx retried, all bounded."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramServerError,
)
from aiohttp import web

from bot.replies import Option
from bot.telegram.render import code_entity, edit_call, keyboard, send_call
from bot.telegram.session import RetryingSession, RetryPolicy, plain_json
from tests.telegram_emulator import BotApiEmulator, FaultKind

CHAT_ID = 4_000_001


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    emu = await BotApiEmulator.start()
    emu.user(CHAT_ID)
    try:
        yield emu
    finally:
        await emu.stop()


def connect(emulator: BotApiEmulator, waits: list[float], policy: RetryPolicy) -> Bot:
    async def record(seconds: float) -> None:
        waits.append(seconds)

    session = RetryingSession(
        api=TelegramAPIServer.from_base(emulator.api_base),
        policy=policy,
        sleep=record,
        rng=random.Random(1),
    )
    return Bot(emulator.token, session=session)


async def test_429_is_retried_after_the_wait_telegram_names(emulator: BotApiEmulator) -> None:
    emulator.faults.rate_limit(methods={"sendMessage"}, retry_after=3, count=2)
    waits: list[float] = []
    bot = connect(emulator, waits, RetryPolicy())
    try:
        sent = await bot.send_message(CHAT_ID, "hola")
    finally:
        await bot.session.close()
    assert waits == [3.0, 3.0]
    assert [c.status for c in emulator.calls_to("sendMessage")] == [429, 429, 200]
    assert sent.message_id == emulator.calls_to("sendMessage")[-1].result["message_id"]


async def test_server_errors_back_off_exponentially_and_give_up(emulator: BotApiEmulator) -> None:
    emulator.faults.server_error(methods={"sendMessage"}, status=502)
    waits: list[float] = []
    policy = RetryPolicy(max_attempts=4, first_delay=1.0, max_delay=3.0)
    bot = connect(emulator, waits, policy)
    try:
        with pytest.raises(TelegramServerError):
            await bot.send_message(CHAT_ID, "hola")
    finally:
        await bot.session.close()
    assert len(emulator.calls_to("sendMessage")) == 4
    assert len(waits) == 3
    assert 0.5 <= waits[0] <= 1.0 and 1.0 <= waits[1] <= 2.0 and 1.5 <= waits[2] <= 3.0
    assert emulator.faults.injected[FaultKind.SERVER_ERROR] == 4


async def test_a_flood_wait_beyond_the_bound_is_not_waited(emulator: BotApiEmulator) -> None:
    emulator.faults.rate_limit(methods={"sendMessage"}, retry_after=3600)
    waits: list[float] = []
    bot = connect(emulator, waits, RetryPolicy(max_retry_after=60))
    try:
        with pytest.raises(Exception, match="retry after"):
            await bot.send_message(CHAT_ID, "hola")
    finally:
        await bot.session.close()
    assert waits == []


async def test_bad_requests_are_not_retried(emulator: BotApiEmulator) -> None:
    waits: list[float] = []
    bot = connect(emulator, waits, RetryPolicy())
    try:
        with pytest.raises(TelegramBadRequest):
            await bot.edit_message_text(text="x", chat_id=CHAT_ID, message_id=999)
    finally:
        await bot.session.close()
    assert waits == [] and len(emulator.calls_to("editMessageText")) == 1


async def test_the_renderers_calls_go_as_one_json_body_and_arrive_whole(
    emulator: BotApiEmulator,
) -> None:
    # Every parameter aiogram would take from the bot's defaults is set by the renderer, so
    # pydantic encodes the call in one step; a placeholder left unset would fall back to
    # aiogram's slower preparation, which `plain_json` reports as None.
    markup = keyboard([Option("Sí", "t:1"), Option("No", "t:2")])
    entities = code_entity("Su recibo: AB12", "AB12")
    send = send_call(CHAT_ID, "Pregunta", markup, entities)
    assert plain_json(send) is not None
    waits: list[float] = []
    bot = connect(emulator, waits, RetryPolicy())
    try:
        message_id = (await bot(send)).message_id
        edit = edit_call(CHAT_ID, message_id, "Su recibo: AB12", None, entities)
        assert plain_json(edit) is not None
        assert await bot(edit) is True  # the edited message is never read: not parsed
        assert await bot.delete_message(CHAT_ID, message_id) is True
    finally:
        await bot.session.close()
    sent, edited = emulator.calls_to("sendMessage")[0], emulator.calls_to("editMessageText")[0]
    assert sent.content_type == edited.content_type == "application/json"
    assert sent.params["protect_content"] is True
    assert sent.params["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Sí", "callback_data": "t:1"}],
            [{"text": "No", "callback_data": "t:2"}],
        ]
    }
    assert sent.params["link_preview_options"] == {"is_disabled": True}
    assert "parse_mode" not in sent.params
    assert edited.params["entities"] == [{"type": "code", "offset": 11, "length": 4}]
    assert edited.params["text"] == "Su recibo: AB12"


async def test_a_proxys_html_error_page_counts_as_a_server_error_and_is_retried() -> None:
    # Telegram's front end (or an operator's proxy) sometimes answers 502 with HTML.
    calls: list[str] = []

    async def bad_gateway(request: web.Request) -> web.Response:
        calls.append(request.match_info["method"])
        return web.Response(
            status=502, text="<html>502 Bad Gateway</html>", content_type="text/html"
        )

    application = web.Application()
    application.router.add_post("/bot{token}/{method}", bad_gateway)
    runner = web.AppRunner(application)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    session = RetryingSession(
        api=TelegramAPIServer.from_base(f"http://127.0.0.1:{port}"),
        policy=RetryPolicy(max_attempts=3, first_delay=1.0, max_delay=2.0),
        sleep=record,
        rng=random.Random(1),
    )
    bot = Bot("123456:" + "A" * 35, session=session)
    try:
        with pytest.raises(TelegramServerError) as raised:
            await bot.send_message(CHAT_ID, "hola")
    finally:
        await bot.session.close()
        await runner.cleanup()
    assert calls == ["sendMessage"] * 3 and len(waits) == 2
    assert "hola" not in str(raised.value) and "html" not in str(raised.value).lower()


@pytest.mark.parametrize(
    ("status", "body", "succeeds"),
    [
        (200, '{"ok":true,"result":{"message_id":7}}', True),  # Telegram's own spacing
        (200, '{"ok": true, "result": true}', True),
        (200, '  {"ok":true,"result":true}', True),  # not the fast form: parsed, still ok
        (200, '{"ok":false,"error_code":400,"description":"Bad Request: x"}', False),
        (200, '{"okay":true}', False),
        (400, '{"ok":false,"error_code":400,"description":"Bad Request: x"}', False),
    ],
)
def test_an_unread_result_is_a_success_only_when_the_answer_says_ok(
    status: int, body: str, succeeds: bool
) -> None:
    session = RetryingSession(api=TelegramAPIServer.from_base("http://127.0.0.1:9"))
    bot = Bot("123456:" + "A" * 35, session=session)
    call = edit_call(CHAT_ID, 1, "Pregunta", None)
    if succeeds:
        assert session.check_response(bot, call, status, body).result is True
        return
    # aiogram's own check classifies the failure (a 200 without `"ok": true` is not a result)
    with pytest.raises((TelegramAPIError, ClientDecodeError)):
        session.check_response(bot, call, status, body)
