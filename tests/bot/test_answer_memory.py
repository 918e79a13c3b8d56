"""This sitting's answers, in memory only: bounded in count and time, never in the draft."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bot.answer_memory import AnswerMemory, Ticks
from bot.draft_state import DraftState, decode_state, encode_state
from bot.i18n import Catalogs
from bot.shown_answers import shown_in_state
from flows.answers import ANSWERED, Money
from flows.model import Question
from storage.database import Database
from tests.bot.conversation_support import ENGINE, Chat, world


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 2, 12, 0)

    def __call__(self) -> datetime:
        return self.now


def test_kept_answers_come_back_until_forgotten() -> None:
    memory = AnswerMemory(Clock())
    memory.keep(b"draft-1", {"deuda": "si"})
    memory.keep(b"draft-1", {"pago_estado_mes": Money(Decimal("1200"), "QAR")})
    memory.keep(b"draft-2", {"deuda": "no"})
    assert dict(memory.answers(b"draft-1")) == {
        "deuda": "si",
        "pago_estado_mes": Money(Decimal("1200"), "QAR"),
    }
    memory.forget(b"draft-1")
    assert dict(memory.answers(b"draft-1")) == {}
    assert dict(memory.answers(b"draft-2")) == {"deuda": "no"}


def test_an_idle_sitting_is_dropped() -> None:
    clock = Clock()
    memory = AnswerMemory(clock, idle=timedelta(hours=2))
    memory.keep(b"draft-1", {"deuda": "si"})
    clock.now += timedelta(hours=1, minutes=59)
    assert dict(memory.answers(b"draft-1")) == {"deuda": "si"}
    memory.keep(b"draft-2", {"deuda": "no"})  # touches draft-2 only
    clock.now += timedelta(hours=2, minutes=1)
    assert dict(memory.answers(b"draft-1")) == {}
    memory.keep(b"draft-3", {"deuda": "si"})  # a write drops every idle sitting
    assert len(memory) == 1


def test_the_least_recent_sitting_goes_beyond_capacity() -> None:
    memory = AnswerMemory(Clock(), capacity=2)
    memory.keep(b"a", {"q": "1"})
    memory.keep(b"b", {"q": "2"})
    memory.tick(b"a", Ticks("restricciones", 7, 0b11))  # "a" is now the most recent
    memory.keep(b"c", {"q": "3"})
    assert len(memory) == 2
    assert dict(memory.answers(b"b")) == {}
    assert memory.ticks(b"a") == Ticks("restricciones", 7, 0b11)


def test_an_answer_clears_the_ticks_drawn_before_it() -> None:
    memory = AnswerMemory(Clock())
    memory.tick(b"a", Ticks("restricciones", 7, 0b101))
    memory.keep(b"a", {"restricciones": ("toque_queda",)})
    assert memory.ticks(b"a") is None


def test_the_draft_state_never_stores_what_memory_recalls() -> None:
    secret_text = "Nos quitaron el pasaporte en Caracas"
    state = DraftState(current="deuda", routing={"rol": "mision_actual", "deuda": ANSWERED})
    recalled = replace(
        state,
        recalled={"testimonio": secret_text, "deuda": "si"},
        ticked=Ticks("restricciones", 3, 0b1),
    )
    stored = encode_state(recalled)
    assert stored == encode_state(state)
    assert secret_text.encode() not in stored
    assert decode_state(stored) == state
    assert decode_state(stored).recalled == {}


def test_what_the_review_shows_from_memory() -> None:
    tr = Catalogs.load().translator("es")
    state = DraftState(
        current="deuda",
        routing={"rol": "mision_actual", "deuda": ANSWERED},
        recalled={"deuda": "si", "testimonio": "Nos vigilaban."},
    )
    question = ENGINE.question
    assert shown_in_state(question("rol"), state, tr) == (
        "Trabajo ahora en una misión o contrato del Estado cubano en el exterior"
    )
    assert shown_in_state(question("deuda"), state, tr) == "Sí"  # the draft holds "answered"
    assert shown_in_state(question("testimonio"), state, tr) == (
        "(texto escrito; no se muestra en modo discreto)"
    )
    plain = replace(state, discreet=False)
    assert shown_in_state(question("testimonio"), plain, tr) == "Nos vigilaban."
    assert shown_in_state(question("pais"), state, tr) is None  # not known here


async def _to_first_multi(chat: Chat) -> Question:
    """Answer (first choice, or a plausible typed value) until a multi-select is on screen."""
    typed = {"country": "Venezuela", "year": "2017"}
    for _ in range(len(ENGINE.questions)):
        question = chat.current()
        if question.type == "multi":
            return question
        if question.type in typed:
            await chat.type(typed[question.type])
        elif question.choices:
            await chat.press(question.choices[0].label)
        else:
            await chat.press("Prefiero no responder")
    raise AssertionError("no multi-select on the way")


async def test_listo_typed_sends_the_ticks_drawn_by_this_process_only(
    database: Database, tmp_path: Path
) -> None:
    async with world(database, tmp_path) as first:
        chat = first.respondent()
        await chat.consent()
        multi = await _to_first_multi(chat)
        await chat.press(multi.choices[0].label)
        ticked_prompt = chat.prompt
        # Another process (a restart, another webhook worker) never drew these ticks.
        async with world(database, tmp_path) as second:
            other = Chat(second, chat.respondent, ticked_prompt, message_ids=chat.message_ids)
            await other.type("listo")
            assert other.current().id == multi.id  # nothing submitted, nothing guessed
            assert any("pulse «Listo»" in text for text in other.notices()), other.replies
        # The process that drew them submits them, as the «Listo» button would.
        await chat.type("listo")
        assert chat.current().id != multi.id
