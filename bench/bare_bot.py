"""The benchmark's baseline: a bare aiogram bot that stores nothing.

Run by `bench/bot.py` as its own process, like the real bot: `python bench/bare_bot.py`
with OCLEP_TELEGRAM_TOKEN and OCLEP_TELEGRAM_API_BASE set. A Dispatcher with long polling
whose handlers answer every update with one editMessageText of the chat's message (the
first message of a chat is sent instead), kept in memory only. SIGTERM stops it.
"""

from __future__ import annotations

import asyncio
import itertools
import os

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

NEXT_LABEL = "Siguiente"


def bare_router() -> Router:
    """Every update answered with one editMessageText of the chat's message; nothing stored."""
    router = Router()
    shown: dict[int, int] = {}  # chat -> the bot's message: memory only, as a bare bot would
    counter = itertools.count(1)
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=NEXT_LABEL, callback_data="next")]]
    )

    @router.message()
    async def on_message(message: Message, bot: Bot) -> None:
        chat_id = message.chat.id
        if chat_id not in shown:
            sent = await message.answer("Pregunta 0", reply_markup=keyboard, protect_content=True)
            shown[chat_id] = sent.message_id
            return
        await bot.edit_message_text(
            text=f"Pregunta {next(counter)}",
            chat_id=chat_id,
            message_id=shown[chat_id],
            reply_markup=keyboard,
        )

    @router.callback_query()
    async def on_press(query: CallbackQuery) -> None:
        if isinstance(query.message, Message):
            await query.message.edit_text(f"Pregunta {next(counter)}", reply_markup=keyboard)

    return router


async def main() -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["OCLEP_TELEGRAM_API_BASE"]))
    bot = Bot(os.environ["OCLEP_TELEGRAM_TOKEN"], session=session)
    dispatcher = Dispatcher()
    dispatcher.include_router(bare_router())
    await dispatcher.start_polling(bot, polling_timeout=5)  # stops on SIGTERM


if __name__ == "__main__":
    asyncio.run(main())
