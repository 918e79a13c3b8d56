"""Pending `/borrar <recibo>` confirmations in the database, so any worker can take them.

The confirmation button carries a random reference (bot/pending_withdrawals.py). The row is
keyed by a digest of the reference and holds the receipt's keyed hash sealed under a key
derived from the reference, so the database alone (a copy, a backup, the server secret
with it) opens nothing: without the reference, which exists only in the respondent's chat,
a row does not even say which submission someone asked to delete. Taking a reference
deletes its row in the same statement, so one press withdraws once, whichever worker
receives it.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import time
from collections.abc import Callable
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from sqlalchemy import delete, insert

from storage.database import Database
from storage.tables import PENDING_WITHDRAWALS

REFERENCE_BYTES: Final = 12  # 16 URL-safe characters: unguessable, fits any button
_LOOKUP_LABEL: Final = b"oclep pending withdrawal lookup v1"
_SEAL_LABEL: Final = b"oclep pending withdrawal seal v1"
# Each reference's key seals one value, once: a fixed nonce is safe.
_NONCE: Final = bytes(12)
_W = PENDING_WITHDRAWALS.c


class StoredWithdrawalReferences:
    """References to receipts' keyed hashes, valid `ttl` seconds and for one use."""

    def __init__(
        self, database: Database, *, ttl: float, clock: Callable[[], float] = time.time
    ) -> None:
        self._database = database
        self._ttl = ttl
        self._clock = clock

    async def hold(self, receipt_hash: bytes) -> str:
        """A new reference to `receipt_hash`; expired ones are deleted on the way."""
        raw = secrets.token_bytes(REFERENCE_BYTES)
        lookup, key = _derive(raw)
        sealed = ChaCha20Poly1305(key).encrypt(_NONCE, receipt_hash, lookup)
        now = self._clock()
        async with self._database.write_transaction() as connection:
            await connection.execute(delete(PENDING_WITHDRAWALS).where(_W.expires_at < now))
            await connection.execute(
                insert(PENDING_WITHDRAWALS).values(
                    lookup=lookup, sealed=sealed, expires_at=int(now + self._ttl) + 1
                )
            )
        return base64.urlsafe_b64encode(raw).decode("ascii")

    async def take(self, reference: str) -> bytes | None:
        """The keyed hash a live reference stands for (its row deleted), else None."""
        try:
            raw = base64.urlsafe_b64decode(reference.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            return None
        if len(raw) != REFERENCE_BYTES:
            return None
        lookup, key = _derive(raw)
        async with self._database.write_transaction() as connection:
            await connection.execute(
                delete(PENDING_WITHDRAWALS).where(_W.expires_at < self._clock())
            )
            row = (
                await connection.execute(
                    delete(PENDING_WITHDRAWALS)
                    .where(_W.lookup == lookup)
                    .returning(_W.sealed, _W.expires_at)
                )
            ).first()
        if row is None or row.expires_at < self._clock():
            return None
        try:
            return ChaCha20Poly1305(key).decrypt(_NONCE, bytes(row.sealed), lookup)
        except InvalidTag:
            return None

    async def forget_expired(self) -> None:
        """Delete expired references: even sealed, a row says when someone typed /borrar."""
        async with self._database.write_transaction() as connection:
            await connection.execute(
                delete(PENDING_WITHDRAWALS).where(_W.expires_at < self._clock())
            )


def _derive(raw: bytes) -> tuple[bytes, bytes]:
    """The row's key and the sealing key, both from the reference alone."""
    return hmac.digest(raw, _LOOKUP_LABEL, "sha256"), hmac.digest(raw, _SEAL_LABEL, "sha256")
