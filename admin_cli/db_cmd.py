"""`oclep-admin db`: Database maintenance."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from admin_cli.errors import exit_on_errors
from admin_cli.staff_public_key import StaffPublicKeyOption, load_staff_public_key
from storage.database import (
    DEFAULT_DATABASE_URL,
    SQLITE_DRIVER,
    DatabaseError,
    describe_url,
    head_revision,
    is_known_revision,
    open_database,
)
from storage.keys import StaffPublicKey
from storage.secret_check import forget_server_secret

app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


def _in_data_dir(url: str) -> str:
    """The default URL follows OCLEP_DATA_DIR, as the bot's does (bot/settings.py)."""
    data_dir = os.environ.get("OCLEP_DATA_DIR")
    if url == DEFAULT_DATABASE_URL and data_dir:
        return f"{SQLITE_DRIVER}:///{Path(data_dir) / 'oclep.db'}"
    return url


# Shared by every command that reads the database (stats, export, report, purge).
DatabaseUrlOption = Annotated[
    str,
    typer.Option(
        "--database-url",
        envvar="OCLEP_DATABASE_URL",
        help="sqlite+aiosqlite:///path/to/oclep.db or postgresql+asyncpg://user@host/db "
        "(default: the bot's, <OCLEP_DATA_DIR>/oclep.db, data/oclep.db without it).",
        show_default=False,
        callback=_in_data_dir,
    ),
]


@contextmanager
def exit_on_database_errors() -> Iterator[None]:
    """Turn database errors into one sentence on stderr and exit code 1."""
    try:
        yield
    except DatabaseError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None


async def _upgrade(url: str) -> str:
    async with await open_database(url, upgrade=True) as database:
        return describe_url(database.url)


@app.command("upgrade")
def upgrade(database_url: DatabaseUrlOption = DEFAULT_DATABASE_URL) -> None:
    """Create or upgrade the database schema to the newest revision (safe to repeat)."""
    with exit_on_database_errors():
        where = asyncio.run(_upgrade(database_url))
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
def current(database_url: DatabaseUrlOption = DEFAULT_DATABASE_URL) -> None:
    """Show the database's schema revision and whether it is the newest (changes nothing)."""
    with exit_on_database_errors():
        where, revision = asyncio.run(_revision(database_url))
    typer.echo(_schema_sentence(where, revision)[0])


@app.command("check")
def check(database_url: DatabaseUrlOption = DEFAULT_DATABASE_URL) -> None:
    """Exit 0 if the schema is the newest this program knows, else 1 (for scripts)."""
    with exit_on_database_errors():
        where, revision = asyncio.run(_revision(database_url))
    sentence, current_ok = _schema_sentence(where, revision)
    typer.echo(sentence, err=not current_ok)
    if not current_ok:
        raise typer.Exit(1)


async def _forget(url: str, staff_key: StaffPublicKey) -> int:
    async with await open_database(url, must_exist=True) as database:
        return await forget_server_secret(database, staff_key, datetime.now(UTC).date())


@app.command("forget-server-secret")
def forget_secret(
    database_url: DatabaseUrlOption = DEFAULT_DATABASE_URL,
    staff_public_key: StaffPublicKeyOption = None,
) -> None:
    """Give up the server secret this database was used with (lost, or seized).

    Every open draft is closed now as a partial submission (answers kept), and the next
    start of the bot takes a new secret. Run it with the bot stopped.
    """
    with exit_on_errors():
        staff_key = load_staff_public_key(staff_public_key)
        closed = asyncio.run(_forget(database_url, staff_key))
    typer.echo(
        f"Open drafts closed as partial submissions: {closed}. The next start of the bot "
        "creates a new server secret.",
        err=True,
    )
