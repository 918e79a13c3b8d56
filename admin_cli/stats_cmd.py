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


def _table(title: str, first: str, counts: tuple[str, ...], rows: list[list[str]]) -> Table:
    """A table whose first column names the row and whose other columns are counts."""
    table = Table(title=title)
    table.add_column(first)
    for column in counts:
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(*row)
    return table


def _status_table(stats: SubmissionStats) -> Table:
    table = _table(
        "Submissions by status",
        "status",
        ("count",),
        [[status, str(stats.by_status[status])] for status in STATUS_ORDER],
    )
    table.add_row("held now", str(stats.total), style="bold")
    return table


def _day_table(stats: SubmissionStats) -> Table:
    return _table(
        "By day (completion day, else start day)",
        "day",
        STATUS_ORDER,
        [
            [day.day.isoformat(), *(str(day.by_status[s]) for s in STATUS_ORDER)]
            for day in stats.by_day
        ],
    )


def _campaign_table(stats: SubmissionStats) -> Table:
    return _table(
        "By campaign",
        "campaign",
        ("count",),
        [[c if c is not None else "(none)", str(n)] for c, n in stats.by_campaign],
    )


def _questionnaire_table(stats: SubmissionStats) -> Table:
    return _table(
        "By questionnaire version",
        "questionnaire",
        ("version", "count"),
        [[q, str(v), str(n)] for q, v, n in stats.by_questionnaire],
    )


def _limit_table(stats: SubmissionStats) -> Table:
    refusals = stats.limit_refusals_by_day
    table = _table(
        "Accounts refused at the daily cap",
        "day",
        ("refused",),
        [[day.isoformat(), str(n)] for day, n in refusals],
    )
    table.add_row("total", str(sum(n for _, n in refusals)), style="bold")
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
