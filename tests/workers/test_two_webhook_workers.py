"""Two `oclep-bot` webhook workers on one PostgreSQL database behind one front.

Real processes, the emulator with Telegram's flood limits scaled down (so a handful of
respondents exceed them), and a small asyncio front that spreads deliveries over the
workers. Shown: every answer stored once, one worker killed mid-run while the other carries
on, both workers together within one flood limit (not one each), and a `/borrar` confirmed
on the other worker than the one that asked.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Final

import aiohttp
import pytest
from aiohttp import web

from bot import texts
from storage.database import open_database
from tests.bot.e2e.plans import HEALTH
from tests.bot.e2e.support import (
    Answer,
    Respondent,
    Type,
    decrypt_all,
    questionnaire_engine,
)
from tests.bot.faults.harness import WEBHOOK_SECRET, BotFleet
from tests.conftest import POSTGRES_ENV, DatabaseTarget
from tests.telegram_emulator import BotApiEmulator, FloodLimits, RetryPolicy

RESPONDENTS: Final = 8
# The workers' budget together, and Telegram's limit in the emulator: above the budget,
# below twice it, so two workers pacing each alone would be refused.
PACE_PER_SECOND: Final = 3.0
EMULATOR_LIMITS: Final = FloodLimits(global_rate=5.0, global_burst=3)
WINDOW: Final = 5.0  # seconds over which the rate kept is measured
REPLY_WAIT: Final = 60.0  # a kill and a redelivery may take a while on a busy machine
START_TIMEOUT: Final = 180.0
MARKER: Final = "RESPONDENT-"
# A worker answers a delivery once its replies are sent, paced: on a busy machine that took
# more than the emulator's default 10 s, and a delivery timed out and repeated is a /start
# seen twice. Telegram waits longer.
PATIENT_WEBHOOK: Final = RetryPolicy(
    first_delay=0.05, max_delay=0.5, max_attempts=400, request_timeout=120.0
)

pytestmark = pytest.mark.timeout(900)


@pytest.fixture
def postgres(database_target: DatabaseTarget) -> DatabaseTarget:
    if database_target.kind != "postgresql":
        pytest.skip(f"several workers need PostgreSQL: set {POSTGRES_ENV}")
    return database_target


class PatientRespondent(Respondent):
    """A respondent who, shown the safety check of a resumed questionnaire, confirms it.

    A /start in flight when its worker is killed is delivered again to the other worker;
    processed before any draft existed, it is not recognised as a repeat and shows the
    resume screen (the answers are untouched), as a person sending /start again would see.
    """

    async def answer(self, answer: Answer) -> str:
        shown = self.user.chat.last_bot_message(with_keyboard=True)
        if shown is not None and texts.RESUME_SAFE in shown.snapshot().button_texts:
            await self.press(texts.RESUME_SAFE)
        return await super().answer(answer)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Front:
    """The one URL Telegram calls: each delivery to the next worker, to another if that one
    does not answer (as Caddy's `lb_try_duration` does); `served` records which took it."""

    def __init__(self, ports: Sequence[int]) -> None:
        self.ports = list(ports)
        self.served: list[int] = []
        self._next = 0
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.port = free_port()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self._client = aiohttp.ClientSession()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._client is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        for _ in range(len(self.ports)):
            port = self.ports[self._next % len(self.ports)]
            self._next += 1
            try:
                async with self._client.post(
                    f"http://127.0.0.1:{port}{request.path}", data=body, headers=headers
                ) as answer:
                    payload = await answer.read()
            except aiohttp.ClientError:
                continue  # that worker is gone: the next one
            self.served.append(port)
            return web.Response(status=answer.status, body=payload)
        return web.Response(status=502)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()


@asynccontextmanager
async def front(ports: Sequence[int]) -> AsyncIterator[Front]:
    proxy = Front(ports)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.close()


async def start_worker(fleet: BotFleet, port: int, url: str) -> asyncio.subprocess.Process:
    hooks = len(fleet.emulator.calls_to("setWebhook"))
    process = await fleet.start(
        OCLEP_WEBHOOK_URL=url,
        OCLEP_WEBHOOK_SECRET=WEBHOOK_SECRET,
        OCLEP_WEBHOOK_LISTEN=f"127.0.0.1:{port}",
        OCLEP_TELEGRAM_MESSAGES_PER_SECOND=str(PACE_PER_SECOND),
    )
    await fleet.emulator.wait_until(
        lambda: (
            len(fleet.emulator.calls_to("setWebhook")) > hooks or process.returncode is not None
        ),
        START_TIMEOUT,
        "the webhook set",
    )
    assert process.returncode is None, fleet.log.read_text()
    return process


def marker_of(answers: Mapping[str, object]) -> str:
    found = {
        m for v in answers.values() if isinstance(v, str) for m in re.findall(MARKER + r"\d{3}", v)
    }
    assert len(found) == 1, answers
    return str(found.pop())


def busiest(moments: list[float], window: float) -> int:
    """The most calls in any `window` seconds."""
    most, first = 0, 0
    for last, moment in enumerate(moments):
        while moment - moments[first] > window:
            first += 1
        most = max(most, last - first + 1)
    return most


async def test_two_workers_share_one_flood_limit_lose_nothing_and_survive_a_kill(
    postgres: DatabaseTarget, tmp_path: Path
) -> None:
    url_of = postgres.url
    ports = [free_port(), free_port()]
    async with (
        await BotApiEmulator.start(
            flood_limits=EMULATOR_LIMITS, webhook_retry=PATIENT_WEBHOOK
        ) as emulator,
        front(ports) as proxy,
    ):
        fleet = BotFleet(emulator, tmp_path, url_of)
        await fleet.prepare()
        url = f"http://127.0.0.1:{proxy.port}/telegram"
        try:
            workers = list(await asyncio.gather(*(start_worker(fleet, p, url) for p in ports)))
            engine = questionnaire_engine()
            respondents = []
            for number in range(RESPONDENTS):
                user = emulator.user(7_800_000_001 + number)
                user.wait_for_reply = partial(user.wait_for_reply, timeout=REPLY_WAIT)  # type: ignore[method-assign]
                respondents.append(PatientRespondent(user, engine))

            async def walk(number: int, respondent: Respondent) -> str:
                await respondent.start()
                plan = {**HEALTH, "testimonio": Type(f"{MARKER}{number:03d}: no hubo ambulancia.")}
                return await respondent.complete(plan)

            load = [asyncio.create_task(walk(n, r)) for n, r in enumerate(respondents)]
            answers_expected = RESPONDENTS * len(HEALTH)
            await emulator.wait_until(
                lambda: sum(len(r.given) for r in respondents) >= answers_expected // 3,
                REPLY_WAIT * 5,
                "a third of the answers",
            )
            served_before_kill = set(proxy.served)
            await fleet.kill(workers[0])  # mid-run: the other carries on alone
            served_at_kill = len(proxy.served)
            walked = await asyncio.gather(*load, return_exceptions=True)

            # The flood limit first: a walk that failed after 429s must not hide them.
            flood = emulator.flood
            assert flood is not None
            assert flood.refused == 0
            # Both workers together kept the budget of one: with each pacing alone, two
            # would have been allowed twice as many (and Telegram would have refused them).
            most = busiest(flood.passed, WINDOW)
            assert most <= PACE_PER_SECOND * WINDOW + EMULATOR_LIMITS.global_burst, most

            receipts = [r for r in walked if isinstance(r, str)]
            assert len(receipts) == RESPONDENTS, [r for r in walked if not isinstance(r, str)]
            assert served_before_kill == set(ports)  # both took respondents' updates
            assert set(proxy.served[served_at_kill:]) == {ports[1]}
            stored = await decrypt_all(url_of, fleet.staff_key)
            assert len(stored) == RESPONDENTS
            by_marker = {marker_of(s.answers): s for s in stored}
            assert {m: s.answers for m, s in by_marker.items()} == {
                marker_of(r.given): r.given for r in respondents
            }
            # The same path for all: a record stored twice would make one submission longer.
            assert len({len(s.records) for s in stored}) == 1

            # The killed worker is back (systemd restarts it); a /borrar asked on one worker
            # is confirmed on the other, from the reference both can read.
            workers[0] = await start_worker(fleet, ports[0], url)
            receipt = re.search(r"\d{4} \d{4} \d{4} \d{4}", receipts[0])
            assert receipt is not None
            user = respondents[0].user
            await user.send_text(f"/borrar {receipt[0]}")
            await emulator.wait_until(
                lambda: texts.DELETE_RECEIPT_CONFIRM in [m.text for m in user.screen()],
                REPLY_WAIT,
                "the withdrawal asked",
            )
            await user.press(texts.DELETE_RECEIPT_YES)
            # The press is answered at once; the paced edit that says so follows.
            await emulator.wait_until(
                lambda: texts.DELETED_RECEIPT in [m.text for m in user.screen()],
                REPLY_WAIT,
                "the withdrawal confirmed",
            )
            asked_on, confirmed_on = proxy.served[-2:]
            assert asked_on != confirmed_on
            left = await decrypt_all(url_of, fleet.staff_key)
            assert len(left) == RESPONDENTS - 1
            assert respondents[0].given not in [s.answers for s in left]
            for worker in workers[1:]:
                assert await fleet.terminate(worker, within=60) == 0, fleet.log.read_text()
        finally:
            await fleet.close()
        log = fleet.log.read_bytes()
        assert b"Traceback" not in log and emulator.token.encode() not in log
        for respondent in respondents:
            assert str(respondent.user.user_id).encode() not in log
        assert MARKER.encode() not in log
        # Nothing of the withdrawal confirmation stays behind.
        database = await open_database(url_of)
        try:
            async with database.engine.connect() as connection:
                pending = await connection.exec_driver_sql(
                    "SELECT count(*) FROM pending_withdrawals"
                )
                assert pending.scalar_one() == 0
        finally:
            await database.close()
