"""The conversation's own Spanish texts (gettext msgids); the questionnaire brings the rest."""

from __future__ import annotations

from typing import Final

from babel import Locale

from bot.i18n import N_, Plural
from flows.locales import SUPPORTED_LOCALES

# Buttons
SKIP: Final = N_("Prefiero no responder")
BACK: Final = N_("Atrás")
DONE: Final = N_("Listo")
CONTINUE: Final = N_("Continuar")
SELECTED_MARK: Final = "✅ "
SWITCH_TO_ENGLISH: Final = "🌐 English"
SWITCH_TO_SPANISH: Final = "🌐 Español"
# Each language named in itself ("Español", "English"), from the Unicode CLDR via Babel.
LANGUAGE_NAMES: Final = {
    code: str(Locale.parse(code).get_display_name(code)).capitalize() for code in SUPPORTED_LOCALES
}
DELETE_YES: Final = N_("Sí, borrar mis respuestas")
DELETE_RECEIPT_YES: Final = N_("Sí, borrar ese cuestionario")
DELETE_NO: Final = N_("No, volver")
DISCARD_YES: Final = N_("Sí, descartar lo escrito")
KEEP_WRITING: Final = N_("No, seguir con el relato")
DISCREET_TURN_ON: Final = N_("Activar modo discreto")
DISCREET_TURN_OFF: Final = N_("Desactivar modo discreto")
RESUME_SAFE: Final = N_("Sí, es un lugar seguro")
SEND: Final = N_("Enviar")
REVIEW_NEXT: Final = N_("Más preguntas ›")
REVIEW_PREVIOUS: Final = N_("‹ Preguntas anteriores")
# The review's change buttons carry the question's number: "Cambiar la 12".
REVIEW_CHANGE: Final = N_("Cambiar la {n}")
# Another questionnaire asked for while one is open (bot/opening.py).
KEEP_OPEN_DRAFT: Final = N_("Seguir con el que tengo")
SET_DRAFT_ASIDE: Final = N_("Guardarlo y empezar otro")
# Every fixed button label of the bot's screens (choice labels come from the questionnaire):
# each fits a phone's inline button, ≤ 32 characters in every language (tests/bot).
BUTTON_LABELS: Final = (
    SKIP,
    BACK,
    DONE,
    CONTINUE,
    SWITCH_TO_ENGLISH,
    SWITCH_TO_SPANISH,
    *LANGUAGE_NAMES.values(),
    DELETE_YES,
    DELETE_RECEIPT_YES,
    DELETE_NO,
    DISCARD_YES,
    KEEP_WRITING,
    DISCREET_TURN_ON,
    DISCREET_TURN_OFF,
    RESUME_SAFE,
    SEND,
    REVIEW_NEXT,
    REVIEW_PREVIOUS,
    REVIEW_CHANGE,
    KEEP_OPEN_DRAFT,
    SET_DRAFT_ASIDE,
)

# Counted by {total}: "de unas 1" would be wrong (the estimate is exact at the last question).
PROGRESS: Final = Plural("Pregunta {position} de {total}", "Pregunta {position} de unas {total}")

# Notes shown above a question
PART_SAVED: Final = N_("Parte guardada. Puede seguir escribiendo en otro mensaje o pulsar «Listo».")
TEXT_NEEDED: Final = N_("Escriba su respuesta en un mensaje, o pulse «Prefiero no responder».")
MULTI_HINT: Final = N_("Marque todas las opciones que correspondan y pulse «Listo».")
# Counted by the parts left; {chars} is always large (thousands).
TEXT_ROOM: Final = Plural(
    "Todavía puede enviar {parts} parte, de {chars} caracteres como máximo.",
    "Todavía puede enviar hasta {parts} partes, con {chars} caracteres en total como máximo.",
)
TEXT_FULL: Final = N_("Ya recibimos todas las partes que caben. Pulse «Listo» para seguir.")
TEXT_PART_TOO_LONG: Final = Plural(
    "Esa parte no cabe: puede enviar {chars} carácter más. Escríbala más corta o pulse «Listo».",
    "Esa parte no cabe: puede enviar {chars} caracteres más. Escríbala más corta o pulse «Listo».",
)

# Screens of the conversation itself
DISCARD_PARTS: Final = Plural(
    "Ya guardó {n} parte de su relato. Si elige «Prefiero no responder», se descarta y no se "
    "guarda. ¿La descartamos?",
    "Ya guardó {n} partes de su relato. Si elige «Prefiero no responder», se descartan y no se "
    "guardan. ¿Las descartamos?",
)
MULTI_DONE_TYPED: Final = N_(
    "Para terminar, pulse «Listo» debajo de las opciones. Lo que marcó sigue marcado."
)
PREVIOUS_ANSWER: Final = N_("Su respuesta: {answer}")
PREVIOUS_SEALED: Final = N_(
    "Ya respondió esta pregunta. Su respuesta se guardó cifrada y no se puede mostrar aquí; "
    "si responde de nuevo, la reemplaza."
)
DISCREET_IS_ON: Final = N_(
    "El modo discreto está activado: borramos del chat sus respuestas escritas después de "
    "guardarlas."
)
DISCREET_IS_OFF: Final = N_(
    "El modo discreto está desactivado: sus respuestas escritas quedan en el chat."
)
RESUME: Final = N_(
    "Sección: {section} · pregunta {position} de unas {total}\n\n"
    "Antes de seguir: ¿está en un lugar seguro, donde nadie vea su pantalla? Si no, cierre el "
    "chat y vuelva después con /start: sus respuestas quedan guardadas."
)
DRAFT_OPEN: Final = N_(
    "Tiene un cuestionario sin terminar (sección: {section} · pregunta {position} de unas "
    "{total}). Solo puede llenar uno a la vez.\n\n"
    "Puede seguir con ese, o guardarlo como está y empezar el otro. Si lo guarda, lo que ya "
    "respondió llega al observatorio como cuestionario incompleto: no se pierde, pero ya no "
    "podrá seguirlo ni borrarlo."
)
SET_ASIDE_DONE: Final = N_("Su cuestionario anterior quedó guardado como incompleto.")
# A deep link whose code staff revoked: it opens nothing, and says no more than that.
LINK_REVOKED: Final = N_(
    "Este enlace ya no está activo. Si necesita uno, pídalo a quien se lo dio."
)
# Interview mode: an investigator records a testimony on an interviewee's behalf.
INTERVIEW_CONSENT: Final = N_(
    "MODO ENTREVISTA. Usted va a registrar el testimonio de otra persona. Léale en voz alta "
    "todo el texto que sigue, con calma, y marque la respuesta que ella le dé. Si no acepta, "
    "pulse «No acepto».\n\n"
    "— Texto para leer en voz alta —"
)
INTERVIEW_DONE: Final = N_(
    "Entrevista guardada. Para la persona entrevistada: su número de recibo es {receipt}. "
    "Muéstreselo para que lo anote y lo guarde en un lugar seguro: con ese número puede pedir "
    "que se retire su testimonio. Para registrar otra entrevista, vuelva a abrir su enlace."
)

REVIEW_TITLE: Final = N_(
    "Revise sus respuestas antes de enviarlas. Pulse «Cambiar» para cambiar una; cuando esté "
    "conforme, pulse «Enviar»."
)
REVIEW_SEALED: Final = N_("(respuesta guardada cifrada)")
HOURS_PER_WEEK: Final = N_("{hours} horas por semana")
TEXT_NOT_SHOWN: Final = N_("(texto escrito; no se muestra en modo discreto)")

# Notices
STALE: Final = N_("Esa pregunta ya fue respondida.")
LATE_MESSAGE: Final = N_(
    "Su mensaje llegó cuando ya habíamos pasado a otra pregunta, así que no lo guardé como "
    "respuesta. Por favor, responda la pregunta que ve ahora."
)
NO_EARLIER_QUESTION: Final = N_("Esta es la primera pregunta.")
TOO_FAST: Final = N_("Va muy rápido. Espere un minuto y siga, por favor.")
TOO_FAST_TYPED: Final = N_(
    "Va muy rápido: no leímos su mensaje y lo borramos del chat. Espere un minuto y escríbalo "
    "otra vez, por favor."
)
TRY_AGAIN: Final = N_("No pudimos guardar eso. Inténtelo otra vez, por favor.")
TRY_AGAIN_TYPED: Final = N_(
    "No pudimos guardar su mensaje y lo borramos del chat por discreción. Escríbalo otra vez "
    "dentro de un momento, por favor."
)
TESTIMONY_LIMIT_REACHED: Final = Plural(
    "Ya recibimos {count} testimonio desde esta cuenta hoy. Muchas gracias. Si quiere dar "
    "otro, vuelva mañana, por favor.",
    "Ya recibimos {count} testimonios desde esta cuenta hoy. Muchas gracias. Si quiere dar "
    "otro, vuelva mañana, por favor.",
)
START_HINT: Final = N_("Para empezar o seguir el cuestionario, escriba /start.")
CHOOSE_LANGUAGE: Final = N_("Elija su idioma:")
DISCREET_ON: Final = N_(
    "Modo discreto activado: borraremos sus respuestas escritas del chat después de guardarlas."
)
DISCREET_OFF: Final = N_(
    "Modo discreto desactivado: sus respuestas escritas quedarán en el chat. Para volver a "
    "activarlo, escriba /discreto."
)
DISCREET_BEFORE_START: Final = N_(
    "El modo discreto está activado: borraremos sus respuestas escritas del chat después de "
    "guardarlas. Podrá cambiarlo con /discreto cuando haya empezado."
)
UNKNOWN_COMMAND: Final = N_(
    "No conozco esa orden. Puede usar /start, /ayuda, /privacidad, /borrar, /idioma y /discreto."
)
HELP: Final = N_(
    "Este bot recoge testimonios sobre las misiones de trabajo del Estado cubano y sobre la "
    "salud en Cuba.\n\n"
    "• Responda con los botones o escribiendo.\n"
    "• «Prefiero no responder» salta una pregunta; «Atrás» vuelve a la anterior.\n"
    "• Puede parar cuando quiera y seguir después con /start.\n\n"
    "Órdenes:\n"
    "/start: empezar o seguir\n"
    "/privacidad: qué guardamos y qué ve Telegram\n"
    "/borrar: borrar sus respuestas\n"
    "/idioma: cambiar el idioma\n"
    "/discreto: borrar o no del chat sus respuestas escritas"
)
PRIVACY: Final = N_(
    "Qué guardamos: sus respuestas, cifradas de modo que solo el equipo del observatorio puede "
    "leerlas. No guardamos su nombre, su teléfono, su usuario ni su número de Telegram. Un "
    "recibo le permite borrar sus respuestas después.\n\n"
    "Qué ve Telegram: Telegram puede ver este chat, como cualquier otro. Por eso, en modo "
    "discreto borramos del chat lo que usted escribe después de guardarlo.\n\n"
    "Para no dejar rastro en su teléfono: mantenga pulsado este chat, elija «Eliminar» y "
    "marque «Eliminar también para el bot». En Ajustes › Notificaciones puede desactivar la "
    "vista previa de los mensajes."
)
DELETE_CONFIRM: Final = N_(
    "¿Quiere borrar todas las respuestas de este cuestionario sin terminar? No se puede deshacer."
)
# Without the receipt: this prompt stays in the chat until it is answered.
DELETE_RECEIPT_CONFIRM: Final = N_(
    "¿Quiere borrar el cuestionario terminado de ese recibo? No se puede deshacer."
)
RECEIPT_CONFIRMATION_EXPIRED: Final = N_(
    "Esa confirmación ya no vale. Si quiere borrar un cuestionario terminado, escriba /borrar "
    "y su número de recibo otra vez."
)
DELETE_NOTHING: Final = N_(
    "No tiene un cuestionario sin terminar. Para borrar uno terminado, escriba /borrar "
    "seguido de su número de recibo, por ejemplo: /borrar 1234 5678 9012 3456"
)
DELETE_BAD_RECEIPT: Final = N_(
    "Ese número de recibo no es válido. Tiene 16 cifras, por ejemplo: 1234 5678 9012 3456"
)
DELETED_DRAFT: Final = N_(
    "Sus respuestas fueron borradas. Si quiere empezar de nuevo, escriba /start."
)
DELETED_RECEIPT: Final = N_("El cuestionario de ese recibo fue borrado.")
RECEIPT_NOT_FOUND: Final = N_(
    "No encontramos un cuestionario con ese recibo. Revise el número, por favor."
)
DELETE_CANCELLED: Final = N_("No se borró nada.")
SHARE: Final = N_("Enlace para compartir: {link}")
UNFINISHED_KEPT: Final = Plural(
    "Si deja el cuestionario sin terminar, sus respuestas quedan guardadas. Después de {days} "
    "día sin actividad pasan a ser un testimonio incompleto y usted ya no podrá borrarlas. "
    "Hasta entonces puede borrarlas con /borrar.",
    "Si deja el cuestionario sin terminar, sus respuestas quedan guardadas. Después de {days} "
    "días sin actividad pasan a ser un testimonio incompleto y usted ya no podrá borrarlas. "
    "Hasta entonces puede borrarlas con /borrar.",
)

# A press on a questionnaire that is no longer open: finished, deleted, or expired unseen.
NOT_OPEN: Final = Plural(
    "Este cuestionario ya no está abierto. Si lo dejó sin terminar más de {days} día, sus "
    "respuestas se guardaron como un testimonio incompleto. Para empezar uno nuevo, escriba "
    "/start.",
    "Este cuestionario ya no está abierto. Si lo dejó sin terminar más de {days} días, sus "
    "respuestas se guardaron como un testimonio incompleto. Para empezar uno nuevo, escriba "
    "/start.",
)
# Said when the respondent's own event finds their draft past its expiry.
EXPIRED_KEPT: Final = Plural(
    "Su cuestionario anterior pasó más de {days} día sin actividad: sus respuestas se "
    "guardaron como un testimonio incompleto. Si quiere, puede empezar uno nuevo aquí.",
    "Su cuestionario anterior pasó más de {days} días sin actividad: sus respuestas se "
    "guardaron como un testimonio incompleto. Si quiere, puede empezar uno nuevo aquí.",
)
