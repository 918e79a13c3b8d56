"""The command menu registered with setMyCommands: Spanish for everyone, English for "en"."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand

from bot.commands import DESCRIPTIONS, ENGLISH_NAMES, CommandName
from bot.i18n import Catalogs

_log = logging.getLogger(__name__)


def menu(catalogs: Catalogs, locale: str) -> list[BotCommand]:
    """The commands and their descriptions as shown to users of `locale`."""
    return [
        BotCommand(
            command=ENGLISH_NAMES[name] if locale == "en" else name.value,
            description=catalogs.gettext(locale, DESCRIPTIONS[name]),
        )
        for name in CommandName
    ]


async def register_commands(bot: Bot, catalogs: Catalogs) -> None:
    """Register both menus; a refusal is logged, not fatal (the commands work anyway)."""
    try:
        await bot.set_my_commands(menu(catalogs, "es"))
        await bot.set_my_commands(menu(catalogs, "en"), language_code="en")
    except TelegramAPIError as error:
        _log.warning("setMyCommands failed: %s", type(error).__name__)
