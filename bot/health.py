"""The bot's own health: is the database there and current, are updates arriving, and
counters that identify no one (how many updates, replies, errors, 429s).

Shared by systemd's watchdog (`watchdog_loop`), webhook mode's /healthz and the opt-in
Prometheus endpoint (`bot.telegram.health_http`). Nothing here holds an id, a name or a text.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from bot import systemd
from storage.database import Database, DatabaseError
from storage.stats import submission_stats

_log = logging.getLogger(__name__)

DATABASE_TIMEOUT_SECONDS: Final = 5.0
# A long poll answers within its timeout even when nothing arrives; a failed one is retried
# with back-off of at most 30 s. Past this margin, updates are no longer being fetched.
FETCH_MARGIN_SECONDS: Final = 45.0


@dataclass
class Counters:
    """Totals since the process started (Prometheus counters tolerate the reset)."""

    updates: int = 0
    replies: int = 0
    errors: int = 0
    rate_limited: int = 0  # 429 answers received from the Bot API


class ErrorCounter(logging.Handler):
    """Counts the bot's ERROR log records (a failed update, a failed conversation step)."""

    def __init__(self, counters: Counters) -> None:
        super().__init__(logging.ERROR)
        self._counters = counters

    def emit(self, record: logging.LogRecord) -> None:
        self._counters.errors += 1


@dataclass(frozen=True)
class HealthReport:
    """One check: every problem found, in a few words each (empty: healthy)."""

    problems: tuple[str, ...]
    last_update_seconds_ago: float | None

    @property
    def healthy(self) -> bool:
        return not self.problems


@dataclass
class Health:
    """What the bot knows about itself; `polling` asks for updates fetched recently."""

    database: Database
    polling: bool
    poll_seconds: float
    counters: Counters = field(default_factory=Counters)
    clock: Callable[[], float] = time.monotonic
    started: float = field(init=False)
    last_fetch: float | None = None
    last_update: float | None = None

    def __post_init__(self) -> None:
        self.started = self.clock()

    def fetched(self, updates: int) -> None:
        """A getUpdates call answered (with `updates` updates)."""
        self.last_fetch = self.clock()
        self.counters.updates += updates
        if updates:
            self.last_update = self.last_fetch

    def received(self) -> None:
        """An update arrived by webhook."""
        self.counters.updates += 1
        self.last_update = self.clock()

    async def check(self) -> HealthReport:
        """The database reachable at the current schema; in polling mode, updates fetched."""
        problems: list[str] = []
        try:
            await asyncio.wait_for(self.database.check_schema(), DATABASE_TIMEOUT_SECONDS)
        except DatabaseError as exc:  # unreachable, or a schema behind this program
            problems.append(f"database: {type(exc).__name__}")
        except Exception as exc:  # a timeout or a driver error: the database does not answer
            problems.append(f"database: {type(exc).__name__}")
        if self.polling:
            since = self.clock() - (
                self.last_fetch if self.last_fetch is not None else self.started
            )
            if since > self.poll_seconds + FETCH_MARGIN_SECONDS:
                problems.append(f"no updates fetched for {since:.0f} s")
        ago = None if self.last_update is None else self.clock() - self.last_update
        return HealthReport(tuple(problems), ago)

    async def submissions_completed(self) -> int:
        stats = await submission_stats(self.database)
        return stats.by_status.get("complete", 0)


async def watchdog_loop(health: Health, interval: float, stop: asyncio.Event) -> None:
    """Send WATCHDOG=1 every `interval / 3` seconds while `health.check()` finds nothing wrong.

    A check that fails sends nothing: after `WatchdogSec=` systemd stops the bot and
    `Restart=on-failure` starts it again.
    """
    period = interval / 3
    while not stop.is_set():
        report = await health.check()
        if report.healthy:
            systemd.notify(systemd.WATCHDOG)
        else:
            _log.warning("health check failed: %s", "; ".join(report.problems))
        try:
            await asyncio.wait_for(stop.wait(), period)
        except TimeoutError:
            continue
