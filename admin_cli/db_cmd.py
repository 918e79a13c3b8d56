"""`oclep-admin db`: Database maintenance."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import typer

from admin_cli.errors import exit_on_errors
from admin_cli.staff_public_key import StaffPublicKeyOption, load_staff_public_key
from admin_cli.storage_options import DatabaseUrlOption, database_url
from storage.database import (
    describe_url,
    head_revision,
    is_known_revision,
    open_database,
)
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


async def _revision(url: str) -> tuple[str, str | None]:
    async with await open_database(url, upgrade=False, must_exist=True) as database:
        return describe_url(database.url), await database.schema_revision()


def _schema_sentence(where: str, current: str | None) -> tuple[str, bool]:
    """One sentence on the schema at `where`, and whether this program can use it as it is."""
    head = head_revision()
    if current == head:
        return f"The database at {where} is at schema revision {head} (newest).", True
    if current is None:
        return (
            f"The database at {where} has no schema yet; run `oclep-admin db upgrade` "
            f"to create revision {head}.",
            False,
        )
    if not is_known_revision(current):
        return (
            f"The database at {where} is at schema revision {current}, which this program "
            f"(newest {head}) does not know; it was upgraded by a newer version of OCLEP.",
            False,
        )
    return (
        f"The database at {where} is at schema revision {current}, behind this program's "
        f"{head}; run `oclep-admin db upgrade`.",
        False,
    )


@app.command("current")
def current(database: DatabaseUrlOption = None) -> None:
    """Show the database's schema revision and whether it is the newest (changes nothing)."""
    with exit_on_errors():
        where, revision = asyncio.run(_revision(database_url(database)))
    typer.echo(_schema_sentence(where, revision)[0])


@app.command("check")
def check(database: DatabaseUrlOption = None) -> None:
    """Exit 0 if the schema is the newest this program knows, else 1 (for scripts)."""
    with exit_on_errors():
        where, revision = asyncio.run(_revision(database_url(database)))
    sentence, current_ok = _schema_sentence(where, revision)
    typer.echo(sentence, err=not current_ok)
    if not current_ok:
        raise typer.Exit(1)


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
