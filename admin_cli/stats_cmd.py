"""`oclep-admin stats`: Counts of submissions (no key needed)."""

from __future__ import annotations

import asyncio

from rich.console import Console
from rich.table import Table

from admin_cli.errors import exit_on_errors
from admin_cli.storage_options import DatabaseUrlOption, database_url
from storage.database import open_database
from storage.stats import STATUS_ORDER, SubmissionStats, submission_stats


async def _collect(url: str) -> SubmissionStats:
    async with await open_database(url, must_exist=True) as database:
        return await submission_stats(database)


def _status_table(stats: SubmissionStats) -> Table:
    table = Table(title="Submissions by status")
    table.add_column("status")
    table.add_column("count", justify="right")
    for status in STATUS_ORDER:
        table.add_row(status, str(stats.by_status[status]))
    table.add_row("held now", str(stats.total), style="bold")
    return table


def _day_table(stats: SubmissionStats) -> Table:
    table = Table(title="By day (completion day, else start day)")
    table.add_column("day")
    for status in STATUS_ORDER:
        table.add_column(status, justify="right")
    for day in stats.by_day:
        table.add_row(day.day.isoformat(), *(str(day.by_status[s]) for s in STATUS_ORDER))
    return table


def _campaign_table(stats: SubmissionStats) -> Table:
    table = Table(title="By campaign")
    table.add_column("campaign")
    table.add_column("count", justify="right")
    for campaign, count in stats.by_campaign:
        table.add_row(campaign if campaign is not None else "(none)", str(count))
    return table


def _questionnaire_table(stats: SubmissionStats) -> Table:
    table = Table(title="By questionnaire version")
    table.add_column("questionnaire")
    table.add_column("version", justify="right")
    table.add_column("count", justify="right")
    for questionnaire, version, count in stats.by_questionnaire:
        table.add_row(questionnaire, str(version), str(count))
    return table


def _limit_table(stats: SubmissionStats) -> Table:
    table = Table(title="Accounts refused at the daily cap")
    table.add_column("day")
    table.add_column("refused", justify="right")
    for day, count in stats.limit_refusals_by_day:
        table.add_row(day.isoformat(), str(count))
    table.add_row("total", str(sum(n for _, n in stats.limit_refusals_by_day)), style="bold")
    return table


def stats(database: DatabaseUrlOption = None) -> None:
    """Count submissions by status, day, campaign and questionnaire version, and new
    testimonies refused at the daily cap per account."""
    with exit_on_errors():
        collected = asyncio.run(_collect(database_url(database)))
    console = Console()
    for table in (
        _status_table(collected),
        _day_table(collected),
        _campaign_table(collected),
        _questionnaire_table(collected),
        _limit_table(collected),
    ):
        console.print(table)
