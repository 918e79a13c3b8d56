"""Whole conversations through the emulator: what staff decrypt, what stays in the chat."""

from __future__ import annotations

from pathlib import Path

from storage.tables import AccessCodeKind, SubmissionStatus
from tests.bot.e2e.plans import HEALTH, MISSION
from tests.bot.e2e.support import (
    Respondent,
    captured_logs,
    identity_traces,
    questionnaire_engine,
    running_bot,
)
from tests.bot.e2e.test_sources import register
from tests.conftest import DatabaseTarget
from tests.telegram_emulator import BotApiEmulator

SENDING_METHODS = ("sendMessage",)
CODE = "medicos-por-la-verdad-25"  # the link's code, registered under the label below


REPLY_METHODS = {"sendMessage", "editMessageText", "answerCallbackQuery", "deleteMessage"}


async def test_mission_branch_completes_and_leaves_no_trace(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    user_id, first_name, username = 7_391_846_205, "Yoandry", "yoandry_cu_77"
    async with await BotApiEmulator.start() as emulator:
        with captured_logs([emulator.token]) as logs:
            async with running_bot(
                emulator,
                tmp_path / "data",
                database_url=database_target.url,
            ) as bot:
                # The campaign link, registered as staff do (`oclep-admin codes add --code`).
                await register(
                    bot, AccessCodeKind.CAMPAIGN, "testimonio", "red_medicos-2025", chosen=CODE
                )
                respondent = Respondent(
                    emulator.user(user_id, first_name, username), questionnaire_engine()
                )
                await respondent.start(CODE)
                done = await respondent.complete(MISSION)
                submissions = await bot.submissions()

        # Staff decrypt exactly what was given, skips as skips, the campaign kept.
        assert len(submissions) == 1
        (submission,) = submissions
        assert submission.meta.status == SubmissionStatus.COMPLETE
        assert submission.meta.campaign == "red_medicos-2025"
        assert submission.answers == respondent.given
        assert submission.answers["testimonio"] == (
            "Nos quitaban el pasaporte al llegar.\nTrabajábamos de noche."
        )
        assert "deposito_cuba_mes" in respondent.given  # skipped on purpose: recorded as such

        # Discreet mode: typed answers deleted, one message left, protected, presses answered.
        user = respondent.user
        history = {m.message_id: m for m in user.history()}
        assert respondent.typed_message_ids
        assert all(history[i].deleted for i in respondent.typed_message_ids)
        screen = user.screen()
        assert [m.text for m in screen] == [done]
        # The bare link to pass on: the bot keeps only the code's keyed hash.
        assert "https://t.me/oclep_test_bot\n" in done + "\n"
        assert CODE not in done
        sent = emulator.calls_to("sendMessage")
        assert sent and all(call.params.get("protect_content") is True for call in sent)
        assert emulator.unanswered_callback_queries() == []
        for call in emulator.calls:
            markup = call.params.get("reply_markup") or {}
            assert "keyboard" not in markup  # inline buttons only: no contact/location request
        # The replies took the session's one-step JSON encoding (no aiogram default left
        # unset by the renderer sends them down the slow path).
        replies = [c for c in emulator.calls if c.method in REPLY_METHODS]
        assert {c.method for c in replies} == REPLY_METHODS
        assert {c.content_type for c in replies} == {"application/json"}

        # Nothing identifying at rest or in the logs.
        # Typed words (short numbers such as "2017" also occur by chance in hex dumps).
        typed = [
            part
            for answer in MISSION.values()
            for part in getattr(answer, "parts", ())
            if len(part) >= 8 and any(c.isalpha() for c in part)
        ]
        assert len(typed) >= 3
        traces = identity_traces(user_id, first_name, username, *typed, CODE)
        stored = database_target.stored_bytes()
        logged = logs.getvalue().encode()
        assert logged  # the run did log (the search below is not vacuous)
        for trace in traces:
            assert trace not in stored, trace
            assert trace not in logged, trace
        assert emulator.token.encode() not in logged


async def test_health_branch_completes(database_target: DatabaseTarget, tmp_path: Path) -> None:
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(emulator, tmp_path / "data", database_url=database_target.url) as bot,
    ):
        respondent = Respondent(emulator.user(5_550_001), questionnaire_engine())
        await respondent.start()
        await respondent.complete(HEALTH)
        submissions = await bot.submissions()
    assert [s.answers for s in submissions] == [respondent.given]
    assert submissions[0].meta.campaign is None
    assert "sector" not in respondent.given  # the mission module never showed
