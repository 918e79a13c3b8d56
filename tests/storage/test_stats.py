"""Counts from clear metadata: by status, day, campaign and questionnaire version."""

from __future__ import annotations

import asyncio
from datetime import date

from typer.testing import CliRunner

from admin_cli.main import app
from storage.database import Database, head_revision, open_database
from storage.stats import DayCounts, submission_stats
from tests.conftest import DatabaseTarget
from tests.storage.repository_support import QUESTIONNAIRE, Setup, record


async def _populate(setup: Setup) -> None:
    repo = setup.repository()
    for user_id, campaign in ((1, "norte"), (2, "norte"), (3, None), (4, "sur")):
        pseudonym = setup.pseudonym(user_id)
        await repo.start_or_resume(
            pseudonym, questionnaire=QUESTIONNAIRE, campaign=campaign, initial_state=b""
        )
        await repo.record_answer(
            pseudonym, update_id=1, expected_version=1, plaintext=record("a", "x"), new_state=b""
        )
    await repo.complete(setup.pseudonym(1), update_id=2, expected_version=2)
    setup.clock.advance(days=1)
    done = await repo.complete(setup.pseudonym(2), update_id=2, expected_version=2)
    assert done.receipt is not None
    await repo.withdraw_unfinished(setup.pseudonym(4))
    setup.clock.advance(days=1)
    assert await repo.withdraw_by_receipt(done.receipt)


async def test_counts_by_status_day_campaign_and_version(database: Database) -> None:
    setup = Setup(database)
    await _populate(setup)
    stats = await submission_stats(database)
    assert stats.by_status == {"in_progress": 1, "complete": 1, "partial": 0, "withdrawn": 2}
    assert stats.total == 2
    zero = dict.fromkeys(("in_progress", "complete", "partial", "withdrawn"), 0)
    assert stats.by_day == [
        DayCounts(date(2025, 3, 14), zero | {"in_progress": 1, "complete": 1}),
        DayCounts(date(2025, 3, 15), zero | {"withdrawn": 1}),
        DayCounts(date(2025, 3, 16), zero | {"withdrawn": 1}),
    ]
    assert stats.by_campaign == [("norte", 1), (None, 1)]
    assert stats.by_questionnaire == [(QUESTIONNAIRE.id, QUESTIONNAIRE.version, 2)]


async def _populate_at(url: str) -> None:
    async with await open_database(url, upgrade=True) as database:
        await _populate(Setup(database))


def test_the_stats_command_prints_the_tables(database_target: DatabaseTarget) -> None:
    # A plain test: the command runs its own event loop, as it does for staff.
    asyncio.run(_populate_at(database_target.url))
    result = CliRunner().invoke(app, ["stats", "--database-url", database_target.url])
    assert result.exit_code == 0, result.output
    for expected in ("Submissions by status", "2025-03-14", "norte", "(none)", "testimonio"):
        assert expected in result.output


def test_the_stats_command_reports_a_bad_url_in_one_line() -> None:
    result = CliRunner().invoke(app, ["stats", "--database-url", "mysql://x/y"])
    assert result.exit_code == 1
    assert "not supported" in result.output and "Traceback" not in result.output


def test_db_upgrade_creates_the_schema(database_target: DatabaseTarget) -> None:
    result = CliRunner().invoke(app, ["db", "upgrade", "--database-url", database_target.url])
    assert result.exit_code == 0, result.output
    assert f"schema revision {head_revision()} (newest)" in result.output
    again = CliRunner().invoke(app, ["db", "upgrade", "--database-url", database_target.url])
    assert again.exit_code == 0


async def test_refusals_at_the_daily_testimony_cap_are_counted_by_day(database: Database) -> None:
    setup = Setup(database)
    repo = setup.repository()
    for _ in range(2):
        await repo.count_testimony_limit_refusal()
    setup.clock.advance(days=1)
    await repo.count_testimony_limit_refusal()
    stats = await submission_stats(database)
    assert stats.limit_refusals_by_day == [(date(2025, 3, 14), 2), (date(2025, 3, 15), 1)]
    assert stats.by_status["complete"] == 0  # a refusal is no submission
