"""Everything a channel needs to run the conversation, opened from the settings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final

from bot.attachment_intake import AttachmentIntake
from bot.conversation import Conversation
from bot.i18n import Catalogs
from bot.pending_withdrawals import PENDING_SECONDS
from bot.settings import BotSettings, SettingsError
from flows.engine import Engine
from flows.shipped import load_configured, load_served
from storage.access_codes import AccessCodes
from storage.attachments.store import AttachmentStore
from storage.database import Database, open_database
from storage.keys import StaffPublicKey, read_public_key_file
from storage.pseudonyms import Pseudonyms
from storage.repository import Repository
from storage.secret_check import adopt_server_secret, open_server_secret
from storage.shared_pacing import SharedPaceCells
from storage.withdrawal_references import StoredWithdrawalReferences

EXPIRY_INTERVAL_SECONDS: Final = 3600.0  # drafts expire by the day: hourly is plenty
_log = logging.getLogger(__name__)


def staff_public_key(settings: BotSettings) -> StaffPublicKey:
    """The staff public key the settings name; `SettingsError` when none is configured."""
    if settings.staff_public_key is None:
        raise SettingsError(
            "OCLEP_STAFF_PUBLIC_KEY is not set; create a key with `oclep-admin keys init` "
            "and set it to the path of the public key file."
        )
    return read_public_key_file(settings.staff_public_key)


@dataclass(frozen=True)
class Service:
    """The open conversation and the database under it (health checks read the database)."""

    conversation: Conversation
    database: Database
    # Flood-limit cells shared with the other workers (PostgreSQL only; None on SQLite).
    shared_pacing: SharedPaceCells | None = None


@asynccontextmanager
async def open_conversation(
    settings: BotSettings,
    *,
    staff_key: StaffPublicKey | None = None,
    bot_username: str | None = None,
    expiry_interval: float = EXPIRY_INTERVAL_SECONDS,
) -> AsyncIterator[Conversation]:
    """The conversation of `open_service`, for channels that need nothing else."""
    async with open_service(
        settings, staff_key=staff_key, bot_username=bot_username, expiry_interval=expiry_interval
    ) as service:
        yield service.conversation


@asynccontextmanager
async def open_service(
    settings: BotSettings,
    *,
    staff_key: StaffPublicKey | None = None,
    bot_username: str | None = None,
    expiry_interval: float = EXPIRY_INTERVAL_SECONDS,
) -> AsyncIterator[Service]:
    """Open the database, secret, key, questionnaire and catalogs; close them on exit.

    Raises the one-sentence errors of each part (`SettingsError`, `DatabaseError`,
    `KeyFileError`, `ServerSecretError`, `DefinitionError`, `CatalogError`): the CLI shows
    them. Expired drafts are turned into partial submissions at start and then every
    `expiry_interval` seconds while the conversation is open.
    """
    key = staff_key if staff_key is not None else staff_public_key(settings)
    engine = Engine(load_configured(settings.questionnaire_file))
    # The others an access code may open (the field report); the configured one is the
    # default, what a bare /start opens.
    others = [Engine(q) for q in load_served() if q.id != engine.questionnaire.id]
    catalogs = Catalogs.load()
    database = await open_database(
        settings.effective_database_url, direct_sqlite=settings.sqlite_direct
    )
    expiry: asyncio.Task[None] | None = None
    try:
        secret = await open_server_secret(database, settings.effective_server_secret_file)
        await adopt_server_secret(database, secret, key, _utc_today())
        pseudonyms = Pseudonyms(secret, draft_ttl_days=settings.draft_ttl_days, clock=_utc_today)
        pseudonyms.rotate()
        repository = Repository(
            database, secret, key, draft_ttl=timedelta(days=settings.draft_ttl_days)
        )
        await repository.expire_drafts()
        pending = StoredWithdrawalReferences(database, ttl=PENDING_SECONDS)
        expiry = asyncio.create_task(
            _expire_periodically(repository, pseudonyms, pending, expiry_interval)
        )
        conversation = Conversation(
            engine=engine,
            repository=repository,
            pseudonyms=pseudonyms,
            catalogs=catalogs,
            bot_username=bot_username,
            rate_limit=settings.rate_limit_per_minute,
            testimonies_per_day=settings.testimonies_per_day,
            default_locale=settings.default_locale,
            engines=others,
            # Deep-link codes come from the database (`oclep-admin codes`), read per /start.
            access=AccessCodes(database, secret),
            draft_ttl_days=settings.draft_ttl_days,
            # In the database, so the confirming press may reach any worker.
            pending_withdrawals=pending,
            attachments=AttachmentIntake(
                engine=engine,
                others=others,
                catalogs=catalogs,
                store=AttachmentStore(database),
                staff_key=key,
                limits=settings.file_limits,
            ),
        )
        shared_pacing = (
            None if database.is_sqlite else SharedPaceCells(database, secret.pacing_tag_key())
        )
        yield Service(conversation, database, shared_pacing)
    finally:
        if expiry is not None:
            expiry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await expiry
        await database.close()


def _utc_today() -> date:
    return datetime.now(UTC).date()


async def _expire_periodically(
    repository: Repository,
    pseudonyms: Pseudonyms,
    pending: StoredWithdrawalReferences,
    every: float,
) -> None:
    """Enforce the draft TTL and erase epoch keys past the retained window while the bot
    runs; a failed round is retried on the next one."""
    while True:
        await asyncio.sleep(every)
        try:
            pseudonyms.rotate()
            expired = await repository.expire_drafts()
            await pending.forget_expired()
        except Exception as exc:  # the bot must keep serving; the next round tries again
            _log.warning("draft expiry failed: %s", type(exc).__name__)
            continue
        if expired:
            _log.info("expired drafts: %d", expired)
