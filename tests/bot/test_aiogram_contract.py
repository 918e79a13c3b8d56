"""The contract with aiogram that the JSON fast path (bot/telegram/session.py) relies on.

For every call the bot makes, built as the bot builds it, the JSON body the fast path sends
must carry exactly the parameters aiogram's own session sends as a form. An aiogram release
that adds or renames a parameter, turns one into a placeholder only aiogram resolves, or
changes how a model serialises makes this test fail before it reaches respondents; the
version range in pyproject.toml (`aiogram>=3.15,<4`) keeps a new major out altogether.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    DeleteWebhook,
    GetMe,
    SetMyCommands,
    SetWebhook,
    TelegramMethod,
)

from bot.i18n import Catalogs
from bot.replies import Option
from bot.telegram.menu import menu
from bot.telegram.polling import RawGetUpdates
from bot.telegram.render import code_entity, edit_call, keyboard, send_call
from bot.telegram.session import PLAIN_JSON_METHODS, JsonSession, plain_json
from tests.telegram_emulator import BotApiEmulator

CHAT_ID = 4_000_002


def bot_calls() -> list[TelegramMethod[Any]]:
    """One call of each method the bot makes, with the parameters it gives them."""
    catalogs = Catalogs.load()
    markup = keyboard([Option("Sí", "t:1"), Option("Atrás", "t:2")])
    entities = code_entity("Su recibo: AB12", "AB12")
    return [
        GetMe(),
        RawGetUpdates(offset=7, timeout=0, allowed_updates=["message", "callback_query"]),
        RawGetUpdates(offset=7, limit=1, timeout=0),
        SetMyCommands(commands=menu(catalogs, "es")),
        SetMyCommands(commands=menu(catalogs, "en"), language_code="en"),
        SetWebhook(
            url="https://bot.example.org/hook",
            secret_token="s" * 32,
            allowed_updates=["message"],
            drop_pending_updates=False,
        ),
        DeleteWebhook(drop_pending_updates=False),
        send_call(CHAT_ID, "Pregunta", markup, entities),
        send_call(CHAT_ID, "Aviso"),
        edit_call(CHAT_ID, 1, "Su recibo: AB12", markup, entities),
        edit_call(CHAT_ID, 1, "Pregunta", None),
        AnswerCallbackQuery(callback_query_id="42", text="Listo"),
        DeleteMessage(chat_id=CHAT_ID, message_id=1),
    ]


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    emu = await BotApiEmulator.start()
    emu.user(CHAT_ID)
    try:
        yield emu
    finally:
        await emu.stop()


def _scalar(value: Any) -> Any:
    """Form fields arrive as text; JSON keeps numbers and flags typed: compare as text."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict | list):
        return value
    return str(value)


async def _sent(emulator: BotApiEmulator, session: AiohttpSession) -> list[tuple[str, Any, Any]]:
    """(method, content type, parameters) of each call as the emulator received it."""
    bot = Bot(emulator.token, session=session)
    before = len(emulator.calls)
    try:
        for call in bot_calls():
            # A refusal (the emulator knows no such callback query) was sent all the same.
            with contextlib.suppress(TelegramAPIError):
                await bot(call)
    finally:
        await bot.session.close()
    return [
        (c.method, c.content_type, {k: _scalar(v) for k, v in c.params.items()})
        for c in emulator.calls[before:]
    ]


def test_every_call_the_bot_makes_takes_the_json_fast_path() -> None:
    calls = bot_calls()
    assert {call.__api_method__ for call in calls} == PLAIN_JSON_METHODS
    for call in calls:
        assert plain_json(call) is not None, call.__api_method__


async def test_the_json_body_carries_what_aiograms_own_form_carries(
    emulator: BotApiEmulator,
) -> None:
    api = TelegramAPIServer.from_base(emulator.api_base)
    as_form = await _sent(emulator, AiohttpSession(api=api))
    as_json = await _sent(emulator, JsonSession(api=api))
    assert len(as_json) == len(as_form) == len(bot_calls())
    assert {content_type for _, content_type, _ in as_json} == {"application/json"}
    assert {content_type for _, content_type, _ in as_form} <= {
        "multipart/form-data",
        "application/x-www-form-urlencoded",
        "",
    }
    for (method, _, json_params), (form_method, _, form_params) in zip(
        as_json, as_form, strict=True
    ):
        assert method == form_method
        assert json_params == form_params, method
