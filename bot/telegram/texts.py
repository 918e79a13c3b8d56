"""The Telegram channel's own Spanish texts (gettext msgids): answers to updates that are not
events of the conversation."""

from __future__ import annotations

from typing import Final

from bot import attachment_texts
from bot.i18n import N_

PRIVATE_CHATS_ONLY: Final = N_(
    "Este bot solo funciona en chats privados. Por su seguridad, escríbale directamente y no "
    "responda aquí."
)
NOT_AN_ANSWER: Final = attachment_texts.NOT_AN_ANSWER
EDITS_IGNORED: Final = N_(
    "Los cambios a un mensaje ya enviado no cambian sus respuestas. Para corregir una "
    "respuesta, use «Atrás»."
)
