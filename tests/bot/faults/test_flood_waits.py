"""Retries do not hold the chat or the bot: 30 % of replies refused with flood waits.

Telegram's waits (1 to 30 s) are served on a clock scaled down a hundredfold, so the run
takes seconds; the bot runs in this process so its sleeps can be scaled. Throughput is
compared with a run without 429s, measured in the same test.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from tests.bot.e2e.support import captured_logs, questionnaire_engine, running_bot
from tests.bot.faults.harness import Progress, assert_export_equals, respondents
from tests.telegram_emulator import BotApiEmulator
from tests.telegram_emulator.faults import FaultKind

RESPONDENTS = 16
TIME_SCALE = 0.01  # one emulated second of flood wait lasts 10 ms
FLOOD_WAITS = (1, 5, 10, 20, 30)  # retry_after values, seconds
SHARE_REFUSED = 0.30
REPLY_METHODS = ("sendMessage", "editMessageText", "deleteMessage", "answerCallbackQuery")


async def _scaled_sleep(seconds: float) -> None:
    await asyncio.sleep(seconds * TIME_SCALE)


async def _run(tmp_path: Path, *, flood: bool) -> tuple[float, int, int]:
    """Seconds for every respondent to finish; 429s injected; replies given up."""
    async with await BotApiEmulator.start() as emulator:
        if flood:
            # Each rule refuses its share; together 30 % of the reply calls get a 429.
            each = 1 - (1 - SHARE_REFUSED) ** (1 / len(FLOOD_WAITS))
            for seed, wait in enumerate(FLOOD_WAITS):
                emulator.faults.rate_limit(REPLY_METHODS, each, retry_after=wait, seed=seed)
        # A person waits a moment (longer when the bot is slow), then sends /start.
        scripted = respondents(
            emulator, questionnaire_engine(), RESPONDENTS, 7_700_000_001, nudge_after=1.0
        )
        with captured_logs([emulator.token]) as logs:
            async with running_bot(emulator, tmp_path / "data", sleep=_scaled_sleep) as bot:
                started = time.perf_counter()
                await asyncio.gather(*(r.run(Progress()) for r in scripted))
                elapsed = time.perf_counter() - started
        await assert_export_equals(bot.settings.effective_database_url, bot.staff_key, scripted)
        given_up = logs.getvalue().count("reply given up after the last attempt")
        return elapsed, emulator.faults.injected[FaultKind.RATE_LIMIT], given_up


async def test_flood_waits_keep_throughput_within_twice_and_lose_no_screen(
    tmp_path: Path,
) -> None:
    baseline, _, _ = await _run(tmp_path / "calm", flood=False)
    flooded, refused, given_up = await _run(tmp_path / "flood", flood=True)
    print(
        f"429-free {baseline:.1f} s, with 30 % 429s {flooded:.1f} s "
        f"(ratio {flooded / baseline:.2f}); {refused} calls refused, {given_up} replies given up"
    )
    assert refused > 50
    # Every respondent finished and staff read exactly their answers (checked in `_run`):
    # a reply given up was followed by an event that showed the screen again.
    assert flooded < 2 * baseline, (baseline, flooded)


async def test_a_reply_given_up_is_counted_and_the_next_event_shows_the_screen(
    tmp_path: Path,
) -> None:
    engine = questionnaire_engine()
    async with await BotApiEmulator.start() as emulator:
        with captured_logs([emulator.token]) as logs:
            async with running_bot(emulator, tmp_path / "data", sleep=_scaled_sleep):
                user = emulator.user(7_800_000_001)
                await user.send_command("/start")
                await user.wait_for_reply()
                # Every attempt of the next reply is refused: the edit, then the new message.
                emulator.faults.rate_limit(
                    {"editMessageText", "sendMessage"}, retry_after=30, count=12
                )
                query = await user.press("Acepto")
                await emulator.wait_until(
                    lambda: emulator.faults.injected[FaultKind.RATE_LIMIT] == 12,
                    description="every attempt refused",
                )
                await user.wait_for_callback_answer(query)
                screen = user.last_bot_message()
                assert screen is not None and "Pregunta 2" not in (screen.text or "")
                # The next event, whatever it is, brings the current screen.
                await user.send_command("/ayuda")
                await user.wait_for_screen(
                    lambda shown: any("Pregunta 2" in (m.text or "") for m in shown),
                    description="the current question shown again",
                )
                shown = user.chat.last_bot_message(with_keyboard=True)
    assert logs.getvalue().count("reply given up after the last attempt: sendMessage") == 1
    assert shown is not None and engine.question("lugar_seguro").text in (shown.text or "")
