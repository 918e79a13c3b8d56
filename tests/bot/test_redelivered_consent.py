"""A consent press delivered again after its questionnaire ended starts nothing.

A draft's processed updates end with it, so the update that started a questionnaire is kept
apart (a keyed digest, two days): a webhook retry or a poll after a crash that brings the
"Acepto" press again finds it, where it would otherwise begin a second questionnaire that
the respondent never asked for.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from bot.events import Text
from storage.database import Database
from storage.tables import STARTED_UPDATE_DAYS, STARTED_UPDATES
from tests.bot.conversation_support import world

WALK = {"lugar_seguro": "si", "rol": "salud_cuba"}


async def test_consent_press_delivered_again_after_completion_starts_no_questionnaire(
    database: Database, tmp_path: Path
) -> None:
    async with world(database, tmp_path) as w:
        chat = w.respondent()
        await chat.start()
        acepto = chat.option("Acepto").token
        await chat.press_token(acepto, update_id=5_000)
        await chat.walk(WALK)
        assert len(await w.submissions()) == 1 and await w.count_drafts() == 0
        async with w.unchanged("the same press delivered again"):
            assert await chat.press_token(acepto, update_id=5_000) == ()
        # A new press, on a consent screen shown by /start, is a new consent.
        await chat.start()
        await chat.press("Acepto")
        assert chat.current().id == "lugar_seguro" and await w.count_drafts() == 1


async def test_typed_consent_delivered_again_after_completion_starts_no_questionnaire(
    database: Database, tmp_path: Path
) -> None:
    async with world(database, tmp_path) as w:
        chat = w.respondent()
        await chat.start()
        await chat.send(Text("acepto", message_ref=7), update_id=6_000)
        assert chat.current().id == "lugar_seguro"
        await chat.walk(WALK)
        async with w.unchanged("the typed consent delivered again"):
            await chat.send(Text("acepto", message_ref=7), update_id=6_000)
        assert await w.count_drafts() == 0


async def test_consent_press_delivered_again_while_answering_changes_nothing(
    database: Database, tmp_path: Path
) -> None:
    async with world(database, tmp_path) as w:
        chat = w.respondent()
        await chat.start()
        acepto = chat.option("Acepto").token
        await chat.press_token(acepto, update_id=5_000)
        await chat.answer("si")
        async with w.unchanged("the consent press again, mid-questionnaire"):
            await chat.press_token(acepto, update_id=5_000)
        assert chat.current().id == "rol"


async def test_started_updates_are_forgotten_after_two_days(
    database: Database, tmp_path: Path
) -> None:
    now = [datetime(2025, 6, 1, 12, 0)]
    async with world(database, tmp_path, clock=lambda: now[0]) as w:
        first = w.respondent(user_id=777_000_001)
        await first.start()
        await first.press("Acepto")
        assert await w.count(STARTED_UPDATES) == 1
        now[0] += timedelta(days=STARTED_UPDATE_DAYS + 1)
        second = w.respondent(user_id=777_000_002)
        await second.start()
        await second.press("Acepto")
        assert await w.count(STARTED_UPDATES) == 1  # the first one's digest is gone
