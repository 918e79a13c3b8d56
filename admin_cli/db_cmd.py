"""`oclep-admin db`: Database maintenance."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import typer

from admin_cli.errors import exit_on_errors
from admin_cli.staff_public_key import StaffPublicKeyOption, load_staff_public_key
from admin_cli.storage_options import DatabaseUrlOption, database_url
from storage.database import describe_url, head_revision, open_database
from storage.keys import StaffPublicKey
from storage.secret_check import forget_server_secret

app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


async def _upgrade(url: str) -> str:
    async with await open_database(url, upgrade=True) as database:
        return describe_url(database.url)


@app.command("upgrade")
def upgrade(database: DatabaseUrlOption = None) -> None:
    """Create or upgrade the database schema to the newest revision (safe to repeat)."""
    with exit_on_errors():
        where = asyncio.run(_upgrade(database_url(database)))
    typer.echo(f"The database at {where} is at schema revision {head_revision()} (newest).")


async def _forget(url: str, staff_key: StaffPublicKey) -> int:
    async with await open_database(url, must_exist=True) as database:
        return await forget_server_secret(database, staff_key, datetime.now(UTC).date())


@app.command("forget-server-secret")
def forget_secret(
    database: DatabaseUrlOption = None,
    staff_public_key: StaffPublicKeyOption = None,
) -> None:
    """Give up the server secret this database was used with (lost, or seized).

    Every open draft is closed now as a partial submission (answers kept), and the next
    start of the bot takes a new secret. Run it with the bot stopped.
    """
    with exit_on_errors():
        staff_key = load_staff_public_key(staff_public_key)
        closed = asyncio.run(_forget(database_url(database), staff_key))
    typer.echo(
        f"Open drafts closed as partial submissions: {closed}. The next start of the bot "
        "creates a new server secret.",
        err=True,
    )
