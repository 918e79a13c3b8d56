"""Burst benchmark: respondents arriving all at once, against Telegram's flood limits.

Run: `.venv/bin/python bench/burst.py [--respondents 1000] [--window 60]`. The Bot API
emulator enforces Telegram's documented limits (tests/telegram_emulator/flood.py: about one
message a second per chat, about 30 a second overall), answering 429 with `retry_after`
past them, as Telegram does. `--respondents` respondents arrive at seeded random moments
within `--window` seconds (a link shared across a diaspora network); each sends /start and
presses the first button of the screen it gets, so two replies each.

Four bots, each its own process against a fresh emulator, in the same run:
- `oclep-bot run`, pacing its messages ahead of time (bot/telegram/pacing.py);
- the same bot with OCLEP_TELEGRAM_PACING=false: it only waits out each 429 after it came;
- `bench/ptb_bot.py`, the ecosystem's peer: a python-telegram-bot bot with its
  `AIORateLimiter` and `PicklePersistence` answering the same screens (a `dev` extra);
- `bench/bare_bot.py`, a bare aiogram bot (one message or edit per update, nothing stored),
  for the memory baseline (it does not pace either).

Printed for each: p50 and p99 time from a respondent's action to the reply on screen, 429s
the emulator sent, replies lost (none within REPLY_TIMEOUT), the slowest respondent's
longest wait, and the bot process's resident memory (VmRSS) at idle and at its peak during
the burst, with ratios against the bare bot measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bot import BIN, bot_process  # noqa: E402
from storage.keys import generate_staff_key, write_public_key_file  # noqa: E402
from tests.telegram_emulator import BotApiEmulator, FloodLimits, SimulatedUser  # noqa: E402

FIRST_USER_ID = 9_300_000_001
REPLY_TIMEOUT = 90.0  # past this a reply counts as lost
SEED = 14


@dataclass
class Result:
    name: str
    waits: list[float] = field(default_factory=list)  # seconds, one per reply received
    slowest: list[float] = field(default_factory=list)  # per respondent: their longest wait
    lost: int = 0
    refused: int = 0
    rss_idle_kib: int = 0
    rss_peak_kib: int = 0
    wall: float = 0.0


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def respondent(user: SimulatedUser, arrival: float, start: float, result: Result) -> None:
    await asyncio.sleep(max(0.0, start + arrival - time.monotonic()))
    longest = 0.0
    for step in range(2):
        began = time.monotonic()
        try:
            if step == 0:
                await user.send_command("/start")
            else:
                shown = user.last_bot_message()
                assert shown is not None and shown.buttons, "no button to press"
                data = shown.buttons[0][0].callback_data
                assert data is not None
                await user.press(data)
            await user.wait_for_reply(timeout=REPLY_TIMEOUT)
        except AssertionError:
            result.lost += 2 - step
            return
        wait = time.monotonic() - began
        result.waits.append(wait)
        longest = max(longest, wait)
    result.slowest.append(longest)


async def run_burst(
    name: str, command: list[str], env: dict[str, str], respondents: int, window: float, log: Path
) -> Result:
    result = Result(name)
    rng = random.Random(SEED)
    arrivals = sorted(rng.uniform(0, window) for _ in range(respondents))
    async with (
        await BotApiEmulator.start(flood_limits=FloodLimits()) as emulator,
        bot_process(emulator, command, env, log) as pid,
    ):
        await asyncio.sleep(2.0)  # settle after start-up
        result.rss_idle_kib = rss_kib(pid)
        users = [emulator.user(FIRST_USER_ID + i) for i in range(respondents)]
        peak = result.rss_idle_kib
        start = time.monotonic()
        burst = asyncio.gather(
            *(respondent(u, a, start, result) for u, a in zip(users, arrivals, strict=True))
        )
        while not burst.done():
            peak = max(peak, rss_kib(pid))
            await asyncio.wait({burst}, timeout=0.5)
        await burst
        result.wall = time.monotonic() - start
        result.rss_peak_kib = max(peak, rss_kib(pid))
        assert emulator.flood is not None
        result.refused = emulator.flood.refused
    return result


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def report(results: list[Result], respondents: int, window: float) -> None:
    print(
        f"Burst benchmark: {respondents} respondents arriving within {window:.0f} s, "
        "2 replies each, Telegram's flood limits on (emulator)"
    )
    header = (
        f"{'bot':<28}{'p50 s':>8}{'p99 s':>8}{'429s':>7}{'lost':>6}{'slowest s':>11}"
        f"{'RSS idle MiB':>14}{'RSS peak MiB':>14}{'wall s':>8}"
    )
    print(header)
    for r in results:
        print(
            f"{r.name:<28}{percentile(r.waits, 50):>8.2f}{percentile(r.waits, 99):>8.2f}"
            f"{r.refused:>7}{r.lost:>6}{max(r.slowest, default=float('nan')):>11.2f}"
            f"{r.rss_idle_kib / 1024:>14.1f}{r.rss_peak_kib / 1024:>14.1f}{r.wall:>8.1f}"
        )
    paced, reactive, ptb, bare = results
    p99_ratio = percentile(paced.waits, 99) / percentile(reactive.waits, 99)
    print(
        f"p99 paced / reacting to 429s: {p99_ratio:.2f}; "
        f"429s paced / reacting: {paced.refused} / {reactive.refused}"
    )
    print(
        f"vs python-telegram-bot (AIORateLimiter): p50 "
        f"{percentile(paced.waits, 50) / percentile(ptb.waits, 50):.2f}x, p99 "
        f"{percentile(paced.waits, 99) / percentile(ptb.waits, 99):.2f}x, slowest "
        f"{max(paced.slowest, default=0) / max(ptb.slowest, default=1):.2f}x; "
        f"429s {paced.refused} / {ptb.refused}; lost {paced.lost} / {ptb.lost}; "
        f"RSS peak {paced.rss_peak_kib / ptb.rss_peak_kib:.2f}x"
    )
    print(
        f"RSS vs bare aiogram bot: idle {paced.rss_idle_kib / bare.rss_idle_kib:.2f}x, "
        f"peak {paced.rss_peak_kib / bare.rss_peak_kib:.2f}x"
    )


async def main(respondents: int, window: float) -> None:
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        staff_key = folder / "staff.pub"
        write_public_key_file(staff_key, generate_staff_key().public_key)
        results = []
        for name, pacing in (("oclep-bot (paced)", "true"), ("oclep-bot (429s only)", "false")):
            env = {
                "OCLEP_DATA_DIR": str(folder / f"data-{pacing}"),
                "OCLEP_SERVER_SECRET_FILE": str(folder / f"server-{pacing}.secret"),
                "OCLEP_STAFF_PUBLIC_KEY": str(staff_key),
                "OCLEP_RATE_LIMIT_PER_MINUTE": "10000",
                "OCLEP_TELEGRAM_PACING": pacing,
            }
            command = [str(BIN / "oclep-bot"), "run"]
            results.append(
                await run_burst(name, command, env, respondents, window, folder / "bot.log")
            )
        ptb = [sys.executable, str(ROOT / "bench" / "ptb_bot.py")]
        ptb_env = {"OCLEP_DATA_DIR": str(folder / "data-ptb")}
        results.append(
            await run_burst(
                "python-telegram-bot (AIORL)", ptb, ptb_env, respondents, window, folder / "p"
            )
        )
        bare = [sys.executable, str(ROOT / "bench" / "bare_bot.py")]
        results.append(
            await run_burst("bare aiogram (no pacing)", bare, {}, respondents, window, folder / "b")
        )
    report(results, respondents, window)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=1000)
    parser.add_argument("--window", type=float, default=60.0)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.respondents, arguments.window))
