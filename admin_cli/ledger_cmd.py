"""`oclep-admin ledger`: list the releases of the release ledger, and verify its seals."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from admin_cli.console import status_console
from admin_cli.decrypting import KeyOption, PassphraseFileOption
from admin_cli.errors import CommandError, exit_on_errors
from admin_cli.keys_cmd import load_private_keys
from admin_cli.ledger import Ledger, LedgerEntry

app = typer.Typer(help="The release ledger of published reports.")

LedgerOption = Annotated[
    Path,
    typer.Option(
        "--ledger",
        envvar="OCLEP_RELEASE_LEDGER",
        help="The release ledger file (JSON Lines).",
        dir_okay=False,
        show_default=False,
    ),
]


def _count(value: Any) -> str:
    return str(value) if isinstance(value, int) else "hidden"


def _table(entries: list[LedgerEntry], title: str) -> Table:
    table = Table(title=title)
    for column in ("n", "period", "release", "kind", "issued (UTC)", "testimonies", "audit"):
        table.add_column(column)
    for entry in entries:
        table.add_row(
            str(entry.n),
            entry.period,
            str(entry.release),
            entry.kind,
            entry.issued,
            _count(entry.report.get("tables", {}).get("status", {}).get("total")),
            entry.audit_anchor[:24],
        )
    return table


@app.command("list")
def list_releases(ledger: LedgerOption) -> None:
    """Every release in the ledger (format checked; seals checked by `ledger verify`)."""
    with exit_on_errors():
        if not ledger.exists():
            raise CommandError(f"There is no release ledger at {ledger}.")
        entries = Ledger(ledger).entries()
    status_console().print(_table(entries, f"Release ledger {ledger} (seals not checked)"))


@app.command("verify")
def verify(
    ledger: LedgerOption, key: KeyOption, passphrase_file: PassphraseFileOption = None
) -> None:
    """Check every entry's format, seal, order and chain: exit 1 naming the first bad one."""
    with exit_on_errors():
        if not key:
            raise CommandError("Give the staff private key with --key: it seals the ledger.")
        if not ledger.exists():
            raise CommandError(f"There is no release ledger at {ledger}.")
        book = Ledger(ledger)
        book.entries()  # format first: no passphrase asked for a file that is no ledger
        entries = book.verify(load_private_keys(key, passphrase_file))
    typer.echo(f"The release ledger {ledger} is intact: {len(entries)} releases.")
