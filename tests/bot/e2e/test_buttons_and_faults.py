"""Going back, stale and forged buttons, repeated deliveries, 429s: each answer stored once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.callback_data import Action, QuestionToken, decode, encode
from tests.bot.e2e.plans import HEALTH
from tests.bot.e2e.support import (
    BACK_LABEL,
    Press,
    Respondent,
    RunningBot,
    questionnaire_engine,
    running_bot,
)
from tests.telegram_emulator import BotApiEmulator, FaultKind

STALE_NOTICE = "Esa pregunta ya fue respondida."


async def stored_answer_count(bot: RunningBot) -> int:
    return sum(s.meta.answer_count for s in await bot.submissions())


async def test_back_then_another_answer_drops_the_abandoned_branch(tmp_path: Path) -> None:
    engine = questionnaire_engine()
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(emulator, tmp_path / "data") as bot,
    ):
        respondent = Respondent(emulator.user(6_100_001), engine)
        await respondent.start()
        for answer in (
            Press("acepto"),
            Press("si"),
            Press("mision_actual"),
            Press("salud"),
            Press("medico"),
        ):
            await respondent.answer(answer)
        assert respondent.screen_question()[0].id == "pais"
        for _ in range(3):  # pais -> profesion_salud -> sector -> rol
            await respondent.press(BACK_LABEL)
        assert respondent.screen_question()[0].id == "rol"
        for abandoned in ("sector", "profesion_salud"):
            del respondent.given[abandoned]
        await respondent.complete(HEALTH)
        (submission,) = await bot.submissions()
    record = engine.prune_answers(submission.answers)
    assert record == respondent.given
    assert record["rol"] == "paciente_cuba"
    assert "sector" not in record and "profesion_salud" not in record


async def test_stale_double_tapped_repeated_and_forged_presses_store_once(
    tmp_path: Path,
) -> None:
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(emulator, tmp_path / "data") as bot,
    ):
        respondent = Respondent(emulator.user(6_100_002), questionnaire_engine())
        user = respondent.user
        await respondent.start()
        await respondent.answer(Press("acepto"))
        question, screen = respondent.screen_question()
        assert question.id == "lugar_seguro"
        yes = screen.find_button("Sí")
        assert yes is not None and yes.callback_data is not None

        # Double tap: two identical presses before the bot answers the first.
        first = await user.send_callback(yes.callback_data, message_id=screen.message_id)
        second = await user.send_callback(yes.callback_data, message_id=screen.message_id)
        await emulator.wait_until(
            lambda: user.callback_answer(second) is not None, description="both answered"
        )
        await user.wait_for_reply()
        assert respondent.screen_question()[0].id == "rol"
        assert await stored_answer_count(bot) == 2  # consent + lugar_seguro, once
        assert user.callback_answer(first) is not None

        # The same press again later: a stale button.
        stale = await user.send_callback(yes.callback_data, message_id=screen.message_id)
        await emulator.wait_until(lambda: user.callback_answer(stale) is not None)
        assert (user.callback_answer(stale) or {}).get("text") == STALE_NOTICE
        assert respondent.screen_question()[0].id == "rol"

        # The same update delivered twice by Telegram.
        emulator.faults.duplicate_delivery(count=1)
        await respondent.answer(Press("paciente_cuba"))
        await asyncio.sleep(0.2)  # let the copy arrive and be handled
        assert emulator.faults.injected[FaultKind.DUPLICATE_DELIVERY] == 1
        assert respondent.screen_question()[0].id == "provincia"
        assert await stored_answer_count(bot) == 3

        # Forged data: random, too long, another question's codes.
        _, current = respondent.screen_question()
        token = decode(current.callback_data[0])
        assert isinstance(token, QuestionToken)
        other_question = encode(QuestionToken(Action.ANSWER, token.question + 5, token.step, "0"))
        forged = ["zz:garbage:%%", "a:" + "9" * 70, other_question, "c9x", ""]
        ids = [await user.send_callback(data) for data in forged]
        await emulator.wait_until(
            lambda: all(user.callback_answer(i) is not None for i in ids),
            description="every forged press answered",
        )
        assert await stored_answer_count(bot) == 3
        assert respondent.screen_question()[0].id == "provincia"
    assert emulator.unanswered_callback_queries() == []


async def test_conversation_completes_with_429_on_a_fifth_of_sends_and_edits(
    tmp_path: Path,
) -> None:
    async with await BotApiEmulator.start() as emulator:
        emulator.faults.rate_limit(
            methods={"sendMessage", "editMessageText"}, probability=0.2, retry_after=1, seed=4
        )
        async with running_bot(emulator, tmp_path / "data") as bot:
            respondent = Respondent(emulator.user(6_100_003), questionnaire_engine())
            await respondent.start()
            await respondent.complete(HEALTH)
            submissions = await bot.submissions()
    assert emulator.faults.injected[FaultKind.RATE_LIMIT] >= 3
    assert [s.answers for s in submissions] == [respondent.given]
