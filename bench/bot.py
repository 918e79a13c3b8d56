"""Bot benchmark: 100 respondents at once through the emulator, against a bare aiogram bot.

Run: `.venv/bin/python bench/bot.py [--respondents N] [--rounds R]`. Each bot runs as its
own process, as in production, where Telegram's servers are not on the bot's machine:
`oclep-bot run` (long polling, SQLite in a temporary folder) against the Bot API emulator
that this process serves on 127.0.0.1, and then `bench/bare_bot.py`, a bare aiogram bot
(one editMessageText per update, nothing stored), against a fresh emulator. Each simulated
respondent completes the health branch of the questionnaire with the real bot by pressing
the buttons on screen and typing; the same respondents replay the same number and kinds of
updates against the bare bot. Each respondent completes the questionnaire twice against the
same bot process: the first time the process is cold (each respondent's Argon2id identity
digest is computed then, docs/security.md §2.5), the second time it is warm (what later
events cost); both are printed, and the target applies to the warm pass. With `--rounds R`
the two bots alternate R times (a noisy, shared machine) and the best round of each is kept.
`--compare-sqlalchemy` adds, in each round, the bot with its SQLite hot path through
SQLAlchemy (`OCLEP_SQLITE_DIRECT=false`), to show what the direct path buys.

Printed for both: updates/s, p50 and p99 latency (from queueing the respondent's update to
the bot's first visible reply reaching the emulator), CPU ms per update of the bot's process
(from /proc, all its threads), how busy this process (emulator and respondents) was, and
the throughput ratio (target >= 0.65). A harness busier than 90 % of a core may be what
limits a bot, and is flagged.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

# Run as a script, this file's folder is on sys.path: the project root goes first.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bare_bot import NEXT_LABEL  # noqa: E402
from flows.engine import Engine  # noqa: E402
from storage.keys import generate_staff_key, write_public_key_file  # noqa: E402
from tests.bot.e2e.plans import HEALTH  # noqa: E402
from tests.bot.e2e.support import (  # noqa: E402
    DONE_LABEL,
    SEND_LABEL,
    SKIP_LABEL,
    Press,
    SkipIt,
    Tick,
    label_of,
    questionnaire_engine,
)
from tests.telegram_emulator import BotApiEmulator, SimulatedUser  # noqa: E402

FIRST_USER_ID = 9_100_000_001
REPLY_TIMEOUT = 60.0
START_TIMEOUT = 120.0  # importing aiogram takes seconds on a busy machine
BIN = Path(sys.executable).parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
BUSY_HARNESS = 0.9
TARGET = 0.65


@dataclass
class Run:
    """What one round of one bot measured."""

    updates: int = 0
    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    bot_cpu: float = 0.0
    harness_cpu: float = 0.0

    @property
    def throughput(self) -> float:
        return self.updates / self.wall if self.wall else 0.0

    @property
    def harness_load(self) -> float:
        return self.harness_cpu / self.wall if self.wall else 0.0

    def line(self, name: str) -> str:
        ordered = sorted(self.latencies)
        p50 = statistics.median(ordered) * 1e3
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1e3
        cpu_ms = self.bot_cpu / self.updates * 1e3
        busy = "  (harness-bound?)" if self.harness_load > BUSY_HARNESS else ""
        return (
            f"{name:<18} {self.updates:>6} updates  {self.throughput:7.1f} updates/s  "
            f"p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  bot CPU {cpu_ms:5.2f} ms/update  "
            f"harness {self.harness_load:4.0%} of a core{busy}"
        )


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system, every thread) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


@asynccontextmanager
async def bot_process(
    emulator: BotApiEmulator, command: list[str], env: dict[str, str], log: Path
) -> AsyncIterator[int]:
    """Run a bot process against the emulator until the block ends (then SIGTERM)."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "OCLEP_TELEGRAM_TOKEN": emulator.token,
        "OCLEP_TELEGRAM_API_BASE": emulator.api_base,
        **env,
    }
    with log.open("ab") as sink:
        process = await asyncio.create_subprocess_exec(
            *command, cwd=ROOT, env=environment, stdout=sink, stderr=sink
        )
    try:
        await emulator.wait_until(lambda: emulator.bot_is_polling, START_TIMEOUT, "a bot polling")
        yield process.pid
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()


async def measured(
    pid: int, respondents: Callable[[Run], Awaitable[list[list[bool]]]]
) -> tuple[Run, list[list[bool]]]:
    run = Run()
    bot_cpu, harness_cpu, wall = process_cpu(pid), time.process_time(), time.perf_counter()
    kinds = await respondents(run)
    run.wall = time.perf_counter() - wall
    run.harness_cpu = time.process_time() - harness_cpu
    run.bot_cpu = process_cpu(pid) - bot_cpu
    return run, kinds


async def act(
    user: SimulatedUser, run: Run, send: Awaitable[int | str], *, typed: bool = False
) -> None:
    """Send one update; time it until the bot's first visible reply, then let it settle."""
    chat = user.chat
    marker = chat.last_reply_seq
    started = time.perf_counter()
    sent = await send
    if not await chat.signal.wait_for(lambda: chat.last_reply_seq > marker, REPLY_TIMEOUT):
        raise AssertionError("the bot did not reply")
    run.latencies.append(time.perf_counter() - started)
    run.updates += 1
    if typed and isinstance(sent, int):  # discreet mode deletes the typed answer last
        stored = chat.messages[sent]
        await chat.signal.wait_for(lambda: stored.deleted, 0.5)


async def questionnaire_respondent(user: SimulatedUser, engine: Engine, run: Run) -> list[bool]:
    """Complete the health branch; returns the kinds of updates sent (True: typed)."""
    kinds: list[bool] = [True]
    await act(user, run, user.send_command("/start"), typed=True)
    while True:
        last = user.last_bot_message()
        if last is not None and not last.buttons and "recibo" in (last.text or ""):
            return kinds  # the receipt: complete
        message = user.chat.last_bot_message(with_keyboard=True)
        assert message is not None, "no question on screen"
        if SEND_LABEL in message.snapshot().button_texts:  # the review before sending
            await act(user, run, user.press(SEND_LABEL))
            kinds.append(False)
            continue
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
                await act(user, run, user.send_text(part), typed=True)
                kinds.append(True)
            labels = [DONE_LABEL] if question.multipart else []
        for label in labels:
            await act(user, run, user.press(label))
            kinds.append(False)


async def replaying_respondent(user: SimulatedUser, run: Run, kinds: list[bool]) -> list[bool]:
    """The same number and kinds of updates, against the bare bot."""
    await act(user, run, user.send_command("/start"))
    for typed in kinds[1:]:
        if typed:
            await act(user, run, user.send_text("respuesta"))
        else:
            await act(user, run, user.press(NEXT_LABEL))
    return kinds


async def measure_bot(
    respondents: int, folder: Path, round_: int, *, direct: bool = True
) -> tuple[Passes, list[list[bool]]]:
    data = folder / f"data-{round_}-{'direct' if direct else 'alchemy'}"
    staff_key = folder / "staff.pub"
    if not staff_key.exists():
        write_public_key_file(staff_key, generate_staff_key().public_key)
    env = {
        "OCLEP_DATA_DIR": str(data),
        "OCLEP_SERVER_SECRET_FILE": str(data.parent / f"secret-{data.name}" / "server.secret"),
        "OCLEP_STAFF_PUBLIC_KEY": str(staff_key),
        "OCLEP_RATE_LIMIT_PER_MINUTE": "10000",
        "OCLEP_SQLITE_DIRECT": "true" if direct else "false",
        # The bot's own capacity: the emulator here has no flood limits to pace for.
        "OCLEP_TELEGRAM_PACING": "false",
    }
    async with (
        await BotApiEmulator.start() as emulator,
        bot_process(emulator, [str(BIN / "oclep-bot"), "run"], env, folder / "bot.log") as pid,
    ):
        users = [emulator.user(FIRST_USER_ID + i) for i in range(respondents)]
        engine = questionnaire_engine()

        async def everyone(run: Run) -> list[list[bool]]:
            return list(
                await asyncio.gather(*(questionnaire_respondent(u, engine, run) for u in users))
            )

        # The first questionnaire meets a cold process: each respondent's Argon2id digest is
        # computed then. The second (same respondents, same process) is what a respondent's
        # later events cost.
        cold, kinds = await measured(pid, everyone)
        warm, _ = await measured(pid, everyone)
        return Passes(cold, warm), kinds


async def measure_bare(kinds: list[list[bool]], folder: Path) -> Passes:
    command = [sys.executable, str(ROOT / "bench" / "bare_bot.py")]
    async with (
        await BotApiEmulator.start() as emulator,
        bot_process(emulator, command, {}, folder / "bare.log") as pid,
    ):
        users = [emulator.user(FIRST_USER_ID + i) for i in range(len(kinds))]

        async def everyone(run: Run) -> list[list[bool]]:
            return list(
                await asyncio.gather(
                    *(replaying_respondent(u, run, k) for u, k in zip(users, kinds, strict=True))
                )
            )

        cold, _ = await measured(pid, everyone)
        warm, _ = await measured(pid, everyone)
        return Passes(cold, warm)


@dataclass(frozen=True)
class Passes:
    """One bot process, two questionnaires per respondent: the first in a cold process."""

    cold: Run
    warm: Run


def best(runs: list[Run]) -> Run:
    return max(runs, key=lambda r: r.throughput)


async def main(respondents: int, rounds: int, compare_sqlalchemy: bool) -> None:
    logging.basicConfig(level=logging.WARNING)
    bots: list[Passes] = []
    bares: list[Passes] = []
    alchemy: list[Passes] = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for round_ in range(rounds):
            passes, kinds = await measure_bot(respondents, folder, round_)
            bots.append(passes)
            bares.append(await measure_bare(kinds, folder))
            if compare_sqlalchemy:
                alchemy.append((await measure_bot(respondents, folder, round_, direct=False))[0])
    print(f"{respondents} respondents, each completing the questionnaire twice (SQLite)")
    for round_, (bot, bare) in enumerate(zip(bots, bares, strict=True), 1):
        for kind in ("cold", "warm"):
            ours, theirs = getattr(bot, kind), getattr(bare, kind)
            print(f"round {round_}, {kind}: ratio {ours.throughput / theirs.throughput:.2f}")
            print("  " + ours.line("oclep bot"))
            print("  " + theirs.line("bare aiogram bot"))
            if alchemy:
                other = getattr(alchemy[round_ - 1], kind)
                print("  " + other.line("oclep, SQLAlchemy only"))
    for kind in ("cold", "warm"):
        ours = best([getattr(b, kind) for b in bots])
        theirs = best([getattr(b, kind) for b in bares])
        ratio = ours.throughput / theirs.throughput
        capacity = (theirs.bot_cpu / theirs.updates) / (ours.bot_cpu / ours.updates)
        verdict = "meets" if ratio >= TARGET else "misses"
        print(
            f"{kind}: throughput ratio oclep/bare (best rounds) {ratio:.2f} "
            f"({verdict} the {TARGET} target); CPU per update bare/oclep {capacity:.2f}"
        )
        if alchemy:
            other = best([getattr(a, kind) for a in alchemy])
            print(
                f"{kind}: direct SQLite path / SQLAlchemy path (best rounds) "
                f"{ours.throughput / other.throughput:.2f}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--compare-sqlalchemy",
        action="store_true",
        help="also run the bot with its hot path through SQLAlchemy (OCLEP_SQLITE_DIRECT=false)",
    )
    arguments = parser.parse_args()
    asyncio.run(main(arguments.respondents, arguments.rounds, arguments.compare_sqlalchemy))
