"""The server secret's check value in the database, and adopting a secret file at start."""

from __future__ import annotations

import hmac
from datetime import date
from pathlib import Path
from typing import Final

from sqlalchemy import delete, insert, select

from storage.database import Database
from storage.expiry import expire
from storage.keys import StaffPublicKey
from storage.server_secret import ServerSecret, ServerSecretError
from storage.tables import SERVER_META

CHECK_NAME: Final = "secret_check"
_M = SERVER_META.c


async def _stored_check(database: Database) -> bytes | None:
    async with database.engine.connect() as connection:
        value = (
            await connection.execute(select(_M.value).where(_M.name == CHECK_NAME))
        ).scalar_one_or_none()
    return None if value is None else bytes(value)


async def check_server_secret(database: Database, secret: ServerSecret) -> None:
    """Refuse, with one sentence (`ServerSecretError`), a secret whose check value differs
    from the one stored at the database's first start. Reads only.

    Without it, a missing or mistyped `OCLEP_SERVER_SECRET_FILE` silently made a new secret:
    every receipt then failed and every open draft was orphaned, with nothing logged.
    """
    stored = await _stored_check(database)
    if stored is not None and not hmac.compare_digest(stored, secret.check_value()):
        where = "" if secret.path is None else f" {secret.path}"
        raise ServerSecretError(
            f"The server secret{where} is not the one this database was used with; point "
            "OCLEP_SERVER_SECRET_FILE at the right file (a new secret would orphan every open "
            "draft and receipt)."
        )


async def open_server_secret(database: Database, path: Path) -> ServerSecret:
    """The server secret at `path`, checked against the database.

    A fresh database (no check value yet) may get a new secret, created here. A database
    that has been used with a secret never does: a missing file is then refused with one
    sentence, before anything is written, instead of silently starting over.
    """
    if await _stored_check(database) is None:
        secret = ServerSecret.load_or_create(path)
    else:
        try:
            secret = ServerSecret.load(path)
        except FileNotFoundError:
            raise ServerSecretError(
                f"There is no server secret at {path}, but this database was used with one; "
                "point OCLEP_SERVER_SECRET_FILE at it (a new secret would orphan every open "
                "draft and receipt)."
            ) from None
    await check_server_secret(database, secret)
    return secret


async def open_server_secret_for_staff(database: Database, path: Path) -> ServerSecret:
    """The bot's server secret, for a staff command on the server (`oclep-admin codes`).

    Never creates one: a command given a wrong path must not make a new secret whose keyed
    hashes the bot would never match. A secret the database does not know yet (the bot has
    not started on it) is made the database's here, so that the bot later refuses any other;
    a format 1 file is left for the bot to convert first.
    """
    try:
        secret = ServerSecret.load(path)
    except FileNotFoundError:
        raise ServerSecretError(
            f"There is no server secret at {path}; give the bot's with --server-secret-file "
            "or OCLEP_SERVER_SECRET_FILE (start the bot once to create it)."
        ) from None
    if secret.legacy is not None:
        raise ServerSecretError(
            f"The server secret {path} is in the old format; start the bot once to convert "
            "it, then run this command again."
        )
    await check_server_secret(database, secret)
    if await _stored_check(database) is None:
        async with database.write_transaction() as connection:
            await connection.execute(
                insert(SERVER_META).values(name=CHECK_NAME, value=secret.check_value())
            )
    return secret


async def adopt_server_secret(
    database: Database, secret: ServerSecret, staff_key: StaffPublicKey, today: date
) -> None:
    """Check the secret against the database, then make it the database's for good.

    A format 1 secret file is converted here: the drafts its old keys sealed are closed as
    partial submissions (their answers kept, with end records), then the file is rewritten
    without those keys. Its check value is stored last, so a crash at any step is repaired by
    the next start.
    """
    await check_server_secret(database, secret)
    secret.check_writable()
    if secret.legacy is not None:
        await expire(database, staff_key, today, legacy=secret.legacy, everything_legacy=True)
        secret.save()
    if await _stored_check(database) is None:
        async with database.write_transaction() as connection:
            await connection.execute(
                insert(SERVER_META).values(name=CHECK_NAME, value=secret.check_value())
            )


async def forget_server_secret(database: Database, staff_key: StaffPublicKey, today: date) -> int:
    """Give up the database's server secret (lost, or seized with the server): every open
    draft is closed now as a partial submission (its answers kept, with an end record), and
    the check value is removed, so the next start takes a new secret. Returns how many drafts
    were closed."""
    outcome = await expire(database, staff_key, today, every_draft=True)
    async with database.write_transaction() as connection:
        await connection.execute(delete(SERVER_META).where(_M.name == CHECK_NAME))
    return outcome.expired
