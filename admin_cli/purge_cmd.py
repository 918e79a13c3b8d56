"""`oclep-admin purge`: expire old drafts into partial submissions and list tombstones.

Expiry here is the bot's own (`storage.expiry`, which the bot runs at start and hourly):
each partial submission is closed with an end record sealed to the staff **public** key, so
this command needs that key and never the server secret.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from admin_cli.console import status_console
from admin_cli.errors import exit_on_errors
from admin_cli.staff_public_key import StaffPublicKeyOption, load_staff_public_key
from admin_cli.storage_options import DatabaseUrlOption, database_url
from storage.database import open_database
from storage.expiry import expire
from storage.keys import StaffPublicKey
from storage.staff_queries import TombstoneEntry, list_tombstones


@dataclass(frozen=True)
class PurgeOutcome:
    expired: int  # drafts expired (partial submissions, or deleted if empty)
    unclosed: int  # of those, partial submissions left without an end record
    tombstones: list[TombstoneEntry]


async def _purge(url: str, staff_key: StaffPublicKey) -> PurgeOutcome:
    async with await open_database(url, must_exist=True) as database:
        outcome = await expire(database, staff_key, datetime.now(UTC).date())
        return PurgeOutcome(outcome.expired, outcome.unclosed, await list_tombstones(database))


def purge(
    database: DatabaseUrlOption = None,
    staff_public_key: StaffPublicKeyOption = None,
    ids_only: Annotated[
        bool, typer.Option("--ids-only", help="Print only the tombstoned ids, one a line.")
    ] = False,
) -> None:
    """Turn drafts past their expiry into partial submissions; list withdrawn submissions.

    Drafts expire exactly as the bot expires them; only the staff public key is needed.

    Withdrawn submissions are already deleted from the database, their sealed records with
    them. Their tombstones tell you which offline copies (exports) to delete as well.
    """
    with exit_on_errors():
        staff_key = load_staff_public_key(staff_public_key)
        outcome = asyncio.run(_purge(database_url(database), staff_key))
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
            f"{outcome.unclosed} of them could not be closed with an end record (drafts "
            "started before record format 2), so their answer count is not authenticated."
        )
    table = Table(title="Withdrawn submissions: delete them from every export you keep")
    table.add_column("submission id")
    table.add_column("withdrawn on")
    for entry in outcome.tombstones:
        table.add_row(entry.submission_id.hex(), entry.withdrawn_on.isoformat())
    console.print(table)
    if not outcome.tombstones:
        console.print("No submission has been withdrawn.")
