"""`oclep-admin export`: decrypted submissions as CSV, XLSX or JSON Lines, with a codebook."""

from __future__ import annotations

import asyncio
import csv
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from admin_cli.attachments.export import MANIFEST_JSON, AttachmentExport, check_folder
from admin_cli.audit import output_digest
from admin_cli.console import status_console
from admin_cli.decrypting import (
    AuditLogOption,
    CampaignOption,
    KeyOption,
    MonthOption,
    PassphraseFileOption,
    QuestionnaireOption,
    Selection,
    Status,
    selection,
)
from admin_cli.decrypting_command import Decrypting, DecryptingCommand, DecryptingOptions
from admin_cli.errors import CommandError, exit_on_errors
from admin_cli.export.codebook import codebook_rows
from admin_cli.export.columns import Layout, layout, row_cells
from admin_cli.export.files import PendingFile
from admin_cli.export.writers import CsvWriter, ExportWriter, JsonLinesWriter, XlsxWriter
from admin_cli.records import DefinitionCatalog
from admin_cli.storage_options import DatabaseUrlOption
from flows.model import Questionnaire
from storage.database import open_database

DEFAULT_QUESTIONNAIRE = "testimonio"


def _sheets(catalog: DefinitionCatalog) -> list[str]:
    """The questionnaire ids an export has a sheet (XLSX) or a file (CSV, JSON Lines) for:
    the testimony first, then the others by id (the field report). Never one table for two
    questionnaires: a field report is not a testimony (docs/methodology.md §12)."""
    ids = {q.id for q in catalog.questionnaires}
    first = [DEFAULT_QUESTIONNAIRE] if DEFAULT_QUESTIONNAIRE in ids else []
    return first + sorted(ids - {DEFAULT_QUESTIONNAIRE})


def sheet_path(out: Path, questionnaire: str, first: bool) -> Path:
    """Where a questionnaire's rows go for CSV and JSON Lines: `--out` for the first (the
    testimony), `<stem>.<questionnaire><suffix>` beside it for the others."""
    return out if first else out.with_name(f"{out.stem}.{questionnaire}{out.suffix}")


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    jsonl = "jsonl"


@dataclass(frozen=True)
class ExportSummary:
    rows: int
    by_status: dict[str, int]
    versions: dict[str, int]
    review: int
    attachments: int | None = None


def codebook_path(out: Path) -> Path:
    """Where the codebook goes for CSV and JSON Lines: `<out>.codebook.csv`."""
    return out.with_name(out.name + ".codebook.csv")


def _writer(fmt: ExportFormat, pending: PendingFile, header: list[str]) -> ExportWriter:
    if fmt is ExportFormat.csv:
        return CsvWriter(pending.open_text(), header)
    if fmt is ExportFormat.jsonl:
        return JsonLinesWriter(pending.open_text(), header)
    return XlsxWriter(pending.path, header)


def _definitions(catalog: DefinitionCatalog, questionnaire: str) -> list[Questionnaire]:
    return [q for q in catalog.questionnaires if q.id == questionnaire]


async def _export(
    command: DecryptingCommand,
    chosen: Selection,
    layouts: dict[str, Layout],
    fmt: ExportFormat,
    decrypting: Decrypting,
    attachments: AttachmentExport | None,
) -> ExportSummary:
    pending = decrypting.pending
    sheets = list(layouts)
    first = sheets[0]
    writer: ExportWriter
    if fmt is ExportFormat.xlsx:
        writer = book = XlsxWriter(pending[0].path, layouts[first].names, sheet=first)
        writers = {first: writer} | {
            qid: book.another(qid, layouts[qid].names) for qid in sheets[1:]
        }
    else:
        writer = _writer(fmt, pending[0], layouts[first].names)
        writers = {first: writer}
        for qid, file in zip(sheets[1:], pending[1:], strict=False):
            writers[qid] = _writer(fmt, file, layouts[qid].names)
    by_status: dict[str, int] = {}
    versions: dict[str, int] = {}
    review = 0
    try:
        # The files are read over a connection of their own, beside the records' stream.
        async with (
            await open_database(command.url, must_exist=True) as files_database,
            aclosing(command.records(chosen, decrypting.tally)) as records,
        ):
            async for record in records:
                qid = record.questionnaire.id
                sheet = writers.get(qid)
                if sheet is None:  # pragma: no cover - the catalog read every definition
                    raise CommandError(f"No sheet for the questionnaire {qid!r}; nothing written.")
                sheet.write_row(row_cells(record, layouts[qid].columns))
                if attachments is not None:
                    submission = record.source.meta.id
                    await attachments.add_submission(files_database, command.keys, submission)
                by_status[record.status] = by_status.get(record.status, 0) + 1
                version = f"{record.questionnaire.id} v{record.questionnaire.version}"
                versions[version] = versions.get(version, 0) + 1
                review += bool(record.review)
        if attachments is not None:
            attachments.tally.check()
            attachments.write_manifests()
        described = [(qid, layouts[qid], _definitions(command.catalog, qid)) for qid in sheets]
        codebook = codebook_rows(
            layouts[first], [], audit_anchor=decrypting.anchor, sheets=described
        )
        if isinstance(writer, XlsxWriter):
            writer.add_codebook(codebook)
        else:
            with pending[-1].open_text() as handle:
                csv.writer(handle, lineterminator="\n").writerows(codebook)
    finally:
        for each in reversed(list(writers.values())):
            each.close()
    written = None if attachments is None else attachments.tally.written
    return ExportSummary(sum(by_status.values()), by_status, versions, review, written)


def _statuses(values: list[str] | None) -> list[Status] | None:
    """The `--status` values as statuses; an unknown one is refused with one sentence.

    The option takes plain text rather than the enum: click's own refusal of a bad choice
    is a usage panel over several lines with exit code 2, not the one sentence staff get
    for every other mistake.
    """
    if not values:
        return None
    known = {s.value: s for s in Status}
    chosen = []
    for value in values:
        found = known.get(value.strip().lower())
        if found is None:
            raise CommandError(
                f"The status {value!r} is unknown; give complete, partial or in_progress. "
                "Nothing was written."
            )
        chosen.append(found)
    return chosen


def _summary_table(summary: ExportSummary, targets: list[Path]) -> Table:
    table = Table(title="Export written")
    table.add_column("")
    table.add_column("", justify="right")
    table.add_row("submissions", str(summary.rows))
    for status, n in sorted(summary.by_status.items()):
        table.add_row(f"  {status}", str(n))
    for version, n in sorted(summary.versions.items()):
        table.add_row(f"  {version}", str(n))
    table.add_row("flagged for review", str(summary.review))
    if summary.attachments is not None:
        table.add_row("attachments (SHA-256 verified)", str(summary.attachments))
    for target in targets:
        table.add_row("file (0600)", str(target))
    return table


def export(
    key: KeyOption,
    out: Annotated[
        Path, typer.Option("--out", help="Output file.", dir_okay=False, show_default=False)
    ],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="Output format.")] = (
        ExportFormat.csv
    ),
    month: MonthOption = None,
    since: Annotated[
        datetime | None,
        typer.Option("--since", formats=["%Y-%m-%d"], help="First day (YYYY-MM-DD), inclusive."),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option("--until", formats=["%Y-%m-%d"], help="Last day (YYYY-MM-DD), inclusive."),
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            help="complete, partial or in_progress; repeatable; default: complete and partial.",
            show_default=False,
        ),
    ] = None,
    campaign: CampaignOption = None,
    include_text: Annotated[
        bool,
        typer.Option("--include-text", help="Also export free-text testimonies (identifying!)."),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace existing output files.")] = False,
    attachments: Annotated[
        Path | None,
        typer.Option(
            "--attachments",
            help=(
                "Also decrypt the submissions' documents and photos into this folder, named"
                " by submission and position, each SHA-256 verified, with manifest.csv and"
                " manifest.json (original names only with --include-text)."
            ),
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    questionnaire: QuestionnaireOption = None,
    database: DatabaseUrlOption = None,
    passphrase_file: PassphraseFileOption = None,
    audit_log: AuditLogOption = None,
) -> None:
    """One row per submission: answers, derived figures and review flags, plus a codebook.

    Submissions count on their completion day, or their start day when not complete.
    """
    with exit_on_errors():
        chosen = selection(
            month=month,
            since=since.date() if since else None,
            until=until.date() if until else None,
            statuses=_statuses(status),
            campaign=campaign,
        )
        sheets = _sheets(DefinitionCatalog.load(questionnaire or []))
        targets = (
            [out]
            if fmt is ExportFormat.xlsx
            else [
                *(sheet_path(out, qid, i == 0) for i, qid in enumerate(sheets)),
                codebook_path(out),
            ]
        )
        options = DecryptingOptions(
            key, passphrase_file, questionnaire or [], database, audit_log, force
        )
        command = DecryptingCommand.prepare("export", options, targets)
        if attachments is not None:
            check_folder(attachments, force=force)
        layouts = {
            qid: layout(_definitions(command.catalog, qid), include_text=include_text)
            for qid in sheets
        }
        command.check(chosen)  # before asking any passphrase
        command.unlock()
        filters = {
            **chosen.audit(),
            "format": fmt.value,
            "include_text": include_text,
            "attachments": attachments is not None,
        }
        files = (
            None
            if attachments is None
            else AttachmentExport(attachments, include_text=include_text, force=force)
        )
        try:
            with command.audited(filters, refused={"rows": 0}) as decrypting:
                summary = asyncio.run(_export(command, chosen, layouts, fmt, decrypting, files))
                tally = decrypting.tally
                names = ["out"] if fmt is ExportFormat.xlsx else ["out", *sheets[1:], "codebook"]
                outputs = {
                    name: output_digest(file.path)
                    for name, file in zip(names, decrypting.pending, strict=False)
                }
                counts = {**tally.audit(), "rows": tally.read}
                if files is not None:
                    outputs["attachments_manifest"] = output_digest(files.staged(MANIFEST_JSON))
                    counts["attachments"] = files.tally.written
                # The outputs become final only once their end entry is on disk.
                decrypting.run.finish("written", counts, outputs)
                if files is not None:
                    files.commit()
        finally:
            if files is not None:
                files.discard()
    status_console().print(_summary_table(summary, targets))
