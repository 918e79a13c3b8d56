"""`oclep-admin codes`: the deep-link codes that open a questionnaire (campaigns, investigators)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from admin_cli.errors import exit_on_errors
from admin_cli.storage_options import DatabaseUrlOption
from admin_cli.storage_options import database_url as resolved_url
from flows.shipped import load_served
from storage.access_codes import AccessCodes, CodeEntry
from storage.database import open_database
from storage.secret_check import open_server_secret_for_staff
from storage.tables import AccessCodeKind

app = typer.Typer(
    help="Deep-link codes: which questionnaire a /start <code> opens (campaigns, investigators).",
    no_args_is_help=True,
)
T = TypeVar("T")


class Kind(StrEnum):
    campaign = "campaign"
    investigator = "investigator"


def _bot_secret_file(path: Path | None) -> Path:
    """The bot's default (bot/settings.py): <OCLEP_DATA_DIR>/server.secret, data/ without it."""
    if path is not None:
        return path
    return Path(os.environ.get("OCLEP_DATA_DIR") or "data") / "server.secret"


ServerSecretFileOption = Annotated[
    Path | None,
    typer.Option(
        "--server-secret-file",
        envvar="OCLEP_SERVER_SECRET_FILE",
        help="The bot's server secret file (OCLEP_SERVER_SECRET_FILE; default "
        "<OCLEP_DATA_DIR>/server.secret): codes are stored as keyed hashes under it.",
        dir_okay=False,
        show_default=False,
    ),
]


def _with_codes(
    url: str, secret_file: Path | None, work: Callable[[AccessCodes], Awaitable[T]]
) -> T:
    async def run() -> T:
        async with await open_database(url, must_exist=True) as database:
            secret = await open_server_secret_for_staff(database, _bot_secret_file(secret_file))
            return await work(AccessCodes(database, secret))

    return asyncio.run(run())


def _today() -> datetime:
    return datetime.now(UTC)


@app.command("add")
def add(
    kind: Annotated[
        Kind,
        typer.Option(
            "--kind",
            help="campaign: a link shared with many people; investigator: one investigator's "
            "own link (always a random code).",
        ),
    ],
    label: Annotated[
        str,
        typer.Option(
            "--label",
            help="The campaign label recorded with every submission made through the code "
            "(letters, digits, _ and -; never a person's name).",
        ),
    ],
    questionnaire: Annotated[
        str,
        typer.Option(
            "--questionnaire",
            help="The questionnaire the code opens (testimonio; informe_campo for investigators).",
        ),
    ] = "testimonio",
    code: Annotated[
        str | None,
        typer.Option(
            "--code",
            help="A campaign code of your choosing (4 to 64 letters, digits, _ or -); "
            "without it a random code is drawn. Not for investigators.",
            show_default=False,
        ),
    ] = None,
    bot_username: Annotated[
        str | None,
        typer.Option(
            "--bot-username", help="The bot's @username, to print the link ready to share."
        ),
    ] = None,
    database_url: DatabaseUrlOption = None,
    server_secret_file: ServerSecretFileOption = None,
) -> None:
    """Register a code. A drawn code is printed once: it is stored only as a keyed hash."""
    served = frozenset(q.id for q in load_served())
    with exit_on_errors():
        made = _with_codes(
            resolved_url(database_url),
            server_secret_file,
            lambda codes: codes.add(
                AccessCodeKind(kind.value),
                questionnaire,
                label,
                _today().date(),
                chosen=code,
                served=served,
            ),
        )
    typer.echo(
        f"Registered {kind.value} code {made.short_id} for {questionnaire}, label {label}.",
        err=True,
    )
    if code is None:
        typer.echo(
            "The code, shown this once (it is not stored; give it over a safe channel):",
            err=True,
        )
        typer.echo(made.code)
    if bot_username:
        typer.echo(f"https://t.me/{bot_username.removeprefix('@')}?start={made.code}")


@app.command("list")
def list_codes(
    database_url: DatabaseUrlOption = None,
    server_secret_file: ServerSecretFileOption = None,
) -> None:
    """Every registered code by its id: kind, questionnaire, label, dates. Never the code."""
    with exit_on_errors():
        entries = _with_codes(
            resolved_url(database_url), server_secret_file, lambda codes: codes.entries()
        )
    table = Table(title="Access codes")
    for column in ("id", "kind", "questionnaire", "label", "created", "revoked"):
        table.add_column(column)
    for entry in entries:
        table.add_row(*_cells(entry))
    Console(width=120).print(table)
    if not entries:
        typer.echo("No codes registered.")


@app.command("revoke")
def revoke(
    short_id: Annotated[str, typer.Argument(help="The code's id, as `codes list` shows it.")],
    database_url: DatabaseUrlOption = None,
    server_secret_file: ServerSecretFileOption = None,
) -> None:
    """Revoke a code: from now on it opens nothing, and the bot says so kindly."""
    with exit_on_errors():
        entry = _with_codes(
            resolved_url(database_url),
            server_secret_file,
            lambda codes: codes.revoke(short_id, _today().date()),
        )
    typer.echo(
        f"Code {entry.short_id} ({entry.kind.value}, {entry.questionnaire}, label "
        f"{entry.label}) is revoked since {entry.revoked_on}."
    )


def _cells(entry: CodeEntry) -> tuple[str, ...]:
    revoked = entry.revoked_on.isoformat() if entry.revoked_on is not None else "-"
    return (
        entry.short_id,
        entry.kind.value,
        entry.questionnaire,
        entry.label,
        entry.created_on.isoformat(),
        revoked,
    )
