"""Two pacers on one PostgreSQL database keep Telegram's limits together, not each.

Each pacer stands for a webhook worker; their calls are judged by the emulator's own model of
the limits (tests/telegram_emulator/flood.py), written apart from the pacing.
"""

from __future__ import annotations

import asyncio
import random
import socket

import pytest

from bot.telegram.pacing import PaceLimits, Pacer
from storage.database import open_database
from storage.shared_pacing import SharedPaceCells
from tests.conftest import DatabaseTarget
from tests.telegram_emulator import FloodControl, FloodLimits

# Scaled up, so the test takes seconds; each worker alone would keep these limits, with the
# margins of tests/bot/e2e/test_pacing.py for a busy machine's event loop. Two workers pacing
# alone send 80 a second, well past 50 for longer than the burst allowance.
PACE = PaceLimits(per_chat_rate=5, per_chat_burst=2, global_rate=40, global_burst=4)
TELEGRAM = FloodLimits(per_chat_rate=5, per_chat_burst=3, global_rate=50, global_burst=20)
CALLS = 300


@pytest.fixture
def postgres(database_target: DatabaseTarget) -> DatabaseTarget:
    if database_target.kind != "postgresql":
        pytest.skip("shared pacing needs PostgreSQL")
    return database_target


async def _refused(pacers: list[Pacer]) -> int:
    """Random traffic spread over the pacers, within half a second; the calls refused."""
    rng = random.Random(14)
    flood = FloodControl(TELEGRAM)
    refused = 0

    async def call(pacer: Pacer, chat: int | None, delay: float) -> None:
        nonlocal refused
        await asyncio.sleep(delay)
        await pacer.wait_turn(chat)
        method = "editMessageText" if chat is None else "sendMessage"
        refused += flood.check(method, chat) is not None

    calls = [
        (
            pacers[i % len(pacers)],
            rng.choice([None, None, None, 1, 2, 3, 4, 5, 6]),
            rng.uniform(0, 0.5),
        )
        for i in range(CALLS)
    ]
    await asyncio.gather(*(call(*c) for c in calls))
    return refused


async def test_two_workers_sharing_cells_stay_within_one_limit(postgres: DatabaseTarget) -> None:
    databases = [await open_database(postgres.url, upgrade=True) for _ in range(2)]
    try:
        key = bytes(range(32))
        shared = [Pacer(PACE, shared=SharedPaceCells(db, key)) for db in databases]
        assert await _refused(shared) == 0
        assert sum(p.delayed for p in shared) > 0  # the traffic needed pacing
        # The same traffic, each worker pacing alone: together they pass the limit.
        assert await _refused([Pacer(PACE), Pacer(PACE)]) > 0
    finally:
        for database in databases:
            await database.close()


async def test_an_unreachable_database_leaves_each_worker_pacing_alone() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once closed
    database = await open_database(
        f"postgresql+asyncpg://nobody@127.0.0.1:{port}/none", upgrade=False
    )
    try:
        pacer = Pacer(PACE, shared=SharedPaceCells(database, bytes(32)))
        assert await _refused([pacer]) == 0
        assert pacer.delayed > 0
    finally:
        await database.close()
