"""Telegram's flood limits kept ahead of time: a burst of respondents served with no 429.

The emulator enforces Telegram's limits with its own model (tests/telegram_emulator/flood.py);
the bot paces with bot/telegram/pacing.py. The two are written apart, so a pacing error shows
as a 429 here.
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

from bot.telegram.pacing import PaceLimits, Pacer
from tests.bot.e2e.support import running_bot
from tests.telegram_emulator import BotApiEmulator, FloodControl, FloodLimits

BURST = 40  # more first screens at once than the (scaled) limits allow


# Limits scaled up fivefold, so the tests take seconds; the margins stay wide enough for a
# busy machine's event loop.
FAST = PaceLimits(per_chat_rate=5, per_chat_burst=2, global_rate=125, global_burst=10)
FAST_TELEGRAM = FloodLimits(per_chat_rate=5, per_chat_burst=3, global_rate=150, global_burst=30)
# Telegram's limits scaled down for the burst tests, so that even a bot slowed by a busy
# machine (the whole suite on two cores) sends faster than they allow when it does not pace;
# the paced bot is told the overall budget, as `OCLEP_TELEGRAM_MESSAGES_PER_SECOND` says.
TIGHT_TELEGRAM = FloodLimits(global_rate=5.0, global_burst=10)
TIGHT_BUDGET = 4.0


async def _departures(pacer: Pacer, chats: list[int | None]) -> list[tuple[float, int | None]]:
    """Every call waits its turn at once; (moment it may go, chat) in departure order."""
    loop = asyncio.get_running_loop()
    out: list[tuple[float, int | None]] = []

    async def one(chat: int | None) -> None:
        await pacer.wait_turn(chat)
        out.append((loop.time(), chat))

    await asyncio.gather(*(one(chat) for chat in chats))
    return out


async def test_a_chat_gets_its_burst_then_one_message_per_interval() -> None:
    start = asyncio.get_running_loop().time()
    times = [t - start for t, _ in await _departures(Pacer(FAST), [42] * 4)]
    interval = 1 / FAST.per_chat_rate
    assert times[1] < interval / 2  # the burst of two goes at once
    assert times[2] >= interval * 0.95 and times[3] >= 2 * interval * 0.95


async def test_edits_and_other_chats_do_not_wait_behind_a_busy_chat() -> None:
    pacer = Pacer(FAST)
    loop = asyncio.get_running_loop()
    start = loop.time()
    busy = asyncio.gather(*(pacer.wait_turn(42) for _ in range(5)))
    await asyncio.sleep(0)
    await pacer.wait_turn(None)  # an edit
    await pacer.wait_turn(7)  # another chat's first message
    assert loop.time() - start < 1 / FAST.per_chat_rate
    await busy


async def test_paced_calls_never_exceed_telegrams_limits() -> None:
    """Random traffic, paced, then judged by the emulator's own model of the limits."""
    rng = random.Random(14)
    flood = FloodControl(FAST_TELEGRAM)
    pacer = Pacer(FAST)
    refused = 0

    async def call(chat: int | None, delay: float) -> None:
        nonlocal refused
        await asyncio.sleep(delay)
        await pacer.wait_turn(chat)
        method = "editMessageText" if chat is None else "sendMessage"
        refused += flood.check(method, chat) is not None

    calls = [(rng.choice([None, 1, 2, 3, 4, 5, 6]), rng.uniform(0, 0.5)) for _ in range(300)]
    await asyncio.gather(*(call(chat, delay) for chat, delay in calls))
    assert refused == 0
    assert pacer.delayed > 0  # the traffic was above the limits: pacing had work to do


async def test_a_stalled_event_loop_does_not_release_its_backlog_at_once() -> None:
    """Calls booked while the loop is blocked (a CPU-bound burst) leave within the limits.

    Without the departure gate, every call whose moment passed during the stall would
    leave together: here about 0.4 s x 125/s + 10 = 60 at once against a burst of 10.
    """
    pacer = Pacer(FAST)
    loop = asyncio.get_running_loop()
    departed: list[float] = []

    async def edit() -> None:
        await pacer.wait_turn(None)
        departed.append(loop.time())

    calls = [asyncio.create_task(edit()) for _ in range(80)]
    await asyncio.sleep(0.01)  # every call has booked its moment and sleeps
    time.sleep(0.4)  # noqa: ASYNC251 -- the point: the event loop stalls, as under a CPU-bound burst
    await asyncio.gather(*calls)
    judge = FloodControl(
        FloodLimits(global_rate=FAST.global_rate, global_burst=FAST.global_burst + 1),
        clock=iter(departed).__next__,
    )
    refused = sum(judge.check("editMessageText", None) is not None for _ in departed)
    assert refused == 0


async def test_a_stall_does_not_crowd_one_chats_messages_either() -> None:
    """A chat's next message is counted from when the previous one really left.

    Behind a stall the departure gate delays calls; a chat whose messages were counted when
    they were booked would then see them leave closer together than its limit allows.
    """
    pacer = Pacer(FAST)
    loop = asyncio.get_running_loop()
    departed: list[tuple[float, int | None]] = []

    async def call(chat: int | None) -> None:
        await pacer.wait_turn(chat)
        departed.append((loop.time(), chat))

    chats: list[int | None] = [None] * 120 + [1, 2, 3] * 8
    random.Random(14).shuffle(chats)
    calls = [asyncio.create_task(call(chat)) for chat in chats]
    for _ in range(3):  # stalls while the chats' messages wait their turns
        await asyncio.sleep(0.05)
        time.sleep(0.3)  # noqa: ASYNC251 -- the point: the event loop stalls
    await asyncio.gather(*calls)
    departed.sort()
    judge = FloodControl(
        FloodLimits(
            per_chat_rate=FAST.per_chat_rate,
            per_chat_burst=FAST.per_chat_burst + 1,
            global_rate=FAST.global_rate,
            global_burst=FAST.global_burst + 1,
        ),
        clock=iter([moment for moment, _ in departed]).__next__,
    )
    refused = [
        chat
        for _, chat in departed
        if judge.check("editMessageText" if chat is None else "sendMessage", chat) is not None
    ]
    assert refused == []


async def _burst(emulator: BotApiEmulator) -> list[float]:
    """BURST respondents send /start at once; seconds until each sees the first screen."""
    users = [emulator.user(8_100_000 + i) for i in range(BURST)]
    started = asyncio.get_running_loop().time()

    async def one(user_index: int) -> float:
        user = users[user_index]
        await user.send_command("/start")
        await emulator.wait_until(
            lambda: user.last_bot_message() is not None, 60, "the first screen"
        )
        return asyncio.get_running_loop().time() - started

    return list(await asyncio.gather(*(one(i) for i in range(BURST))))


async def test_a_burst_is_served_without_a_single_429(tmp_path: Path) -> None:
    async with (
        await BotApiEmulator.start(flood_limits=TIGHT_TELEGRAM) as emulator,
        running_bot(emulator, tmp_path / "data", telegram_messages_per_second=TIGHT_BUDGET) as _bot,
    ):
        waits = await _burst(emulator)
        assert emulator.flood is not None
        assert emulator.flood.refused == 0
        assert len(waits) == BURST
        assert [c for c in emulator.calls if c.status == 429] == []


async def test_without_pacing_the_same_burst_meets_429s(tmp_path: Path) -> None:
    """The emulator's limits bite: the bot that only reacts to 429s receives them (and,
    with limits this tight, gives some replies up: what pacing is for)."""
    async with (
        await BotApiEmulator.start(flood_limits=TIGHT_TELEGRAM) as emulator,
        running_bot(emulator, tmp_path / "data", telegram_pacing=False) as _bot,
    ):
        flood = emulator.flood
        assert flood is not None
        for index in range(BURST):
            await emulator.user(8_200_000 + index).send_command("/start")
        await emulator.wait_until(lambda: flood.refused > 0, 60, "a 429 for the unpaced bot")
        assert [c for c in emulator.calls if c.status == 429]
