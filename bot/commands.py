"""The respondent's slash commands: Spanish names, English aliases, descriptions for menus."""

from __future__ import annotations

from enum import Enum
from typing import Final

from bot.i18n import N_


class CommandName(Enum):
    """What a command does, whatever name it was typed with."""

    START = "start"
    HELP = "ayuda"
    PRIVACY = "privacidad"
    DELETE = "borrar"
    LANGUAGE = "idioma"
    DISCREET = "discreto"


_ALIASES: Final = {
    "help": CommandName.HELP,
    "privacy": CommandName.PRIVACY,
    "delete": CommandName.DELETE,
    "language": CommandName.LANGUAGE,
    "discreet": CommandName.DISCREET,
    "comenzar": CommandName.START,
}

# Menu entries (Telegram's setMyCommands), Spanish msgids: the channel translates them per
# language with `Catalogs.gettext`.
DESCRIPTIONS: Final = {
    CommandName.START: N_("Empezar o seguir el cuestionario"),
    CommandName.HELP: N_("Cómo funciona"),
    CommandName.PRIVACY: N_("Qué guardamos y qué ve Telegram"),
    CommandName.DELETE: N_("Borrar sus respuestas"),
    CommandName.LANGUAGE: N_("Cambiar el idioma"),
    CommandName.DISCREET: N_("Modo discreto: borrar del chat lo que escribe"),
}

# English command names for the English menu; both spellings are always understood.
ENGLISH_NAMES: Final = {
    CommandName.START: "start",
    CommandName.HELP: "help",
    CommandName.PRIVACY: "privacy",
    CommandName.DELETE: "delete",
    CommandName.LANGUAGE: "language",
    CommandName.DISCREET: "discreet",
}


def command_named(name: str) -> CommandName | None:
    """The command typed as `name` (no slash, any case, an @bot suffix ignored)."""
    bare = name.strip().lstrip("/").split("@", 1)[0].lower()
    try:
        return CommandName(bare)
    except ValueError:
        return _ALIASES.get(bare)
