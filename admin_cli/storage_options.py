"""The database option of every staff command that opens the database, and its default.

Without `--database-url` a command opens the bot's database, read from the same settings as
the bot (`storage.settings.StorageSettings`: `OCLEP_DATABASE_URL`, else
`<OCLEP_DATA_DIR>/oclep.db`, from the environment or `.env`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from storage.settings import load_storage_settings

DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="sqlite+aiosqlite:///path/to/oclep.db or postgresql+asyncpg://user@host/db "
        "(default: the bot's: OCLEP_DATABASE_URL, else <OCLEP_DATA_DIR>/oclep.db, "
        "data/oclep.db without either; read from the environment or .env).",
        show_default=False,
    ),
]


def database_url(given: str | None) -> str:
    """The URL given on the command line, else the bot's (`DatabaseConfigError` if the
    settings are wrong)."""
    return given or load_storage_settings().effective_database_url
