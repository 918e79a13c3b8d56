"""Refusing a Telegram start-up whose files would let one copied folder open what it holds."""

from __future__ import annotations

from pathlib import Path

from bot.devkeys import DEV_KEY_MARKER, PUBLIC_NAME
from bot.settings import BotSettings, SettingsError
from storage.keys import KeyFileError, StaffPublicKey, read_public_key_file


class UnsafeStartupError(SettingsError):
    """A setting that must never reach production; the message is one sentence."""


ONE_COPY_HOLDS_BOTH = (
    "The server secret file {path} is inside the data folder (or beside the SQLite database), "
    "so one copy of that folder would hold both; set OCLEP_SERVER_SECRET_FILE to a path outside "
    "it, e.g. /etc/oclep/server.secret, and move the existing file there (docs/configuration.md)."
)
DEVELOPMENT_KEY = (
    "OCLEP_STAFF_PUBLIC_KEY names the development staff key, whose private key and passphrase "
    "lie in the data folder; create a real key offline with `oclep-admin keys init` and set "
    "OCLEP_STAFF_PUBLIC_KEY to its public key file."
)


def refuse_unsafe_telegram_setup(settings: BotSettings, staff_key: StaffPublicKey | None) -> None:
    """Raise `UnsafeStartupError` before anything is read, created or contacted.

    Checked only from file paths and the key files' text, so nothing is written: not the
    secret, not the database, not the data folder. `staff_key` is the key the bot would
    seal to (None: the one `OCLEP_STAFF_PUBLIC_KEY` names, read later by the caller).
    """
    secret = settings.effective_server_secret_file
    if _inside(secret, settings.data_dir) or settings.server_secret_beside_database:
        raise UnsafeStartupError(ONE_COPY_HOLDS_BOTH.format(path=secret))
    if _is_development_key(settings, staff_key):
        raise UnsafeStartupError(DEVELOPMENT_KEY)


def _inside(path: Path, folder: Path) -> bool:
    return path.expanduser().resolve().is_relative_to(folder.expanduser().resolve())


def _is_development_key(settings: BotSettings, staff_key: StaffPublicKey | None) -> bool:
    """The configured key carries the development marker, is the data folder's development
    key file, or is the same key as that file (a copy made before the marker existed)."""
    dev_file = settings.data_dir / PUBLIC_NAME
    configured = settings.staff_public_key
    if configured is not None:
        if configured.expanduser().resolve() == dev_file.expanduser().resolve():
            return True
        if _has_marker(configured):
            return True
    if not dev_file.is_file():
        return False
    try:
        development = read_public_key_file(dev_file)
        used = staff_key
        if used is None and configured is not None:
            used = read_public_key_file(configured)
    except KeyFileError:
        return False  # an unreadable key is reported by the usual check, with its own sentence
    return used is not None and used.key_id == development.key_id


def _has_marker(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            head = file.read(4096)
    except OSError:
        return False
    return DEV_KEY_MARKER.encode() in head
