"""`oclep-admin report`: the monthly report from decrypted submissions (HTML, Markdown, JSON).

Which submissions: complete ones completed in the month, and partial ones (drafts that
expired unfinished) started in the month; in-progress drafts are left out. Records are
streamed into the report library's tally one at a time, so memory does not grow with the
number of submissions.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from contextlib import aclosing
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from admin_cli.audit import AuditedRun, AuditLog, default_audit_log, output_digest
from admin_cli.console import progress_bar, status_console
from admin_cli.db_cmd import DatabaseUrlOption
from admin_cli.decrypting import (
    AuditLogOption,
    DecryptionTally,
    KeyOption,
    PassphraseFileOption,
    QuestionnaireOption,
    Selection,
    decrypted_records,
    month_range,
    preflight,
)
from admin_cli.errors import CommandError, exit_on_errors
from admin_cli.export.files import check_targets, pending_files
from admin_cli.keys_cmd import load_private_keys
from admin_cli.records import DefinitionCatalog, report_record
from admin_cli.report import (
    DEFAULT_MIN_CELL,
    LANGUAGES,
    Period,
    PeriodError,
    Report,
    render_html,
    render_json,
    render_markdown,
)
from admin_cli.report.figures import Tally
from admin_cli.report.model import Stamp
from admin_cli.report.publish import publish
from storage.database import DEFAULT_DATABASE_URL, open_database
from storage.keys import StaffPrivateKey

REPORT_STATUSES = frozenset({"complete", "partial"})


class ReportFormat(StrEnum):
    html = "html"
    md = "md"
    json = "json"


class Language(StrEnum):
    es = "es"
    en = "en"


async def _tally(
    url: str,
    keys: Mapping[bytes, StaffPrivateKey],
    chosen: Selection,
    catalog: DefinitionCatalog,
    tally: DecryptionTally,
) -> Tally:
    raw = Tally()
    console = status_console()
    async with await open_database(url, must_exist=True) as database:
        total = await preflight(database, chosen)
        with progress_bar(console) as progress:
            records = decrypted_records(database, keys, chosen, catalog, tally, progress, total)
            async with aclosing(records):
                async for record in records:
                    raw.add(report_record(record))
    tally.check()
    return raw


async def _check_selection(url: str, chosen: Selection) -> None:
    async with await open_database(url, must_exist=True) as database:
        await preflight(database, chosen)


def render(report: Report, fmt: ReportFormat) -> str:
    if fmt is ReportFormat.html:
        return render_html(report)
    if fmt is ReportFormat.md:
        return render_markdown(report)
    return render_json(report)


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
    lang: Annotated[Language, typer.Option("--lang", help="Report language.")] = Language.es,
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
    force: Annotated[bool, typer.Option("--force", help="Replace an existing report.")] = False,
    questionnaire: QuestionnaireOption = None,
    database_url: DatabaseUrlOption = DEFAULT_DATABASE_URL,
    passphrase_file: PassphraseFileOption = None,
    audit_log: AuditLogOption = None,
) -> None:
    """The monthly report: ILO indicators, ICLS and Palermo figures, wages and health."""
    with exit_on_errors():
        if not key:
            raise CommandError("Give at least one private key with --key.")
        if min_cell < 1:
            raise CommandError("--min-cell must be 1 or more.")
        assert lang.value in LANGUAGES
        try:
            period = Period.of_month(month)
        except PeriodError as exc:
            raise CommandError(str(exc)) from None
        start, end = month_range(month)
        chosen = Selection(REPORT_STATUSES, start, end, None, period.month)
        check_targets([out], force=force)
        log = AuditLog(audit_log or default_audit_log())
        log.check()  # a log that cannot take the entry stops the command before any key
        catalog = DefinitionCatalog.load(questionnaire or [])
        asyncio.run(_check_selection(database_url, chosen))  # before asking any passphrase
        keys = load_private_keys(key, passphrase_file)
        run = AuditedRun(  # written and fsynced before anything is decrypted
            log,
            command="report",
            filters={
                **chosen.audit(),
                "format": fmt.value,
                "lang": lang.value,
                "min_cell": min_cell,
            },
            key_ids=[key_id.hex() for key_id in keys],
        )
        tally = DecryptionTally()
        try:
            raw = asyncio.run(_tally(database_url, keys, chosen, catalog, tally))
            published = dataclasses.replace(
                publish(raw, period=period, lang=lang.value, min_cell=min_cell),
                stamp=Stamp(str(run.anchor)),
            )
            with pending_files([out], force=force) as pending:
                with pending[0].open_text() as handle:
                    handle.write(render(published, fmt))
                # The report becomes final only once its end entry is on disk.
                run.finish("written", tally.audit(), {"out": output_digest(pending[0].path)})
        except BaseException:
            run.finish_refused(tally.audit())
            raise
    status_console().print(_summary(published, out))
