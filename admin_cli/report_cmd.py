"""`oclep-admin report`: the monthly report from decrypted submissions (HTML, Markdown, JSON).

Which submissions: complete ones completed in the month, and partial ones (drafts that
expired unfinished) started in the month; in-progress drafts are left out. Records are
streamed into the report library's tally one at a time, so memory does not grow with the
number of submissions.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from contextlib import aclosing
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from admin_cli.audit import output_digest
from admin_cli.console import status_console
from admin_cli.decrypting import (
    AuditLogOption,
    DecryptionTally,
    KeyOption,
    PassphraseFileOption,
    QuestionnaireOption,
    Selection,
    month_range,
)
from admin_cli.decrypting_command import DecryptingCommand, DecryptingOptions
from admin_cli.errors import CommandError, exit_on_errors
from admin_cli.ledger import Ledger, check_release, earlier_releases, ledger_key, submission_digest
from admin_cli.records import report_record
from admin_cli.report.disclosure import ReissueRefused
from admin_cli.report.figures import Tally
from admin_cli.report.model import Period, PeriodError, ReleaseKind, Report, Stamp
from admin_cli.report.publish import DEFAULT_MIN_CELL, publish_with_view
from admin_cli.report.render_html import render_html
from admin_cli.report.render_json import render_json, report_dict
from admin_cli.report.render_md import render_markdown
from admin_cli.report.wording import ReportWording, command_wording
from admin_cli.storage_options import DatabaseUrlOption
from flows.locales import SOURCE_LOCALE, SUPPORTED_LOCALES
from storage.database import Database
from storage.reader import SubmissionFilter
from storage.staff_queries import count_submissions

REPORT_STATUSES = frozenset({"complete", "partial"})


class ReportFormat(StrEnum):
    html = "html"
    md = "md"
    json = "json"


async def _tally(
    command: DecryptingCommand, chosen: Selection, tally: DecryptionTally, counted: set[bytes]
) -> Tally:
    raw = Tally()
    async with aclosing(command.records(chosen, tally)) as records:
        async for record in records:
            raw.add(report_record(record))
            counted.add(record.source.meta.id)  # for the ledger's change count
    return raw


def _still_open(chosen: Selection) -> Callable[[Database], Awaitable[int]]:
    """How many drafts started in the period are still open (they may still expire into it
    as partial submissions)."""

    async def count(database: Database) -> int:
        still_open = SubmissionFilter(
            statuses=frozenset({"in_progress"}), since=chosen.since, until=chosen.until
        )
        return await count_submissions(database, still_open)

    return count


def render(report: Report, fmt: ReportFormat, wording: ReportWording) -> str:
    if fmt is ReportFormat.html:
        return render_html(report, wording=wording)
    if fmt is ReportFormat.md:
        return render_markdown(report, wording=wording)
    return render_json(report, wording=wording)


def _summary(report: Report, out: Path) -> Table:
    table = Table(title="Report written")
    table.add_column("")
    table.add_column("", justify="right")
    total = report.status.total.value
    table.add_row("testimonies", str(total) if total is not None else "hidden")
    for row in report.versions:
        shown = row.count.value
        label = f"  {row.questionnaire_id} v{row.version}"
        table.add_row(label, str(shown) if shown is not None else "hidden")
    table.add_row(
        "disclosure control",
        f"k = {report.min_cell}" if report.disclosure_control else "off (--min-cell 1)",
    )
    table.add_row("file (0600)", str(out))
    return table


def report(
    month: Annotated[str, typer.Option("--month", help="Calendar month YYYY-MM.")],
    key: KeyOption,
    out: Annotated[
        Path, typer.Option("--out", help="Output file.", dir_okay=False, show_default=False)
    ],
    lang: Annotated[
        str,
        typer.Option("--lang", help=f"Report language: {', '.join(SUPPORTED_LOCALES)}."),
    ] = SOURCE_LOCALE,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="Output format.")] = (
        ReportFormat.html
    ),
    min_cell: Annotated[
        int,
        typer.Option(
            "--min-cell",
            help="Counts below this are shown as '<k'; 1 turns disclosure control off.",
        ),
    ] = DEFAULT_MIN_CELL,
    final: Annotated[
        bool,
        typer.Option(
            "--final",
            help="Publish as the month's final release, recorded in --ledger (the month must "
            "be closed: no draft started in it still open).",
        ),
    ] = False,
    provisional: Annotated[
        bool,
        typer.Option(
            "--provisional",
            help="Publish as a provisional release, recorded in --ledger and marked "
            "PROVISIONAL on every page.",
        ),
    ] = False,
    ledger: Annotated[
        Path | None,
        typer.Option(
            "--ledger",
            envvar="OCLEP_RELEASE_LEDGER",
            help="The release ledger file (JSON Lines) that records published reports.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing report.")] = False,
    questionnaire: QuestionnaireOption = None,
    database: DatabaseUrlOption = None,
    passphrase_file: PassphraseFileOption = None,
    audit_log: AuditLogOption = None,
) -> None:
    """The monthly report: ILO indicators, ICLS and Palermo figures, wages and health.

    Without --final or --provisional the report is a working copy, marked NOT FOR
    PUBLICATION on every page: only a release recorded in the ledger is audited against the
    earlier releases of its month.
    """
    with exit_on_errors():
        kind = _release_kind(lang, min_cell, final=final, provisional=provisional, ledger=ledger)
        try:
            period = Period.of_month(month)
        except PeriodError as exc:
            raise CommandError(str(exc)) from None
        start, end = month_range(month)
        label = f"{start:%Y-%m}"  # the month as the ledger writes it
        chosen = Selection(REPORT_STATUSES, start, end, None, period.month)
        options = DecryptingOptions(
            key, passphrase_file, questionnaire or [], database, audit_log, force
        )
        command = DecryptingCommand.prepare("report", options, [out])
        # Row labels from every definition the report may read, --questionnaire ones too.
        wording = command_wording(lang, command.catalog.questionnaires)
        book = Ledger(ledger) if ledger is not None and kind is not None else None
        entries = book.entries() if book is not None else []
        if kind is not None:
            check_release(entries, label, kind)
        still_open = command.check(chosen, also=_still_open(chosen))  # before any key
        if kind == "final":
            _check_closed(period, still_open or 0)
        keys = command.unlock()
        if book is not None:
            entries = book.verify(keys)  # a broken or foreign ledger stops here
        filters = {
            **chosen.audit(),
            "format": fmt.value,
            "lang": lang,
            "min_cell": min_cell,
            "release": kind,
        }
        with command.audited(filters) as decrypting:
            counted: set[bytes] = set()
            raw = asyncio.run(_tally(command, chosen, decrypting.tally, counted))
            earlier = earlier_releases(entries, label, counted, keys)
            try:
                report_only, view = publish_with_view(
                    raw, period=period, lang=lang, min_cell=min_cell, earlier=earlier
                )
            except ReissueRefused as exc:
                raise CommandError(f"{exc} Nothing was written.") from None
            run = decrypting.run
            number = sum(1 for e in entries if e.period == label) + 1 if kind else None
            published = dataclasses.replace(report_only, stamp=Stamp(str(run.anchor), kind, number))
            pending = decrypting.pending
            with pending[0].open_text() as handle:
                handle.write(render(published, fmt, wording))
            outputs = {"out": output_digest(pending[0].path)}
            if book is not None and kind is not None:
                signing_key = next(iter(keys.values()))
                mac_key = ledger_key(signing_key)
                outputs["ledger_entry"] = book.append(
                    signing_key,
                    period=label,
                    kind=kind,
                    min_cell=min_cell,
                    audit_anchor=str(run.anchor),
                    submissions={submission_digest(mac_key, sid) for sid in counted},
                    view=view,
                    report=report_dict(published, wording=wording),
                ).mac
            # The report becomes final only once its end entry is on disk.
            run.finish("written", decrypting.tally.audit(), outputs)
    status_console().print(_summary(published, out))


def _release_kind(
    lang: str, min_cell: int, *, final: bool, provisional: bool, ledger: Path | None
) -> ReleaseKind | None:
    """The release the options ask for (None: a working copy); `CommandError` for options
    that do not fit together."""
    if lang not in SUPPORTED_LOCALES:
        raise CommandError(
            f"The report language must be one of {', '.join(SUPPORTED_LOCALES)}; got {lang!r}."
        )
    if min_cell < 1:
        raise CommandError("--min-cell must be 1 or more.")
    if final and provisional:
        raise CommandError("Give --final or --provisional, not both.")
    kind: ReleaseKind | None = "final" if final else "provisional" if provisional else None
    if kind is not None and ledger is None:
        raise CommandError(f"--{kind} records the release: give the ledger file with --ledger.")
    if kind is not None and min_cell <= 1:
        raise CommandError("A published release needs disclosure control: --min-cell 2 or more.")
    return kind


def _check_closed(period: Period, still_open: int) -> None:
    """A final release only for a month over and closed: no draft can still expire into it."""
    if date.today() <= period.end:
        raise CommandError(
            f"{period.month} is not over yet; publish it with --provisional, or --final after it."
        )
    if still_open:
        raise CommandError(
            f"{still_open} draft{'s' if still_open != 1 else ''} started in {period.month} "
            f"{'are' if still_open != 1 else 'is'} still open and may become partial "
            "submissions of the month; publish with --provisional, or --final once they have "
            "expired (`oclep-admin purge`)."
        )
