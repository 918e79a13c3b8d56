"""The staff public key option of the commands that seal (purge, forget-server-secret)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from admin_cli.errors import CommandError
from storage.keys import KeyFileError, StaffPublicKey, read_public_key_file
from storage.settings import load_storage_settings

StaffPublicKeyOption = Annotated[
    Path | None,
    typer.Option(
        "--staff-public-key",
        help="The staff public key file the bot uses (default: OCLEP_STAFF_PUBLIC_KEY from "
        "the environment or .env), to seal the end record of each expired draft.",
        dir_okay=False,
        show_default=False,
    ),
]


def load_staff_public_key(given: Path | None) -> StaffPublicKey:
    """The key file given on the command line, else the bot's setting."""
    path = given or load_storage_settings().staff_public_key
    if path is None:
        raise CommandError(
            "No staff public key was given; pass --staff-public-key or set "
            "OCLEP_STAFF_PUBLIC_KEY to the public key file the bot uses. Nothing was changed."
        )
    try:
        return read_public_key_file(path)
    except KeyFileError as exc:
        raise CommandError(f"{exc} Nothing was changed.") from None
