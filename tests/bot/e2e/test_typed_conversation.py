"""Conversation items through the real bot: typed consent, "listo", long testimonies,
discarding parts, /discreto, "Atrás", and the return check; what staff decrypt afterwards."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from bot.i18n import Catalogs
from flows.answers import SKIPPED
from storage.keys import generate_staff_key
from storage.tables import SubmissionStatus
from tests.bot.e2e.plans import MISSION
from tests.bot.e2e.support import (
    SKIP_LABEL,
    Press,
    Respondent,
    SkipIt,
    label_of,
    questionnaire_engine,
    running_bot,
)
from tests.conftest import DatabaseTarget
from tests.telegram_emulator import BotApiEmulator, VisibleMessage

TELEGRAM_MAX_MESSAGE = 4096


async def _typed_consent(respondent: Respondent, word: str) -> None:
    await respondent.start()
    assert "¿Acepta participar?" in respondent.screen_text()
    await respondent.type(word)
    assert respondent.screen_question()[0].id == "lugar_seguro"


async def test_typed_consent_listo_and_a_full_length_testimony(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    long_message = ("Nos vigilaban y nos quitaron el pasaporte. " * 100)[:TELEGRAM_MAX_MESSAGE]
    assert len(long_message) == TELEGRAM_MAX_MESSAGE

    async def restrictions(respondent: Respondent) -> None:
        question, _ = respondent.screen_question()
        await respondent.press(label_of(question, "toque_queda"))
        await respondent.press(label_of(question, "permiso_salir"))
        await respondent.type("listo")  # as the «Listo» button: the ticks on screen are sent
        assert respondent.screen_question()[0].id != "restricciones"

    async def testimony(respondent: Respondent) -> None:
        await respondent.type(long_message)
        assert "Parte guardada" in respondent.screen_text()
        await respondent.type("Me trataron muy mal.")
        await respondent.type("Listo.")  # typed "listo" is the button, not testimony text

    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(emulator, tmp_path / "data", database_url=database_target.url) as bot,
    ):
        respondent = Respondent(emulator.user(6_200_101), questionnaire_engine())
        await _typed_consent(respondent, "sí")
        await respondent.walk(MISSION, {"restricciones": restrictions, "testimonio": testimony})
        (submission,) = await bot.submissions()
    answers = submission.answers
    assert answers["consentimiento"] == "acepto"
    assert answers["restricciones"] == ("toque_queda", "permiso_salir")
    assert answers["testimonio"] == f"{long_message}\nMe trataron muy mal."
    assert submission.meta.campaign is None  # a typed consent carries no campaign


async def test_discarding_saved_parts_asks_first(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    async def keep_then_discard(respondent: Respondent) -> None:
        await respondent.type("Trabajé en un consultorio lejos de la ciudad.")
        await respondent.press(SKIP_LABEL)
        assert "Ya guardó 1 parte de su relato" in respondent.screen_text()
        await respondent.press("No, seguir con el relato")
        assert respondent.screen_question()[0].id == "testimonio"
        await respondent.type("Nos vigilaban.")
        await respondent.press(SKIP_LABEL)
        assert "Ya guardó 2 partes de su relato" in respondent.screen_text()
        await respondent.press("Sí, descartar lo escrito")

    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(emulator, tmp_path / "data", database_url=database_target.url) as bot,
    ):
        respondent = Respondent(emulator.user(6_200_102), questionnaire_engine())
        await _typed_consent(respondent, "acepto")
        await respondent.walk(MISSION, {"testimonio": keep_then_discard})
        (submission,) = await bot.submissions()
    assert submission.answers["testimonio"] is SKIPPED  # discarded because it was confirmed
    assert "cita_permitida" not in submission.answers


async def test_discreto_back_and_return_say_where_the_respondent_is(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(emulator, tmp_path / "data", database_url=database_target.url) as bot,
    ):
        respondent = Respondent(emulator.user(6_200_103), questionnaire_engine())
        await _typed_consent(respondent, "yes")
        for code in ("si", "mision_pasada", "construccion"):
            await respondent.answer(Press(code))
        assert respondent.screen_question()[0].id == "pais"

        # /discreto shows the state and both choices; typing it again changes nothing.
        await respondent.user.send_command("/discreto")
        await respondent.user.wait_for_reply()
        assert "El modo discreto está activado" in respondent.screen_text()
        await respondent.press("Desactivar modo discreto")
        await respondent.user.send_command("/discreto")
        await respondent.user.wait_for_reply()
        assert "El modo discreto está desactivado" in respondent.screen_text()
        await respondent.press("Activar modo discreto")

        # "Atrás" shows the earlier answer the draft holds (a routing answer).
        await respondent.press("Atrás")
        assert respondent.screen_question()[0].id == "sector"
        assert "Su respuesta: Construcción" in respondent.screen_text()
        await respondent.answer(Press("construccion"))

        # Coming back: where the respondent is, and the safety check, then the question.
        await respondent.start()
        text = respondent.screen_text()
        assert "Sección: La misión · pregunta 5 de unas" in text
        assert "lugar seguro" in text
        await respondent.press("Sí, es un lugar seguro")
        assert respondent.screen_question()[0].id == "pais"
        await respondent.complete({**MISSION, "rol": Press("mision_pasada")})
        (submission,) = await bot.submissions()
    assert submission.answers["sector"] == "construccion"
    assert submission.answers["consentimiento"] == "acepto"


async def test_review_before_sending_changes_an_answer_and_reruns_relevance(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    """The last answer shows the review, not the receipt; changing "quiere_salud" to Sí asks
    the health questions that became relevant, then comes back to the review; "Enviar"
    submits what staff then decrypt."""
    plan = {**MISSION, "quiere_salud": Press("no"), "deuda": Press("si")}
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(emulator, tmp_path / "data", database_url=database_target.url) as bot,
    ):
        respondent = Respondent(emulator.user(6_200_104), questionnaire_engine())
        await respondent.start()
        await respondent.press("Acepto")
        for _ in range(len(respondent.engine.questions) + 5):
            if "Revise sus respuestas" in respondent.screen_text():
                break
            question, _ = respondent.screen_question()
            await respondent.answer(plan.get(question.id, SkipIt()))
        assert respondent.done_text() is None  # nothing sent yet
        (draft,) = await bot.submissions()
        assert draft.meta.status == SubmissionStatus.IN_PROGRESS  # not sent until "Enviar"

        # The review pages list the path: routing answers shown, others sealed.
        pages = [respondent.screen_text()]
        while "‹ Preguntas anteriores" in _buttons(respondent):
            await respondent.press("‹ Preguntas anteriores")
            pages.insert(0, respondent.screen_text())
        listing = "\n".join(pages)
        assert "Estuve en una misión y regresé" in listing  # rol, a routing answer
        # deuda is sealed to staff, but this sitting's memory shows it back; the testimony
        # is not written back into the chat in discreet mode.
        assert _shown_for(listing, "¿Se han tenido que pagar") == "Sí"
        assert _shown_for(listing, "Si desea, cuente") == (
            "(texto escrito; no se muestra en modo discreto)"
        )
        number = _number_of(listing, "¿Quiere contar también")
        while f"Cambiar la {number}" not in _buttons(respondent):
            await respondent.press("Más preguntas ›")
        await respondent.press(f"Cambiar la {number}")
        assert respondent.screen_question()[0].id == "quiere_salud"
        assert "Su respuesta: No" in respondent.screen_text()
        await respondent.answer(Press("si"))
        # Newly relevant: the health questions for mission respondents, then the review.
        asked = []
        while "Revise sus respuestas" not in respondent.screen_text():
            question, _ = respondent.screen_question()
            asked.append(question.id)
            await respondent.answer(Press("si") if question.type == "yesno" else SkipIt())
        assert asked[0] == "necesidad_no_atendida" and "testimonio" not in asked
        await respondent.press("Enviar")
        assert respondent.done_text() is not None
        (submission,) = await bot.submissions()
    assert submission.meta.status == SubmissionStatus.COMPLETE
    answers = submission.answers
    assert answers["quiere_salud"] == "si"
    assert answers["necesidad_no_atendida"] == "si"
    assert answers["deuda"] == "si"
    assert answers["testimonio"] == respondent.given["testimonio"]  # kept, not asked again


async def test_after_a_restart_the_review_says_what_it_cannot_show(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    """This sitting's answers live in the bot's memory only: after a restart the review shows
    routing answers and says the others are saved encrypted; nothing is lost for staff."""
    plan = {**MISSION, "quiere_salud": Press("no"), "deuda": Press("si")}
    staff_key = generate_staff_key()
    async with await BotApiEmulator.start() as emulator:
        respondent = Respondent(emulator.user(6_200_106), questionnaire_engine())
        async with running_bot(
            emulator, tmp_path / "data", database_url=database_target.url, staff_key=staff_key
        ):
            await respondent.start()
            await respondent.press("Acepto")
            while "Revise sus respuestas" not in respondent.screen_text():
                question, _ = respondent.screen_question()
                await respondent.answer(plan.get(question.id, SkipIt()))
            listing = await _whole_review_pages(respondent)
            assert _shown_for(listing, "¿Se han tenido que pagar") == "Sí"
        async with running_bot(
            emulator, tmp_path / "data", database_url=database_target.url, staff_key=staff_key
        ) as bot:
            await respondent.start()
            await respondent.press("Sí, es un lugar seguro")
            listing = await _whole_review_pages(respondent)
            assert _shown_for(listing, "¿Se han tenido que pagar") == "(respuesta guardada cifrada)"
            assert "Estuve en una misión y regresé" in listing  # rol, kept by the draft
            await respondent.press("Enviar")
            assert respondent.done_text() is not None
            (submission,) = await bot.submissions()
    assert submission.answers["deuda"] == "si"


async def _whole_review_pages(respondent: Respondent) -> str:
    """Every page of the review, first to last."""
    while "‹ Preguntas anteriores" in _buttons(respondent):
        await respondent.press("‹ Preguntas anteriores")
    pages = [respondent.screen_text()]
    while "Más preguntas ›" in _buttons(respondent):
        await respondent.press("Más preguntas ›")
        pages.append(respondent.screen_text())
    return "\n".join(pages)


def _shows(expected: str, shown: list[VisibleMessage]) -> bool:
    return any(expected in (message.text or "") for message in shown)


def _buttons(respondent: Respondent) -> list[str]:
    message = respondent.user.chat.last_bot_message(with_keyboard=True)
    assert message is not None
    return message.snapshot().button_texts


def _shown_for(listing: str, question_start: str) -> str:
    """The answer the review shows under a question (the line after its number)."""
    lines = listing.splitlines()
    for index, line in enumerate(lines):
        head, _, rest = line.partition(". ")
        if head.isdigit() and rest.startswith(question_start):
            return lines[index + 1].strip()
    raise AssertionError(f"{question_start!r} is not listed")


def _number_of(listing: str, question_start: str) -> int:
    for line in listing.splitlines():
        head, _, rest = line.partition(". ")
        if head.isdigit() and rest.startswith(question_start):
            return int(head)
    raise AssertionError(f"{question_start!r} is not listed")


async def test_english_typed_answers_match_english_labels(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    """A respondent whose Telegram is in English types the English labels."""
    english = Catalogs.load().translator("en")
    engine = questionnaire_engine()
    typed = [
        ("yes", "lugar_seguro"),
        ("yes", "rol"),
        ("I was on a mission, came back", "sector"),
        ("health", "profesion_salud"),
        ("doctor", "pais"),
        ("Venezuela", "anio_inicio"),
        ("2017", "anio_fin"),
        ("still going on", "pudo_negarse"),
    ]
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(emulator, tmp_path / "data", database_url=database_target.url) as bot,
    ):
        respondent = Respondent(emulator.user(6_200_105, language_code="en"), engine)
        await respondent.start()
        assert "Do you agree to take part?" in respondent.screen_text()
        for text, next_question in typed:
            expected = english(engine.question(next_question).text)
            await respondent.user.send_text(text)
            # The typed message is deleted first, then the screen edited: wait for the edit
            # (a reply-quiet window alone can fall between the two on a busy machine).
            await respondent.user.wait_for_screen(
                partial(_shows, expected), 15.0, description=f"the question after {text!r}"
            )
        while "Check your answers" not in respondent.screen_text():
            buttons = _buttons(respondent)
            await respondent.press(
                "Prefer not to answer" if "Prefer not to answer" in buttons else "No"
            )
        await respondent.press("Send")
        (submission,) = await bot.submissions()
    answers = submission.answers
    assert answers["consentimiento"] == "acepto"
    assert (answers["lugar_seguro"], answers["rol"], answers["sector"]) == (
        "si",
        "mision_pasada",
        "salud",
    )
    assert (answers["profesion_salud"], answers["pais"], answers["anio_fin"]) == (
        "medico",
        "VE",
        "sigue",
    )
