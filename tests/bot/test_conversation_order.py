"""Order and question are part of the answer: late messages, parts in the order typed."""

from __future__ import annotations

import itertools
from pathlib import Path

from bot import texts
from bot.events import Text
from bot.replies import Prompt
from flows.answers import SKIPPED
from storage.database import Database
from tests.bot.conversation_support import CATALOGS, TO_COUNTRY, Typed, consented

LATE = CATALOGS.gettext("es", texts.LATE_MESSAGE)


async def test_a_typed_message_older_than_the_question_on_screen_is_refused_kindly(
    database: Database, tmp_path: Path
) -> None:
    async with consented(database, tmp_path) as (w, chat):
        await chat.answer_each(TO_COUNTRY)
        assert chat.current().id == "pais"
        # Two quick messages while the country question is on screen, delivered in reverse:
        # the newer one (11) answers the question on screen...
        await chat.send(Text("Venezuela", message_ref=11))
        assert chat.current().id == "anio_inicio"
        # ...and the older one (10), typed for the country question, arrives late: it is
        # not filed under the year question now on screen.
        async with w.unchanged():
            await chat.send(Text("2016", message_ref=10))
        assert LATE in chat.notices()
        assert "ya habíamos pasado a otra pregunta" in LATE
        assert chat.current().id == "anio_inicio"
        assert any(isinstance(r, Prompt) for r in chat.replies)  # the current screen again
        chat.message_ids = itertools.count(12)  # the chat's next messages
        await chat.type("2017")
        assert chat.current().id == "entidad"
        await chat.walk({})
        [submission] = await w.submissions()
        assert submission.answers["pais"] == "VE" and submission.answers["anio_inicio"] == 2017


async def test_testimony_parts_are_read_in_the_order_typed_not_arrived(
    database: Database, tmp_path: Path
) -> None:
    async with consented(database, tmp_path) as (w, chat):
        await chat.answer_each([*TO_COUNTRY, Typed("Venezuela", "VE")])
        while chat.current().id != "testimonio":
            await chat.answer(SKIPPED)
        await chat.send(Text("Segunda parte.", message_ref=501))  # arrived first
        await chat.send(Text("Primera parte.", message_ref=500))  # typed first, arrived late
        assert LATE not in chat.notices()
        await chat.press("Listo")
        await chat.walk({})
        [submission] = await w.submissions()
        assert submission.answers["testimonio"] == "Primera parte.\nSegunda parte."
