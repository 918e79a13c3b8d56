"""The Telegram channel's own Spanish texts (gettext msgids): answers to updates that are not
events of the conversation."""

from __future__ import annotations

from typing import Final

from bot.i18n import N_

PRIVATE_CHATS_ONLY: Final = N_(
    "Este bot solo funciona en chats privados. Por su seguridad, escríbale directamente y no "
    "responda aquí."
)
# A voice note, video, sticker, location or contact: never taken. Photos and documents are
# the conversation's to answer (bot/attachment_intake.py), since a questionnaire may ask them.
NOT_AN_ANSWER: Final = N_(
    "Por favor, responda con los botones o escribiendo texto. Aquí no se reciben audios, "
    "videos, stickers ni ubicaciones."
)
EDITS_IGNORED: Final = N_(
    "Los cambios a un mensaje ya enviado no cambian sus respuestas. Para corregir una "
    "respuesta, use «Atrás»."
)
