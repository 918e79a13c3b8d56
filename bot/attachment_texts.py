"""The Spanish texts of the attachments question (gettext msgids), said before any file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from bot.attachment_limits import MB, FileLimits
from bot.i18n import N_

# Shown under the question's own text: what helps, what not to send, location data, how to
# cover names, the limits, and how to end. {files}, {size_mb}, {total_mb} are filled in.
GUIDE: Final = N_(
    "Sirven fotos o archivos de contratos, recibos de pago, reglamentos u órdenes escritas.\n"
    "• No envíe fotos de caras ni papeles con nombres de otras personas. Antes de la foto, "
    "tape los nombres con un papel.\n"
    "• Una foto enviada como «foto» pierde los datos del lugar donde se tomó. Enviada como "
    "«archivo», los conserva.\n"
    "• Hasta {files} archivos, de hasta {size_mb} MB cada uno y {total_mb} MB en total.\n"
    "• El texto que escriba junto al archivo no se guarda.\n"
    "Cuando termine, pulse «Listo»."
)
RECEIVED: Final = N_(
    "Archivo {number} recibido y guardado cifrado. Puede enviar otro o pulsar «Listo»."
)
TOO_LARGE: Final = N_(
    "Ese archivo pasa de {size_mb} MB y no se guardó. Envíe una foto de cada página, o un "
    "archivo más pequeño."
)
NO_ROOM: Final = N_(
    "Ese archivo no cabe: quedan {left_mb} MB para este cuestionario. Envíe uno más pequeño "
    "o pulse «Listo»."
)
TOO_MANY: Final = N_("Ya envió {files} archivos, el máximo. Pulse «Listo» para seguir.")
DAY_LIMIT: Final = N_(
    "Por hoy no se pueden recibir más archivos de esta cuenta. Pulse «Listo» para seguir."
)
WRONG_TYPE: Final = N_(
    "Ese tipo de archivo no se acepta. Envíe fotos, PDF o documentos de Word, Excel u OpenOffice."
)
NOT_RECEIVED: Final = N_("No pude recibir el archivo. Por favor, envíelo otra vez.")
# A photo, voice note, location... where no file is asked (the Telegram channel's hint too).
NOT_AN_ANSWER: Final = N_(
    "Por favor, responda con los botones o escribiendo texto. No envíe fotos, audios ni "
    "ubicaciones."
)
NOT_NOW: Final = N_(
    "Ahora no puedo recibir archivos. Responda con los botones o escribiendo texto; al final "
    "del cuestionario podrá enviar documentos."
)
SKIP_WITH_FILES: Final = N_(
    "Ya envió {files} archivos. Pulse «Listo» para guardarlos, o use /borrar para retirar "
    "todo el cuestionario."
)


def guide(translate: Callable[[str], str], limits: FileLimits) -> str:
    """The explanation shown with an attachments question, limits included."""
    return translate(GUIDE).format(
        files=limits.files,
        size_mb=limits.file_bytes // MB,
        total_mb=limits.draft_bytes // MB,
    )
