"""The CLI's edge for staff errors: one sentence on stderr, exit code 1, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from flows.catalogs import CatalogError
from flows.loader import DefinitionError
from storage.access_codes import AccessCodeError
from storage.database import DatabaseError
from storage.keys import KeyFileError
from storage.server_secret import ServerSecretError


class CommandError(Exception):
    """Something staff can fix (an option, a missing key, an empty month); one sentence."""


class PassphraseError(Exception):
    """No usable passphrase was given; the message is one sentence for staff."""


# Every error staff can cause carries its one sentence; anything else is a bug and shows.
STAFF_ERRORS = (
    CommandError,
    DatabaseError,
    KeyFileError,
    PassphraseError,
    DefinitionError,
    CatalogError,
    AccessCodeError,
    ServerSecretError,
)


@contextmanager
def exit_on_errors() -> Iterator[None]:
    """Print the one-sentence message of any error staff can cause, then exit with code 1.

    Every command runs its work inside this one edge.
    """
    try:
        yield
    except STAFF_ERRORS as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None
    except (KeyboardInterrupt, EOFError):
        typer.echo("Error: cancelled; nothing was written.", err=True)
        raise typer.Exit(1) from None
