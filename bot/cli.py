"""Entry point of `oclep-bot`: run the Telegram bot or the console channel."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from bot.console import ConsoleChannel, banner
from bot.devkeys import ensure_dev_staff_key
from bot.i18n import CatalogError, Catalogs
from bot.runtime import open_conversation
from bot.settings import BotSettings, SettingsError, load_settings
from flows.loader import DefinitionError
from storage.database import DatabaseError
from storage.keys import KeyFileError
from storage.server_secret import ServerSecret, ServerSecretError
from storage.version import version_option

app = typer.Typer(name="oclep-bot", no_args_is_help=True, add_completion=False)

# Problems of configuration, files or the database: one sentence for the operator, exit 2.
OPERATOR_ERRORS = (
    SettingsError,
    DatabaseError,
    KeyFileError,
    ServerSecretError,
    DefinitionError,
    CatalogError,
)


@app.callback()
def _root(
    _version: Annotated[bool, version_option("oclep-bot")] = False,
) -> None:
    """Testimony bot."""


@app.command()
def run() -> None:
    """Run the Telegram bot (OCLEP_TELEGRAM_TOKEN required; `console` runs it in a terminal)."""
    settings = _settings()
    # A server whose token went missing must fail (and be restarted or noticed), never fall
    # back to the development console and its key files: checked before anything is written.
    if settings.telegram_token is None or not settings.telegram_token.get_secret_value().strip():
        _fail(
            "OCLEP_TELEGRAM_TOKEN is not set; set it (or the systemd credential) to the token "
            "@BotFather gave you, or run `oclep-bot console` to try the questionnaire locally."
        )
    _configure_logging()
    try:
        # Imported here so that aiogram stays out of the console path.
        telegram_app = importlib.import_module("bot.telegram.app")
        started = telegram_app.run_telegram(settings)
        if inspect.isawaitable(started):
            asyncio.run(_awaited(started))
    except OPERATOR_ERRORS as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        pass


@app.command()
def console() -> None:
    """Run the questionnaire in this terminal (development only: uses a development key)."""
    _run_console(_settings())


@app.command("new-server-secret")
def new_server_secret(
    path: Annotated[Path, typer.Argument(help="Where to write it, e.g. for LoadCredential=.")],
) -> None:
    """Create a new server secret file (mode 0600); never replaces an existing one."""
    # Replacing a secret orphans every open draft and receipt: only ever create.
    if path.exists() or path.is_symlink():
        _fail(f"{path} already exists; keep it (a new secret would orphan every open draft).")
    try:
        ServerSecret.load_or_create(path)
    except ServerSecretError as exc:
        _fail(str(exc))
    typer.echo(f"Created the server secret {path}; back it up encrypted, apart from the database.")


def _run_console(settings: BotSettings) -> None:
    try:
        asyncio.run(_console(settings))
    except OPERATOR_ERRORS as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        typer.echo("")


async def _console(settings: BotSettings) -> None:
    dev_key = ensure_dev_staff_key(settings.data_dir)
    typer.echo(banner(dev_key, str(settings.data_dir)), err=True)
    async with open_conversation(settings, staff_key=dev_key.public_key) as conversation:
        catalogs = Catalogs.load()
        channel = ConsoleChannel(
            conversation, catalogs, sys.stdin, sys.stdout, locale=settings.default_locale
        )
        await channel.run()


async def _awaited(started: object) -> None:
    assert inspect.isawaitable(started)
    await started


def _settings() -> BotSettings:
    try:
        return load_settings()
    except SettingsError as exc:
        _fail(str(exc))


def _fail(message: str) -> NoReturn:
    typer.echo(f"oclep-bot: {message}", err=True)
    raise typer.Exit(2)


def _configure_logging() -> None:
    # Event types and error classes only: the bot's own loggers never format ids or texts.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")


def main() -> None:
    app()
