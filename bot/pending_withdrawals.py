"""Receipts awaiting the respondent's confirmation, held as short-lived references only."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Final, Protocol

PENDING_SECONDS: Final = 300.0  # time to press "Sí, borrar"; after it, /borrar again
MAX_PENDING: Final = 10_000
REFERENCE_BYTES: Final = 12  # 16 URL-safe characters: unguessable, fits any button


class WithdrawalReferences(Protocol):
    """Where references wait for the confirming press: this process's memory
    (`PendingWithdrawals`), or the database, for several workers
    (storage/withdrawal_references.py)."""

    async def hold(self, receipt_hash: bytes) -> str:
        """A new one-use reference to `receipt_hash`."""

    async def take(self, reference: str) -> bytes | None:
        """The keyed hash a live reference stands for (then forgotten), else None."""


class PendingWithdrawals:
    """Random references, in this process's memory only, to receipts' keyed hashes.

    The confirmation prompt of `/borrar <recibo>` stays in the chat and its button data goes
    to Telegram with every press; neither may hold the receipt, which is what ties a phone
    to a testimony. The button carries a reference instead; pressing it within
    `PENDING_SECONDS` finds the keyed hash (the value the database holds anyway), once. A
    restart forgets every reference: the respondent types /borrar again.
    """

    def __init__(
        self,
        *,
        ttl: float = PENDING_SECONDS,
        max_pending: int = MAX_PENDING,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._max = max_pending
        self._clock = clock
        self._held: dict[str, tuple[float, bytes]] = {}

    async def hold(self, receipt_hash: bytes) -> str:
        """A new reference to `receipt_hash`, valid for `ttl` seconds and for one use."""
        now = self._clock()
        self._drop_expired(now)
        if len(self._held) >= self._max:
            del self._held[next(iter(self._held))]  # the oldest: its prompt is the stalest
        reference = secrets.token_urlsafe(REFERENCE_BYTES)
        self._held[reference] = (now + self._ttl, receipt_hash)
        return reference

    async def take(self, reference: str) -> bytes | None:
        """The keyed hash a live reference stands for (then forgotten), else None."""
        held = self._held.pop(reference, None)
        if held is None or held[0] < self._clock():
            return None
        return held[1]

    def __len__(self) -> int:
        return len(self._held)

    def _drop_expired(self, now: float) -> None:
        # Insertion order is expiry order (one ttl for all): stop at the first live one.
        while self._held:
            oldest = next(iter(self._held))
            if self._held[oldest][0] >= now:
                return
            del self._held[oldest]
