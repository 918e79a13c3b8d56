"""Nothing lost in flight: real `oclep-bot` processes killed, stopped and doubled under load.

Each test ends (in `scenario`) with staff's decrypted export equal, answer for answer and in
order, to what the scripted respondents sent: 0 lost, 0 duplicated, 0 under the wrong
question, 0 reordered; on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from tests.bot.faults.harness import RoundRobinProxy, scenario
from tests.conftest import DatabaseTarget
from tests.telegram_emulator import RetryPolicy
from tests.telegram_emulator.faults import FaultKind

RESPONDENTS = 6
KILL_AFTER = (8, 20, 32)  # answers given across respondents (of about 100)
# Telegram retries a webhook delivery for hours; the emulator's default gives up fast. Here
# it insists longer than a respondent waits (a restart on a loaded machine included).
PATIENT_WEBHOOK = RetryPolicy(first_delay=0.05, max_delay=0.5, max_attempts=1_000)
GRACE_SECONDS = 2.0
FLOOD_WAIT_SECONDS = 30  # every reply waits far longer than the whole grace period
# Closing the database and the process after the grace (measured: about 2.5 s when idle).
CLOSE_ALLOWANCE = 8.0

# Each test starts real bot processes several times (kills, restarts): minutes each on a
# busy two-core machine, past the suite-wide five-minute limit.
pytestmark = pytest.mark.timeout(900)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_polling_confirms_only_committed_updates_under_sigkill_x3(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    async with scenario(tmp_path, database_target.url, 7_100_000_001, RESPONDENTS) as world:
        process = await world.fleet.start_polling()
        load = world.load()
        for count in KILL_AFTER:
            await world.progress.reached(count)
            await world.fleet.kill(process)
            process = await world.fleet.start_polling()
        await asyncio.gather(*load)
        assert await world.fleet.terminate(process, within=30) == 0, world.fleet.log.read_text()


async def test_webhook_answers_only_committed_updates_under_sigkill_x3(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    async with scenario(
        tmp_path, database_target.url, 7_200_000_001, RESPONDENTS, webhook_retry=PATIENT_WEBHOOK
    ) as world:
        process = await world.fleet.start_webhook(port, url)
        load = world.load()
        for count in KILL_AFTER:
            await world.progress.reached(count)
            await world.fleet.kill(process)
            process = await world.fleet.start_webhook(port, url)
        await asyncio.gather(*load)
        assert await world.fleet.terminate(process, within=30) == 0, world.fleet.log.read_text()


async def test_sigterm_stops_within_the_grace_and_confirms_nothing_unfinished(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    grace = {"OCLEP_STOP_GRACE_SECONDS": str(GRACE_SECONDS)}
    async with scenario(tmp_path, database_target.url, 7_300_000_001, RESPONDENTS) as world:
        emulator, fleet = world.emulator, world.fleet
        process = await fleet.start_polling(**grace)
        load = world.load()
        await world.progress.reached(KILL_AFTER[1])
        # Telegram asks for flood waits longer than the grace on every reply from now on.
        emulator.faults.rate_limit(retry_after=FLOOD_WAIT_SECONDS)
        await emulator.wait_until(
            lambda: sum(emulator.faults.injected.values()) >= RESPONDENTS,
            description="replies in flood waits",
        )
        started = asyncio.get_running_loop().time()
        code = await fleet.terminate(process, within=GRACE_SECONDS + 2 * CLOSE_ALLOWANCE)
        stop_seconds = asyncio.get_running_loop().time() - started
        assert code == 0, fleet.log.read_text()
        emulator.faults.clear()
        process = await fleet.start_polling(**grace)
        await asyncio.gather(*load)
        assert await fleet.terminate(process, within=30) == 0, fleet.log.read_text()
    # The grace bounds the stop, replies in flight included: no 30 s flood wait is served.
    assert stop_seconds < GRACE_SECONDS + CLOSE_ALLOWANCE, stop_seconds


async def test_second_poller_beside_the_first_refuses_and_loses_nothing(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    async with scenario(tmp_path, database_target.url, 7_400_000_001, RESPONDENTS) as world:
        emulator, fleet = world.emulator, world.fleet
        first = await fleet.start_polling()
        load = world.load()
        await world.progress.reached(KILL_AFTER[0])
        second = await fleet.start()
        code = await asyncio.wait_for(second.wait(), 180)
        await asyncio.gather(*load)
        assert await fleet.terminate(first, within=30) == 0, fleet.log.read_text()
    assert code == 2
    refusals = [line for line in fleet.log.read_text().splitlines() if "oclep-bot:" in line]
    assert refusals == [
        "oclep-bot: Another `oclep-bot run` is already polling with the database "
        f"{fleet.described_database}; stop it first (only one process may poll a bot), or "
        "use webhook mode for several processes."
    ]
    # The second process never competed: it was refused before its first Bot API call.
    assert len(emulator.calls_to("getMe")) == 1


async def test_webhook_out_of_order_and_duplicated_deliveries_keep_message_order(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    async with scenario(
        tmp_path, database_target.url, 7_500_000_001, RESPONDENTS, webhook_retry=PATIENT_WEBHOOK
    ) as world:
        injected = world.emulator.faults.injected
        world.emulator.faults.delay_delivery(probability=0.5, delay=0.3, seed=10)
        world.emulator.faults.duplicate_delivery(probability=0.2, seed=11)
        process = await world.fleet.start_webhook(port, url)
        await asyncio.gather(*world.load())
        assert await world.fleet.terminate(process, within=30) == 0, world.fleet.log.read_text()
    assert injected[FaultKind.DELAYED_DELIVERY] > 0 and injected[FaultKind.DUPLICATE_DELIVERY] > 0


async def test_two_webhook_workers_on_one_database_keep_order_and_question(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    ports = [free_port(), free_port()]
    proxy = RoundRobinProxy(ports)
    await proxy.start()
    url = f"http://127.0.0.1:{proxy.port}/telegram"
    try:
        async with scenario(
            tmp_path,
            database_target.url,
            7_600_000_001,
            RESPONDENTS,
            webhook_retry=PATIENT_WEBHOOK,
        ) as world:
            world.emulator.faults.duplicate_delivery(probability=0.1, seed=12)
            fleet = world.fleet
            workers = await asyncio.gather(*(fleet.start_webhook(p, url) for p in ports))
            await asyncio.gather(*world.load())
            for worker in workers:
                assert await fleet.terminate(worker, within=30) == 0, fleet.log.read_text()
    finally:
        await proxy.close()
