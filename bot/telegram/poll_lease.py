"""One polling process per database: a lease held for the life of the process.

Two processes polling one bot would split its updates between them (Telegram ends one's long
poll with 409 whenever the other asks), and two processes writing one respondent's draft
from different screens is how answers land under the wrong question. Before its first
getUpdates, a polling process takes the lease; a second one is refused with one sentence.

The lease dies with its holder, even on SIGKILL, so a restart never waits for it:
SQLite: an exclusive `flock` on a file beside the database (SQLite is local to one machine);
PostgreSQL: a session advisory lock on a connection held open, released by the server when the
connection drops. Webhook mode takes no lease: several workers may share one database.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Final

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bot.settings import SettingsError
from storage.database import SEARCH_PATH_PARAMETER, describe_url, parse_database_url

_LEASE_SUFFIX: Final = ".poller-lease"
_LEASE_NAME: Final = b"oclep-bot polling lease:"


class SecondPollerError(SettingsError):
    """Another process already polls with this database; the message is one sentence."""


def _refusal(where: str) -> SecondPollerError:
    return SecondPollerError(
        f"Another `oclep-bot run` is already polling with the database {where}; stop it "
        "first (only one process may poll a bot), or use webhook mode for several processes."
    )


@asynccontextmanager
async def polling_lease(database_url: str) -> AsyncIterator[None]:
    """Hold the polling lease of the database for the block; `SecondPollerError` if taken."""
    url = parse_database_url(database_url)
    if url.get_backend_name() == "sqlite":
        with _file_lease(url):
            yield
        return
    async with _advisory_lease(url):
        yield


@contextlib.contextmanager
def _file_lease(url: URL) -> Iterator[None]:
    if url.database in (None, "", ":memory:"):
        yield  # an in-memory database is private to this process
        return
    path = Path(f"{url.database}{_LEASE_SUFFIX}")
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        raise SettingsError(
            f"Cannot create the polling lease file {path} ({exc.strerror}); the bot's user "
            "must be able to write in the SQLite database's folder."
        ) from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _refusal(str(url.database)) from None
        yield
    finally:
        os.close(descriptor)  # releases the lock


@asynccontextmanager
async def _advisory_lease(url: URL) -> AsyncIterator[None]:
    schema = url.query.get(SEARCH_PATH_PARAMETER)
    # One lease per schema: several test schemas (or deployments) may share one server.
    digest = hashlib.blake2b(_LEASE_NAME + str(schema or "public").encode(), digest_size=8)
    key = int.from_bytes(digest.digest(), "big", signed=True)
    engine = create_async_engine(
        url.difference_update_query([SEARCH_PATH_PARAMETER]),
        poolclass=NullPool,
        hide_parameters=True,
        isolation_level="AUTOCOMMIT",  # no transaction left open for the life of the process
    )
    try:
        try:
            connection = await engine.connect()
            taken = (
                await connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
            ).scalar()
        except (OSError, DBAPIError, OperationalError) as exc:
            raise SettingsError(
                f"Cannot take the polling lease in the PostgreSQL database at "
                f"{describe_url(url)} ({type(exc).__name__}); check that the server is running."
            ) from None
        try:
            if not taken:
                raise _refusal(describe_url(url))
            yield
        finally:
            with contextlib.suppress(Exception):
                await connection.close()  # the server releases the lock with the session
    finally:
        await engine.dispose()
