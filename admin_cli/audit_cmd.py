"""`oclep-admin audit`: show the staff audit log, and verify its hash chain."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from admin_cli.audit import AuditAnchor, AuditLog, default_audit_log
from admin_cli.console import status_console
from admin_cli.decrypting import AuditLogOption
from admin_cli.errors import exit_on_errors

app = typer.Typer(help="The staff audit log of decrypting commands.")


def _log(path: Path | None) -> AuditLog:
    return AuditLog(path or default_audit_log())


def _filters(filters: dict[str, object]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(filters.items()) if v not in (None, [], ""))


@app.callback(invoke_without_command=True)
def show(ctx: typer.Context, audit_log: AuditLogOption = None) -> None:
    """Show every entry of the audit log (who decrypted what, when; never content)."""
    if ctx.invoked_subcommand is not None:
        return
    log = _log(audit_log)
    with exit_on_errors():
        entries = log.entries()
    table = Table(title=f"Audit log {log.path}")
    for column in ("n", "time (UTC)", "user", "command", "filters", "counts", "keys", "outcome"):
        table.add_column(column, justify="right" if column == "n" else "left")
    for entry in entries:
        counts = entry.get("counts") or {}
        table.add_row(
            str(entry.get("n")),
            str(entry.get("time")),
            str(entry.get("user")),
            str(entry.get("command")),
            _filters(entry.get("filters") or {}),
            ", ".join(f"{k}={v}" for k, v in sorted(counts.items())),
            ", ".join(str(k)[:8] for k in entry.get("key_ids") or []),
            str(entry.get("outcome")),
        )
    status_console().print(table)
    if not entries:
        typer.echo("The audit log is empty.", err=True)


AnchorOption = Annotated[
    list[str] | None,
    typer.Option(
        "--anchor",
        help="N:HASH printed in a report or export (its audit_anchor); the log must still "
        "hold that entry. Repeatable.",
        show_default=False,
    ),
]


@app.command("verify")
def verify(audit_log: AuditLogOption = None, anchor: AnchorOption = None) -> None:
    """Check the hash chain and the anchors of published files: exit 1 naming the first
    edited, removed or moved entry, or the first anchor the log no longer holds."""
    log = _log(audit_log)
    with exit_on_errors():
        anchors = [AuditAnchor.parse(text) for text in anchor or []]
        head = log.verify(anchors)
    held = f"; it holds the {len(anchors)} anchor(s) given" if anchors else ""
    typer.echo(
        f"The audit log {log.path} is intact: {head.count} entries, head {head.hash[:16]}{held}."
    )
