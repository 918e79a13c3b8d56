"""Bot benchmark: 100 respondents at once through the emulator, against a bare aiogram bot.

Run: `.venv/bin/python bench/bot.py [--respondents N]`. The real bot runs in this process with
long polling against the Bot API emulator on 127.0.0.1 (SQLite in a temporary folder); each
simulated respondent completes the health branch of the questionnaire by pressing the buttons
on screen and typing. Then the same respondents replay the same number of presses and typed
messages against a bare aiogram bot (a Dispatcher whose handlers answer every update with
one editMessageText and store nothing) on a fresh emulator. Printed for both: updates/s,
p50 and p99 latency (from queueing the respondent's update to the bot's first visible reply
reaching the emulator), CPU ms per update (process time of this whole process, emulator and
respondents included, over updates), and the throughput ratio (target >= 0.5).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Run as a script, this file's folder is on sys.path: the project root goes first.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiogram import Bot, Dispatcher, Router  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402
from aiogram.types import (  # noqa: E402
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from flows.engine import Engine  # noqa: E402
from tests.bot.e2e.plans import HEALTH  # noqa: E402
from tests.bot.e2e.support import (  # noqa: E402
    DONE_LABEL,
    SKIP_LABEL,
    Press,
    SkipIt,
    Tick,
    label_of,
    questionnaire_engine,
    running_bot,
)
from tests.telegram_emulator import BotApiEmulator, SimulatedUser  # noqa: E402

FIRST_USER_ID = 9_100_000_001
REPLY_TIMEOUT = 60.0


@dataclass
class Run:
    """What one side of the benchmark measured."""

    updates: int = 0
    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    cpu: float = 0.0

    @property
    def throughput(self) -> float:
        return self.updates / self.wall if self.wall else 0.0

    def line(self, name: str) -> str:
        ordered = sorted(self.latencies)
        p50 = statistics.median(ordered) * 1e3
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1e3
        cpu_ms = self.cpu / self.updates * 1e3
        return (
            f"{name:<22} {self.updates:>6} updates  {self.throughput:8.1f} updates/s  "
            f"p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  CPU {cpu_ms:5.2f} ms/update"
        )


async def act(user: SimulatedUser, run: Run, send: Any, *, typed: bool) -> None:
    """Send one update; time until the bot's first reply, then wait until it settled."""
    chat = user.chat
    marker = chat.last_reply_seq
    started = time.perf_counter()
    message_id = await send()
    if not await chat.signal.wait_for(lambda: chat.last_reply_seq > marker, REPLY_TIMEOUT):
        raise AssertionError("the bot did not reply")
    run.latencies.append(time.perf_counter() - started)
    run.updates += 1
    if typed:  # discreet mode deletes the typed answer last: wait for it when it happens
        stored = chat.messages[message_id]
        await chat.signal.wait_for(lambda: stored.deleted, 0.5)


async def questionnaire_respondent(user: SimulatedUser, engine: Engine, run: Run) -> list[bool]:
    """Complete the health branch; returns the kinds of updates sent (True: typed)."""
    kinds: list[bool] = [True]
    await act(user, run, lambda: user.send_command("/start"), typed=True)
    while True:
        last = user.last_bot_message()
        if last is not None and not last.buttons and "recibo" in (last.text or ""):
            return kinds  # the receipt: complete
        message = user.chat.last_bot_message(with_keyboard=True)
        assert message is not None, "no question on screen"
        text = message.text or ""
        question = max(
            (q for q in engine.questions if q.text and q.text in text), key=lambda q: len(q.text)
        )
        answer = HEALTH.get(question.id, SkipIt())
        labels: list[str] = []
        if isinstance(answer, Press):
            labels = [label_of(question, answer.code)]
        elif isinstance(answer, Tick):
            labels = [label_of(question, code) for code in answer.codes] + [DONE_LABEL]
        elif isinstance(answer, SkipIt):
            labels = [SKIP_LABEL]
        else:
            for part in answer.parts:
                await act(user, run, lambda part=part: user.send_text(part), typed=True)
                kinds.append(True)
            labels = [DONE_LABEL] if question.multipart else []
        for label in labels:
            await act(user, run, lambda label=label: user.press(label), typed=False)
            kinds.append(False)


async def replaying_respondent(user: SimulatedUser, run: Run, kinds: list[bool]) -> None:
    """The same number and kinds of updates, against the bare bot."""
    await act(user, run, lambda: user.send_command("/start"), typed=False)
    for typed in kinds[1:]:
        if typed:
            await act(user, run, lambda: user.send_text("respuesta"), typed=False)
        else:
            await act(user, run, lambda: user.press("Siguiente"), typed=False)


def bare_router() -> Router:
    """Every update answered with one editMessageText of the chat's message; nothing stored."""
    router = Router()
    shown: dict[int, int] = {}  # chat -> the bot's message: memory only, as a bare bot would
    counter = iter(range(1, 10**9))
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Siguiente", callback_data="next")]]
    )

    @router.message()
    async def on_message(message: Message) -> None:
        chat_id = message.chat.id
        if chat_id not in shown:
            sent = await message.answer("Pregunta 0", reply_markup=keyboard, protect_content=True)
            shown[chat_id] = sent.message_id
            return
        await message.bot.edit_message_text(  # type: ignore[union-attr]
            text=f"Pregunta {next(counter)}",
            chat_id=chat_id,
            message_id=shown[chat_id],
            reply_markup=keyboard,
        )

    @router.callback_query()
    async def on_press(query: CallbackQuery) -> None:
        if isinstance(query.message, Message):
            await query.message.edit_text(f"Pregunta {next(counter)}", reply_markup=keyboard)

    return router


async def measure_bot(respondents: int) -> tuple[Run, list[list[bool]]]:
    run = Run()
    with tempfile.TemporaryDirectory() as folder:
        async with (
            await BotApiEmulator.start() as emulator,
            running_bot(emulator, Path(folder) / "data"),
        ):
            users = [emulator.user(FIRST_USER_ID + i) for i in range(respondents)]
            engine = questionnaire_engine()
            cpu, wall = time.process_time(), time.perf_counter()
            kinds = await asyncio.gather(*(questionnaire_respondent(u, engine, run) for u in users))
            run.wall = time.perf_counter() - wall
            run.cpu = time.process_time() - cpu
    return run, list(kinds)


async def measure_bare(kinds: list[list[bool]]) -> Run:
    run = Run()
    async with await BotApiEmulator.start() as emulator:
        session = AiohttpSession(api=TelegramAPIServer.from_base(emulator.api_base))
        bot = Bot(emulator.token, session=session)
        dispatcher = Dispatcher()
        dispatcher.include_router(bare_router())
        polling = asyncio.create_task(
            dispatcher.start_polling(bot, handle_signals=False, polling_timeout=5)
        )
        await emulator.wait_until(lambda: emulator.bot_is_polling, 15, "the bare bot polling")
        users = [emulator.user(FIRST_USER_ID + i) for i in range(len(kinds))]
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(
            *(replaying_respondent(u, run, k) for u, k in zip(users, kinds, strict=True))
        )
        run.wall = time.perf_counter() - wall
        run.cpu = time.process_time() - cpu
        await dispatcher.stop_polling()
        await polling
        await session.close()
    return run


async def main(respondents: int) -> None:
    logging.basicConfig(level=logging.WARNING)
    bot, kinds = await measure_bot(respondents)
    bare = await measure_bare(kinds)
    print(f"{respondents} respondents completing the questionnaire concurrently (SQLite)")
    print(bot.line("oclep bot"))
    print(bare.line("bare aiogram bot"))
    ratio = bot.throughput / bare.throughput
    verdict = "meets" if ratio >= 0.5 else "misses"
    print(f"throughput ratio oclep/bare: {ratio:.2f} ({verdict} the 0.5 target)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=100)
    asyncio.run(main(parser.parse_args().respondents))
