"""Three small fixes of the opening (issue 15, item 5): a /start older than the draft shows no
resume screen; an old consent button of another questionnaire starts nothing; the resume
button under a note shows the note, never skips it."""

from __future__ import annotations

from pathlib import Path

from bot.callback_data import Action, ConsentToken, QuestionToken, decode, encode
from bot.conversation import Conversation
from bot.events import Start
from bot.replies import Notice, Prompt
from bot.texts import RESUME_SAFE
from flows.engine import Engine
from flows.loader import parse_questionnaire
from storage.database import Database
from tests.bot.conversation_support import CATALOGS, Chat, World, consented, world

RESUME_START = "Sección:"  # how the resume screen begins (texts.RESUME)

NOTE_FIRST = """
id: con_nota
version: 1
title: Cuestionario con una nota
locale: es
closing: "Gracias. Recibo: {receipt}"
modules:
  - id: inicio
    title: Inicio
    questions:
      - id: consentimiento
        type: consent
        text: ¿Acepta continuar?
        choices:
          - {code: acepto, label: Acepto}
          - {code: no_acepto, label: No acepto}
        stop: {in: [no_acepto], outcome: end, message: Entendido.}
      - id: aviso
        type: note
        text: Las próximas preguntas tratan de su trabajo.
      - id: trabajo
        type: single
        text: ¿Trabaja ahora?
        choices:
          - {code: si, label: Sí}
          - {code: "no", label: "No"}
"""


async def test_a_start_older_than_the_draft_shows_no_resume_screen(
    database: Database, tmp_path: Path
) -> None:
    async with world(database, tmp_path) as w:
        chat = w.respondent()
        await chat.send(Start(None), update_id=500)
        await chat.press("Acepto")  # a later update: the draft opens, consent answered
        question = chat.current().id
        before = await w.draft_rows()
        # The same /start delivered again (a webhook retry, a poll after a crash).
        replies = await chat.send(Start(None), update_id=500)
        assert not [r for r in replies if isinstance(r, Prompt) and RESUME_START in r.text]
        assert await w.draft_rows() == before
        # A new /start still shows where the respondent is, with the safety check.
        replies = await chat.send(Start(None))
        resume = [r for r in replies if isinstance(r, Prompt)]
        assert resume and resume[0].text.startswith(RESUME_START)
        assert chat.current().id == question or resume[0].options[0].label == RESUME_SAFE


async def test_an_old_consent_of_another_questionnaire_starts_nothing(
    database: Database, tmp_path: Path
) -> None:
    async with consented(database, tmp_path) as (w, chat):
        await chat.answer("si")
        before = await w.draft_rows()
        counts = await w.counts()
        # A consent button of another questionnaire (a grant token from another link, or
        # forged): the open testimony is neither answered nor changed.
        replies = await chat.press_token(encode(ConsentToken("es", 0, "0" * 24)))
        assert all(isinstance(r, Notice) for r in replies)
        assert await w.draft_rows() == before and await w.counts() == counts


async def test_the_resume_button_under_a_note_shows_the_note(
    database: Database, tmp_path: Path
) -> None:
    engine = Engine(parse_questionnaire(NOTE_FIRST, "con_nota.yaml"))
    async with world(database, tmp_path) as base:
        conversation = Conversation(
            engine=engine,
            repository=base.conversation._repository,
            pseudonyms=base.conversation._pseudonyms,
            catalogs=CATALOGS,
            rate_limit=1000,
        )
        w = World(base.database, conversation, base.staff_key, engine)
        chat = Chat(w, base.respondent().respondent)
        await chat.start()
        await chat.press("Acepto")
        assert chat.prompt is not None and "próximas preguntas" in chat.prompt.text
        replies = await chat.start()  # back later: the resume screen
        resume = next(r for r in replies if isinstance(r, Prompt))
        token = decode(resume.options[0].token)
        assert isinstance(token, QuestionToken) and token.action is Action.RESUME
        replies = await chat.press_token(resume.options[0].token)
        shown = next(r for r in replies if isinstance(r, Prompt))
        assert "próximas preguntas" in shown.text  # the note itself, not the next question
        await chat.press("Continuar")
        assert chat.prompt is not None and "¿Trabaja ahora?" in chat.prompt.text
