"""What every decrypting command shares: its options, the selection of submissions, the
checks made before any passphrase is asked, streaming decryption, and its audit entry.

Which day a submission counts for: its completion day when complete, otherwise the day it
was started (a partial submission is a draft that expired unfinished; an in-progress one is
still open). `--month` and `--since/--until` select on that day, inclusive.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress

from admin_cli.errors import CommandError
from admin_cli.records import DefinitionCatalog, SubmissionRecord, final_record
from storage.database import Database
from storage.keys import StaffPrivateKey
from storage.reader import DecryptedSubmission, SubmissionFilter, read_submissions
from storage.staff_queries import campaign_exists, count_submissions

KeyOption = Annotated[
    list[Path],
    typer.Option(
        "--key",
        help="Staff private key file; repeat for several keys (key rotation).",
        dir_okay=False,
        show_default=False,
    ),
]
PassphraseFileOption = Annotated[
    Path | None,
    typer.Option(
        "--passphrase-file",
        help="Read the key passphrase from the first line of this file instead of asking.",
        dir_okay=False,
    ),
]
QuestionnaireOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--questionnaire",
        help="Extra questionnaire definition (YAML file or folder) for older or newer "
        "versions than the shipped ones; repeatable.",
        show_default=False,
    ),
]
AuditLogOption = Annotated[
    Path | None,
    typer.Option(
        "--audit-log",
        envvar="OCLEP_AUDIT_LOG",
        help="The staff audit log (default: ~/.local/share/oclep/audit.jsonl).",
        dir_okay=False,
        show_default=False,
    ),
]
MonthOption = Annotated[
    str | None,
    typer.Option("--month", help="Calendar month YYYY-MM.", show_default=False),
]
CampaignOption = Annotated[
    str | None,
    typer.Option(
        "--campaign", help="Only submissions from this campaign link.", show_default=False
    ),
]

_MONTH = re.compile(r"(\d{4})-(\d{2})")


class Status(StrEnum):
    complete = "complete"
    partial = "partial"
    in_progress = "in_progress"


@dataclass(frozen=True)
class Selection:
    """Which submissions staff asked for, and how to say so in messages and in the audit."""

    statuses: frozenset[str]
    since: date | None = None
    until: date | None = None
    campaign: str | None = None
    month: str | None = None

    @property
    def filters(self) -> SubmissionFilter:
        return SubmissionFilter(
            statuses=self.statuses, since=self.since, until=self.until, campaign=self.campaign
        )

    def describe(self) -> str:
        if self.month is not None:
            when = f"in {self.month}"
        elif self.since is not None or self.until is not None:
            when = f"between {self.since or 'the first day'} and {self.until or 'today'}"
        else:
            when = "at all"
        campaign = f" from campaign '{self.campaign}'" if self.campaign else ""
        return f"{' or '.join(sorted(self.statuses))} submission{campaign} {when}"

    def audit(self) -> dict[str, Any]:
        return {
            "statuses": sorted(self.statuses),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "campaign": self.campaign,
        }


def month_range(text: str) -> tuple[date, date]:
    """First and last day of the month written `YYYY-MM`."""
    match = _MONTH.fullmatch(text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise CommandError(f"The month must be written YYYY-MM, for example 2025-03; got {text!r}.")
    year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def selection(
    *,
    month: str | None,
    since: date | None,
    until: date | None,
    statuses: list[Status] | None,
    campaign: str | None,
) -> Selection:
    """Validate the selection options (`CommandError` with one sentence)."""
    chosen = (
        frozenset(s.value for s in statuses) if statuses else frozenset({"complete", "partial"})
    )
    if month is not None:
        if since is not None or until is not None:
            raise CommandError("Give either --month or --since/--until, not both.")
        start, end = month_range(month)
        return Selection(chosen, start, end, campaign, f"{start:%Y-%m}")
    if since is not None and until is not None and until < since:
        raise CommandError("--until is before --since.")
    return Selection(chosen, since, until, campaign)


async def preflight(database: Database, chosen: Selection) -> int:
    """Checks that need no key: the campaign exists and something matches. Returns the count."""
    if chosen.campaign is not None and not await campaign_exists(database, chosen.campaign):
        raise CommandError(
            f"No submission has the campaign '{chosen.campaign}'; `oclep-admin stats` lists "
            "the campaigns. Nothing was written."
        )
    count = await count_submissions(database, chosen.filters)
    if count == 0:
        raise CommandError(f"There is no {chosen.describe()}; nothing was written.")
    return count


@dataclass
class DecryptionTally:
    """What happened while decrypting, for the final check and the audit entry."""

    read: int = 0
    missing_key: Counter[str] = field(default_factory=Counter)  # key id (hex) -> count
    damaged: int = 0

    def check(self) -> None:
        """`CommandError` when any submission could not be read: a partial export or report
        would silently leave testimonies out."""
        if self.missing_key:
            parts = [
                f"{n} sealed to key {key_id}" for key_id, n in sorted(self.missing_key.items())
            ]
            total = sum(self.missing_key.values())
            raise CommandError(
                f"{total} submission{'s' if total != 1 else ''} could not be read ("
                + ", ".join(parts)
                + "); give that private key with --key. Nothing was written."
            )
        if self.damaged:
            raise CommandError(
                f"{self.damaged} submission{'s' if self.damaged != 1 else ''} could not be "
                "decrypted (damaged data); nothing was written."
            )

    def audit(self) -> dict[str, int]:
        return {
            "decrypted": self.read,
            "missing_key": sum(self.missing_key.values()),
            "damaged": self.damaged,
        }


async def decrypted_records(
    database: Database,
    keys: Mapping[bytes, StaffPrivateKey],
    chosen: Selection,
    catalog: DefinitionCatalog,
    tally: DecryptionTally,
    progress: Progress,
    total: int,
) -> AsyncGenerator[SubmissionRecord, None]:
    """Stream the selected submissions as final records; unreadable ones are only counted."""
    task = progress.add_task("Decrypting submissions", total=total)
    # Closed explicitly, even when the caller stops early, so the reader's pending database
    # work ends before the database and the event loop do.
    async with aclosing(read_submissions(database, keys, filters=chosen.filters)) as results:
        async for result in results:
            progress.advance(task)
            if not isinstance(result, DecryptedSubmission):
                key_id = result.meta.key_id.hex()
                if result.meta.key_id not in keys:
                    tally.missing_key[key_id] += 1
                else:
                    tally.damaged += 1
                continue
            tally.read += 1
            yield final_record(result, catalog)
