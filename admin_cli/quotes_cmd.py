"""`oclep-admin quotes prepare|approve`: the quotes staff review before the site shows them."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from contextlib import aclosing
from pathlib import Path
from typing import Annotated

import typer

from admin_cli.audit import AuditedRun, AuditLog, default_audit_log, output_digest
from admin_cli.console import progress_bar, status_console
from admin_cli.decrypting import (
    AuditLogOption,
    DecryptionTally,
    KeyOption,
    PassphraseFileOption,
    QuestionnaireOption,
    Selection,
    decrypted_records,
    preflight,
)
from admin_cli.errors import CommandError, exit_on_errors
from admin_cli.keys_cmd import load_private_keys
from admin_cli.ledger import ledger_key, submission_digest
from admin_cli.records import DefinitionCatalog
from admin_cli.site.quotes import (
    CONSENT_QUESTION,
    TESTIMONY_QUESTION,
    Candidate,
    approve,
    merge,
    read_quotes,
    write_quotes,
)
from admin_cli.storage_options import DatabaseUrlOption
from admin_cli.storage_options import database_url as resolved_url
from storage.database import open_database
from storage.keys import StaffPrivateKey

app = typer.Typer(help="Quotes from testimonies whose respondents allowed it.")

QuotesFileOption = Annotated[
    Path, typer.Option("--file", help="The quotes review file (JSON, kept 0600).", dir_okay=False)
]


async def _candidates(
    url: str,
    keys: Mapping[bytes, StaffPrivateKey],
    catalog: DefinitionCatalog,
    tally: DecryptionTally,
) -> list[Candidate]:
    chosen = Selection(frozenset({"complete"}), None, None, None)
    mac_key = ledger_key(next(iter(keys.values())))
    found = []
    async with await open_database(url, must_exist=True) as database:
        total = await preflight(database, chosen)
        with progress_bar(status_console()) as progress:
            records = decrypted_records(database, keys, chosen, catalog, tally, progress, total)
            async with aclosing(records):
                async for record in records:
                    text = record.answers.get(TESTIMONY_QUESTION)
                    if record.answers.get(CONSENT_QUESTION) != "si" or not isinstance(text, str):
                        continue
                    meta = record.source.meta
                    day = meta.completed_on or meta.created_on
                    role = record.answers.get("rol")
                    country = record.answers.get("pais")
                    found.append(
                        Candidate(
                            id="q-" + submission_digest(mac_key, meta.id)[:16],
                            month=f"{day:%Y-%m}",
                            role=role if isinstance(role, str) else None,
                            country=country if isinstance(country, str) else None,
                            text=text,
                        )
                    )
    tally.check()
    return found


@app.command("prepare")
def prepare(
    key: KeyOption,
    file: QuotesFileOption,
    questionnaire: QuestionnaireOption = None,
    database_url: DatabaseUrlOption = None,
    passphrase_file: PassphraseFileOption = None,
    audit_log: AuditLogOption = None,
) -> None:
    """Write or update the review file: new quotable testimonies pending, with identifying
    details flagged; quotes whose testimony was withdrawn marked withdrawn, text dropped."""
    with exit_on_errors():
        if not key:
            raise CommandError("Give at least one private key with --key.")
        existing = read_quotes(file) if file.exists() else None
        log = AuditLog(audit_log or default_audit_log())
        log.check()
        catalog = DefinitionCatalog.load(questionnaire or [])
        keys = load_private_keys(key, passphrase_file)
        run = AuditedRun(
            log,
            command="quotes prepare",
            filters={"statuses": ["complete"]},
            key_ids=[k.hex() for k in keys],
        )
        tally = DecryptionTally()
        try:
            found = asyncio.run(_candidates(resolved_url(database_url), keys, catalog, tally))
            quotes, withdrawn = merge(existing, found)
            write_quotes(file, quotes)
            run.finish("written", tally.audit(), {"out": output_digest(file)})
        except BaseException:
            run.finish_refused(tally.audit())
            raise
    console = status_console()
    pending = sum(1 for q in quotes.quotes if q.status == "pending")
    console.print(f"Quotes file {file}: {len(quotes.quotes)} quotes, {pending} pending review.")
    if withdrawn:
        console.print("Withdrawn since the last run (take down): " + ", ".join(withdrawn))


@app.command("approve")
def approve_quotes(
    file: QuotesFileOption,
    ids: Annotated[list[str], typer.Argument(help="Ids of the quotes to approve.")],
    keep: Annotated[
        list[str] | None,
        typer.Option("--keep", help="A flagged detail that identifies nobody (repeatable)."),
    ] = None,
) -> None:
    """Approve quotes in their redacted form (refused while a flagged detail remains)."""
    with exit_on_errors():
        if not file.exists():
            raise CommandError(
                f"There is no quotes file at {file}; run `oclep-admin quotes prepare`."
            )
        write_quotes(file, approve(read_quotes(file), ids, keep or []))
    typer.echo(f"Approved {len(ids)} quote{'s' if len(ids) != 1 else ''} in {file}.")
