"""Health: /healthz in webhook mode, the opt-in /metrics counters, systemd's watchdog fed
only while updates are fetched and the database answers at the current schema."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text

from bot.health import FETCH_MARGIN_SECONDS, Health, watchdog_loop
from storage.database import Database, open_database
from tests.bot.e2e.plans import HEALTH
from tests.bot.e2e.support import Respondent, questionnaire_engine, running_bot
from tests.conftest import DatabaseTarget
from tests.sd_notify import notify_socket
from tests.telegram_emulator import BotApiEmulator

SECRET = "e2e-health-secret-0123456789abcdef"
METRIC_LINE = re.compile(r"^(oclep_[a-z_]+) ([0-9.e+-]+)$")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


def metrics(text: str) -> dict[str, float]:
    """The samples of a Prometheus text page; every line is a comment or `name value`."""
    found: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = METRIC_LINE.match(line)
        assert match, f"a sample with labels or an odd shape: {line!r}"
        found[match.group(1)] = float(match.group(2))
    return found


@contextlib.asynccontextmanager
async def schema_behind(url: str) -> AsyncIterator[None]:
    """The database's schema set to an older revision, as before `oclep-admin db upgrade`."""
    database = await open_database(url, upgrade=False)
    try:
        revision = await database.schema_revision()
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0000'")
        yield
        async with database.engine.begin() as connection:
            await connection.execute(
                text("UPDATE alembic_version SET version_num = :revision"),
                {"revision": revision},
            )
    finally:
        await database.close()


async def test_healthz_and_metrics_in_webhook_mode(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    port, metrics_port = free_port(), free_port()
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(
            emulator,
            tmp_path / "data",
            database_url=database_target.url,
            webhook_url=f"http://127.0.0.1:{port}/telegram",
            webhook_secret=SECRET,
            webhook_listen=f"127.0.0.1:{port}",
            metrics_listen=f"127.0.0.1:{metrics_port}",
        ) as bot,
    ):
        database_url = bot.settings.effective_database_url
        status, body = await get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200, body
        assert '"status": "ok"' in body and '"last_update_seconds_ago": null' in body

        respondent = Respondent(emulator.user(6_300_001), questionnaire_engine())
        await respondent.start()
        # One 429 on the next reply: waited out, and counted.
        emulator.faults.rate_limit(methods=["editMessageText", "sendMessage"], count=1)
        await respondent.complete(HEALTH)

        status, body = await get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200 and '"last_update_seconds_ago": null' not in body
        status, page = await get(f"http://127.0.0.1:{metrics_port}/metrics")
        assert status == 200
        samples = metrics(page)
        sent = len(emulator.webhook_deliveries)
        assert samples["oclep_updates_total"] == sent > 0
        applied = [c for c in emulator.calls if c.method in ("sendMessage", "editMessageText")]
        assert samples["oclep_replies_total"] >= len([c for c in applied if c.applied])
        assert samples["oclep_rate_limited_total"] == 1
        assert samples["oclep_submissions_completed"] == 1
        assert samples["oclep_errors_total"] == 0
        assert samples["oclep_up"] == 1
        # Nothing about the respondent on the page: ids, names, answers.
        assert "6300001" not in page

        async with schema_behind(database_url):
            status, body = await get(f"http://127.0.0.1:{port}/healthz")
            assert status == 503
            assert "DatabaseSchemaError" in body
            _, page = await get(f"http://127.0.0.1:{metrics_port}/metrics")
            assert metrics(page)["oclep_up"] == 0
        status, _ = await get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200


async def test_polling_feeds_the_watchdog_only_while_the_database_answers(
    database_target: DatabaseTarget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with notify_socket(tmp_path / "notify") as systemd:
        monkeypatch.setenv("NOTIFY_SOCKET", str(systemd.path))
        monkeypatch.setenv("WATCHDOG_USEC", "600000")  # a ping every 0.2 s
        monkeypatch.delenv("WATCHDOG_PID", raising=False)
        async with (
            await BotApiEmulator.start() as emulator,
            running_bot(
                emulator,
                tmp_path / "data",
                database_url=database_target.url,
            ) as bot,
        ):
            assert "READY=1" in systemd.notices
            await emulator.wait_until(
                lambda: systemd.notices.count("WATCHDOG=1") >= 2, 10, "watchdog pings"
            )
            async with schema_behind(bot.settings.effective_database_url):
                await asyncio.sleep(0.5)  # a check in flight may still have seen it current
                before = systemd.notices.count("WATCHDOG=1")
                await asyncio.sleep(1.0)
                assert systemd.notices.count("WATCHDOG=1") == before
            await emulator.wait_until(
                lambda: systemd.notices.count("WATCHDOG=1") > before, 10, "pings again"
            )
        assert "STOPPING=1" in systemd.notices


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_polling_health_needs_updates_fetched(database: Database, tmp_path: Path) -> None:
    clock = Clock()
    health = Health(database, polling=True, poll_seconds=25, clock=clock)
    assert (await health.check()).healthy  # just started
    clock.now += 25 + FETCH_MARGIN_SECONDS + 1
    report = await health.check()
    assert not report.healthy and report.problems[0].startswith("no updates fetched")
    health.fetched(3)
    report = await health.check()
    assert report.healthy and report.last_update_seconds_ago == 0
    assert health.counters.updates == 3
    clock.now += 10
    health.fetched(0)  # an empty long poll: fetching, but no update
    assert (await health.check()).last_update_seconds_ago == 10

    # The watchdog loop sends nothing while the check fails.
    async with notify_socket(tmp_path / "notify") as systemd:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("NOTIFY_SOCKET", str(systemd.path))
            stop = asyncio.Event()
            clock.now += 25 + FETCH_MARGIN_SECONDS + 1
            loop = asyncio.create_task(watchdog_loop(health, 0.3, stop))
            await asyncio.sleep(0.5)
            assert systemd.notices == []
            health.fetched(0)
            await asyncio.sleep(0.4)
            stop.set()
            await loop
    assert "WATCHDOG=1" in systemd.notices
