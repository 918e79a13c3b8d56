"""`oclep-admin purge`: expire old drafts into partial submissions and list tombstones.

Expiry here is the bot's own (`Repository.expire_drafts`, which the bot runs at start and
hourly), so it needs the bot's server secret: each expired draft's sealed chain key is opened
one last time to seal the end record after its answers, and without it the partial
submission would lack the authenticated count that lets staff notice dropped records.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Final

import typer
from rich.table import Table

from admin_cli.console import status_console
from admin_cli.db_cmd import DatabaseUrlOption
from admin_cli.errors import CommandError, exit_on_errors
from storage.database import DEFAULT_DATABASE_URL, open_database
from storage.keys import generate_staff_key
from storage.repository import Repository
from storage.server_secret import ServerSecret, ServerSecretError
from storage.staff_queries import TombstoneEntry, list_tombstones

DEFAULT_SECRET_NAME: Final = "server.secret"  # noqa: S105 (a file name)
_WHERE = "give the bot's secret file with --server-secret-file or OCLEP_SERVER_SECRET_FILE"

ServerSecretFileOption = Annotated[
    Path | None,
    typer.Option(
        "--server-secret-file",
        envvar="OCLEP_SERVER_SECRET_FILE",
        help="The bot's server secret, to close expired drafts as the bot does "
        "(default: $OCLEP_DATA_DIR/server.secret, else data/server.secret).",
        dir_okay=False,
        show_default=False,
    ),
]


@dataclass(frozen=True)
class PurgeOutcome:
    expired: int  # drafts expired (partial submissions, or deleted if empty)
    unclosed: int  # of those, partial submissions left without an end record
    tombstones: list[TombstoneEntry]


def server_secret_path(given: Path | None) -> Path:
    """The secret file the bot uses: as `bot/settings.py` resolves it from the environment
    (`.env` files are the bot's alone: staff commands read only the environment)."""
    if given is not None:
        return given
    return Path(os.environ.get("OCLEP_DATA_DIR") or "data") / DEFAULT_SECRET_NAME


def load_server_secret(path: Path) -> ServerSecret:
    """Read the existing secret; never create one (a new secret opens none of the drafts)."""
    try:
        return ServerSecret.load(path)
    except FileNotFoundError:
        raise CommandError(
            f"There is no server secret at {path}; {_WHERE}. Nothing was changed."
        ) from None
    except ServerSecretError as exc:
        raise CommandError(str(exc)) from None


async def _purge(url: str, secret: ServerSecret, secret_path: Path) -> PurgeOutcome:
    async with await open_database(url, must_exist=True) as database:
        # Expiry opens chain keys with the server secret; the staff public key only seals a
        # new submission's key, which expiry never does, so a throwaway one satisfies it.
        repository = Repository(database, secret, generate_staff_key().public_key)
        preview = await repository.preview_expiry()
        if preview.with_answers and not preview.closable:
            raise CommandError(
                f"The server secret {secret_path} opens none of the {preview.with_answers} "
                f"expired drafts, so it is not the bot's; {_WHERE}. Nothing was changed."
            )
        expired = await repository.expire_drafts()
        unclosed = preview.with_answers - preview.closable
        return PurgeOutcome(expired, unclosed, await list_tombstones(database))


def purge(
    database_url: DatabaseUrlOption = DEFAULT_DATABASE_URL,
    server_secret_file: ServerSecretFileOption = None,
    ids_only: Annotated[
        bool, typer.Option("--ids-only", help="Print only the tombstoned ids, one a line.")
    ] = False,
) -> None:
    """Turn drafts past their expiry into partial submissions; list withdrawn submissions.

    Drafts expire exactly as the bot expires them, with its server secret: run as the bot's user.

    Withdrawn submissions are already deleted from the database, their sealed key with them.

    Their tombstones tell you which offline copies (exports) to delete as well.
    """
    with exit_on_errors():
        secret_path = server_secret_path(server_secret_file)
        secret = load_server_secret(secret_path)
        outcome = asyncio.run(_purge(database_url, secret, secret_path))
    if ids_only:
        for entry in outcome.tombstones:
            typer.echo(entry.submission_id.hex())
        return
    console = status_console()
    console.print(
        f"Expired drafts (now partial submissions, or deleted if empty): {outcome.expired}"
    )
    if outcome.unclosed:
        console.print(
            f"{outcome.unclosed} of them could not be closed with an end record (their sealed "
            "chain key does not open), so their answer count is not authenticated."
        )
    table = Table(title="Withdrawn submissions: delete them from every export you keep")
    table.add_column("submission id")
    table.add_column("withdrawn on")
    for entry in outcome.tombstones:
        table.add_row(entry.submission_id.hex(), entry.withdrawn_on.isoformat())
    console.print(table)
    if not outcome.tombstones:
        console.print("No submission has been withdrawn.")
