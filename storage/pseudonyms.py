"""Pseudonyms of respondents: a memory-hard identity digest, keyed per epoch.

A Telegram user id is one of ~10^10 values, so a keyed hash alone is enumerated in hours by
whoever holds the key. Each id first goes through Argon2id (salted per server); only then is
the per-epoch HMAC taken. With the server secret seized, linking one known id costs one
Argon2id, but testing every id costs years of computing (docs/security.md §2.5). The digest
is kept in a bounded in-process LRU cache, so a respondent pays it once per process.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Final

from argon2.low_level import Type, hash_secret_raw

from storage.server_secret import EpochKeys, Purpose, ServerSecret, epoch_of

# OWASP's recommended Argon2id setting (19 MiB, 2 passes, 1 lane): ~25 ms of one core here
# (measured in bench/pseudonyms.py, with the enumeration cost it implies). Computed with
# argon2-cffi, whose C call releases the GIL: `cryptography`'s Argon2id (same output) holds
# it, which stalled the bot's event loop 25 ms for every new respondent.
IDENTITY_MEMORY_KIB: Final = 19 * 1024
IDENTITY_ITERATIONS: Final = 2
IDENTITY_LANES: Final = 1
DEFAULT_CACHE_SIZE: Final = 20_000  # ~2 MB of digests: a busy month's active respondents
# Respondents whose candidate pseudonyms (one per retained epoch) are kept for the day: each
# set is ~3 KB, and recomputing it costs ~75 µs of HMACs on every event.
DRAFT_KEY_CACHE_SIZE: Final = 2_048
# Epochs kept beyond the draft lifetime: one day of margin for a draft touched just before
# midnight and for clocks that disagree by a little.
EPOCH_MARGIN: Final = 1


def identity_digest(salt: bytes, user_id: int) -> bytes:
    """Argon2id(user id as signed 8-byte big-endian, salt): 32 bytes. Deliberately slow."""
    return hash_secret_raw(
        user_id.to_bytes(8, "big", signed=True),
        salt,
        time_cost=IDENTITY_ITERATIONS,
        memory_cost=IDENTITY_MEMORY_KIB,
        parallelism=IDENTITY_LANES,
        hash_len=32,
        type=Type.ID,
    )


@dataclass(frozen=True)
class DraftKey:
    """Where one respondent's draft may be stored: the DRAFT pseudonym under each retained
    epoch, the current epoch first. A draft is found under any of them and re-keyed under
    the first on every change."""

    candidates: tuple[tuple[bytes, EpochKeys], ...]

    def __repr__(self) -> str:
        return f"DraftKey(<{len(self.candidates)} epochs>)"

    @property
    def pseudonym(self) -> bytes:
        """The pseudonym under the current epoch."""
        return self.candidates[0][0]

    @property
    def keys(self) -> EpochKeys:
        """The current epoch's keys."""
        return self.candidates[0][1]

    def keys_of(self, pseudonym: bytes) -> EpochKeys | None:
        """The epoch keys under which `pseudonym` was computed, if it is one of these."""
        for candidate, keys in self.candidates:
            if candidate == pseudonym:
                return keys
        return None


class Pseudonyms:
    """Turns user ids into pseudonyms for the current day, and moves the epoch chain on."""

    def __init__(
        self,
        secret: ServerSecret,
        *,
        draft_ttl_days: int,
        clock: Callable[[], date],
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        self._secret = secret
        # A live draft was last touched at most `draft_ttl_days` epochs ago (expires_on =
        # last touch + TTL, expired once before today): keep those, plus the margin.
        self._retained = draft_ttl_days + EPOCH_MARGIN  # epochs kept before today's
        self._today = clock
        self._cache_size = cache_size
        self._identities: OrderedDict[int, bytes] = OrderedDict()
        self._draft_keys: OrderedDict[int, tuple[int, DraftKey]] = OrderedDict()
        self._salt = secret.identity_salt()

    @property
    def secret(self) -> ServerSecret:
        return self._secret

    async def warm(self, user_id: int) -> None:
        """Compute the identity digest off the event loop if it is not cached yet."""
        if user_id in self._identities:
            return
        digest = await asyncio.to_thread(identity_digest, self._salt, user_id)
        self._remember(user_id, digest)

    def identity(self, user_id: int) -> bytes:
        """The identity digest (cached; computed here on a miss, which `warm` avoids)."""
        digest = self._identities.get(user_id)
        if digest is None:
            digest = identity_digest(self._salt, user_id)
            self._remember(user_id, digest)
        else:
            self._identities.move_to_end(user_id)
        return digest

    def _remember(self, user_id: int, digest: bytes) -> None:
        self._identities[user_id] = digest
        self._identities.move_to_end(user_id)
        while len(self._identities) > self._cache_size:
            self._identities.popitem(last=False)

    def current_epoch(self) -> int:
        # A clock behind the chain's start (never in production) keeps using its first epoch.
        return max(epoch_of(self._today()), self._secret.oldest_epoch)

    def retained_epochs(self) -> list[EpochKeys]:
        """The keys of every epoch a live draft may be stored under, newest first."""
        current = self.current_epoch()
        found: list[EpochKeys] = []
        for epoch in range(current, current - self._retained - 1, -1):
            keys = self._secret.epoch_keys(epoch)
            if keys is None:
                break
            found.append(keys)
        return found

    def draft_key(self, user_id: int) -> DraftKey:
        """The respondent's DRAFT pseudonyms today (cached for the day)."""
        epoch = self.current_epoch()
        cached = self._draft_keys.get(user_id)
        if cached is not None and cached[0] == epoch:
            self._draft_keys.move_to_end(user_id)
            return cached[1]
        identity = self.identity(user_id)
        key = DraftKey(
            tuple(
                (keys.pseudonym(Purpose.DRAFT, identity), keys) for keys in self.retained_epochs()
            )
        )
        self._draft_keys[user_id] = (epoch, key)
        while len(self._draft_keys) > DRAFT_KEY_CACHE_SIZE:
            self._draft_keys.popitem(last=False)
        return key

    def rate(self, user_id: int) -> bytes:
        """The RATE pseudonym of the current epoch (rate and flood counters, in memory)."""
        keys = self._secret.epoch_keys(self.current_epoch())
        assert keys is not None, "the current epoch is never before the chain"
        return keys.pseudonym(Purpose.RATE, self.identity(user_id))

    def rotate(self) -> bool:
        """Erase epoch keys older than the retained window from memory and from the secret
        file. True if the file was rewritten."""
        if self._secret.forget_before(self.current_epoch() - self._retained):
            self._secret.save()
            self._draft_keys.clear()  # they hold keys of erased epochs
            return True
        return False
