"""A tiny real aiogram 3 bot, polling the emulator, for the emulator's own tests."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
    Update,
)

from tests.telegram_emulator import BotApiEmulator

GREETING = "¿Está en un lugar seguro? Campaña: {campaign}"
THANKS = "Gracias. Seguimos."
PRIVATE_ONLY = "Este bot solo funciona en chats privados."


@dataclass
class TinyBotLog:
    """What the tiny bot's handlers saw, to compare with what the emulator sent."""

    texts: list[str] = field(default_factory=list)
    update_ids: list[int] = field(default_factory=list)


def connect(emulator: BotApiEmulator, timeout: float = 10.0) -> Bot:
    """A real aiogram Bot talking HTTP to the emulator."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(emulator.api_base), timeout=timeout)
    return Bot(emulator.token, session=session)


def tiny_router(log: TinyBotLog) -> Router:
    """/start with a yes/no keyboard; "yes" edits the message; text is echoed once."""
    router = Router()
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="Sí", callback_data="seguro:si"),
                InlineKeyboardButton(text="No", callback_data="seguro:no"),
            ]
        ]
    )

    @router.message(F.chat.type != "private")
    async def not_private(message: Message) -> None:
        await message.answer(PRIVATE_ONLY)

    @router.message(CommandStart())
    async def start(message: Message, command: CommandObject) -> None:
        text = GREETING.format(campaign=command.args or "-")
        await message.answer(text, reply_markup=keyboard, protect_content=True)

    @router.callback_query(F.data == "seguro:si")
    async def safe(query: CallbackQuery) -> None:
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.edit_text(THANKS)

    @router.message(F.text)
    async def echo(message: Message) -> None:
        log.texts.append(message.text or "")
        await message.answer(f"Recibido: {message.text}", protect_content=True)

    return router


@asynccontextmanager
async def polling_bot(emulator: BotApiEmulator, log: TinyBotLog) -> AsyncIterator[Bot]:
    """Run the tiny bot with long polling until the block ends, then stop it cleanly."""

    async def note_update_id(
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Update):
            log.update_ids.append(event.update_id)
        return await handler(event, data)

    bot = connect(emulator)
    dispatcher = Dispatcher()
    dispatcher.update.outer_middleware(note_update_id)
    dispatcher.include_router(tiny_router(log))
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, polling_timeout=10)
    )
    await emulator.wait_until(
        lambda: emulator.bot_is_polling or polling.done(),
        description="the bot's first long poll",
    )
    try:
        yield bot
    finally:
        if not polling.done():
            await dispatcher.stop_polling()
        await polling
