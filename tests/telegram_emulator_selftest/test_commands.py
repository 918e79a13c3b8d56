"""setMyCommands per language and scope, set by a real aiogram bot and read back."""

import pytest
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats

from tests.telegram_emulator import BotApiEmulator

from .tiny_bot import connect

SPANISH = [
    BotCommand(command="start", description="Empezar"),
    BotCommand(command="ayuda", description="Ayuda"),
]
ENGLISH = [
    BotCommand(command="start", description="Start"),
    BotCommand(command="ayuda", description="Help"),
]


async def test_commands_are_stored_per_language_and_scope(emulator: BotApiEmulator) -> None:
    private = BotCommandScopeAllPrivateChats()
    async with connect(emulator) as bot:
        await bot.set_my_commands(SPANISH, scope=private)
        await bot.set_my_commands(ENGLISH, scope=private, language_code="en")
        english = await bot.get_my_commands(scope=private, language_code="en")
    scope = {"type": "all_private_chats"}
    assert [c["description"] for c in emulator.commands("", scope)] == ["Empezar", "Ayuda"]
    assert [c["description"] for c in emulator.commands("en", scope)] == ["Start", "Help"]
    assert emulator.commands("en") == []  # the default scope was never set
    assert [c.description for c in english] == ["Start", "Help"]


async def test_invalid_command_names_are_refused(emulator: BotApiEmulator) -> None:
    async with connect(emulator) as bot:
        with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
            await bot.set_my_commands([BotCommand(command="Con Espacio", description="x")])
    assert emulator.commands() == []
