"""`oclep-admin purge`: expire old drafts into partial submissions and list tombstones."""

from __future__ import annotations

import asyncio
import secrets
from typing import Annotated

import typer
from rich.table import Table

from admin_cli.console import status_console
from admin_cli.db_cmd import DatabaseUrlOption
from admin_cli.errors import exit_on_errors
from storage.database import DEFAULT_DATABASE_URL, open_database
from storage.keys import generate_staff_key
from storage.repository import Repository
from storage.server_secret import ServerSecret
from storage.staff_queries import TombstoneEntry, list_tombstones


async def _purge(url: str) -> tuple[int, list[TombstoneEntry]]:
    async with await open_database(url, must_exist=True) as database:
        # Expiring drafts seals and opens nothing: a throwaway secret and key satisfy the
        # repository, so purge needs neither the server's secret nor any staff key.
        repository = Repository(
            database, ServerSecret(secrets.token_bytes(32)), generate_staff_key().public_key
        )
        expired = await repository.expire_drafts()
        return expired, await list_tombstones(database)


def purge(
    database_url: DatabaseUrlOption = DEFAULT_DATABASE_URL,
    ids_only: Annotated[
        bool, typer.Option("--ids-only", help="Print only the tombstoned ids, one a line.")
    ] = False,
) -> None:
    """Turn drafts past their expiry into partial submissions; list withdrawn submissions.

    Withdrawn submissions are already deleted from the database (their sealed key with them);
    their tombstones tell you which offline copies (exports) to delete as well.
    """
    with exit_on_errors():
        expired, tombstones = asyncio.run(_purge(database_url))
    if ids_only:
        for entry in tombstones:
            typer.echo(entry.submission_id.hex())
        return
    console = status_console()
    console.print(f"Expired drafts (now partial submissions, or deleted if empty): {expired}")
    table = Table(title="Withdrawn submissions: delete them from every export you keep")
    table.add_column("submission id")
    table.add_column("withdrawn on")
    for entry in tombstones:
        table.add_row(entry.submission_id.hex(), entry.withdrawn_on.isoformat())
    console.print(table)
    if not tombstones:
        console.print("No submission has been withdrawn.")
