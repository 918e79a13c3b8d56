"""Checking every local setting of `oclep-bot run` before the Bot API is contacted."""

from __future__ import annotations

from bot.i18n import Catalogs
from bot.runtime import staff_public_key
from bot.settings import BotSettings
from bot.startup_safety import refuse_unsafe_telegram_setup
from flows.shipped import load_configured
from storage.database import open_database
from storage.keys import StaffPublicKey
from storage.secret_check import open_server_secret


async def check_local_setup(
    settings: BotSettings, *, staff_key: StaffPublicKey | None = None
) -> StaffPublicKey:
    """Load the staff key, questionnaire, catalogs and server secret, and open the database.

    Returns the staff public key (`staff_key` if given). Raises the same one-sentence errors
    as `bot.runtime.open_conversation` (`SettingsError`, `KeyFileError`, `DefinitionError`,
    `CatalogError`, `ServerSecretError`, `DatabaseError`), but without any network call to
    Telegram first: offline, a bad key path must not hide behind getMe's retries. Before
    anything is read or created, an unsafe production set-up (the server secret in the data
    folder, the development staff key) is refused with `UnsafeStartupError`.
    """
    refuse_unsafe_telegram_setup(settings, staff_key)
    key = staff_key if staff_key is not None else staff_public_key(settings)
    load_configured(settings.questionnaire_file)
    Catalogs.load()
    # Opened and closed again: the conversation opens it for good once getMe has named the bot.
    database = await open_database(settings.effective_database_url)
    try:
        await open_server_secret(database, settings.effective_server_secret_file)
    finally:
        await database.close()
    return key
