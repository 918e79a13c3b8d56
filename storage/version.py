"""The installed version of `oclep`, and the `--version` option both commands carry.

Here because `storage` is the lowest package both `oclep-bot` and `oclep-admin` import
(`flows` stays free of I/O and of the command line).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import typer


def installed_version() -> str:
    """The version pip installed (a clone that was never installed says so)."""
    try:
        return version("oclep")
    except PackageNotFoundError:
        return "unknown (not installed)"


def version_option(program: str) -> Any:
    """A `--version` option for `program`'s root callback: prints the version and exits."""

    def print_version(wanted: bool) -> None:
        if wanted:
            typer.echo(f"{program} {installed_version()}")
            raise typer.Exit(0)

    printer: Callable[[bool], None] = print_version
    return typer.Option("--version", callback=printer, is_eager=True, help="Print the version.")
