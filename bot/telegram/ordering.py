"""Per-respondent ordering: one event of a chat at a time, other chats in parallel."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class _Slot:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    holders: int = 0  # tasks holding or waiting for the lock


class ChatLocks:
    """An `asyncio.Lock` per chat, created on demand and dropped when nobody waits.

    The dict is bounded by the number of updates in flight (the processor caps those), and
    it is keyed by a keyed hash of the chat id with a per-process random key, so the
    process's memory holds no list of Telegram ids. `asyncio.Lock` wakes waiters in the
    order they arrived, so events of one chat are handled in the order they were started.
    """

    def __init__(self) -> None:
        self._key = secrets.token_bytes(16)
        self._slots: dict[bytes, _Slot] = {}

    def __len__(self) -> int:
        return len(self._slots)

    def _digest(self, chat_id: int) -> bytes:
        data = chat_id.to_bytes(16, "big", signed=True)
        return hashlib.blake2b(data, key=self._key, digest_size=16).digest()

    @asynccontextmanager
    async def hold(self, chat_id: int) -> AsyncIterator[None]:
        """Hold the chat's lock for the block."""
        digest = self._digest(chat_id)
        slot = self._slots.get(digest)
        if slot is None:
            slot = self._slots[digest] = _Slot()
        slot.holders += 1
        try:
            async with slot.lock:
                yield
        finally:
            slot.holders -= 1
            if slot.holders == 0:
                del self._slots[digest]


class OncePerChat:
    """Remembers, for a bounded number of chats, that something was already said there.

    Used for "edits do not change your answers": said once per respondent and process. The
    memory is in-process only (keyed hashes, forgotten on restart): saying it once more
    after a restart is harmless, and nothing about the respondent is written anywhere.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self._key = secrets.token_bytes(16)
        self._seen: dict[bytes, None] = {}
        self._capacity = capacity

    def first_time(self, chat_id: int) -> bool:
        """True the first time a chat is seen (within the remembered window)."""
        data = chat_id.to_bytes(16, "big", signed=True)
        digest = hashlib.blake2b(data, key=self._key, digest_size=16).digest()
        if digest in self._seen:
            return False
        if len(self._seen) >= self._capacity:
            del self._seen[next(iter(self._seen))]  # the oldest entry
        self._seen[digest] = None
        return True


class RenderTurns:
    """Renders of one chat in the order their events committed, without holding its lock.

    The chat's lock covers deciding and storing an event; its replies are rendered after the
    lock is released, so a reply waiting out a flood wait does not keep the chat's next event
    from being stored (and confirmed). `reserve` is called under the chat's lock and returns
    the turn; `take` waits for the renders reserved before it. Keyed like `ChatLocks`.
    """

    def __init__(self) -> None:
        self._key = secrets.token_bytes(16)
        self._tails: dict[bytes, asyncio.Future[None]] = {}

    def __len__(self) -> int:
        return len(self._tails)

    def reserve(
        self, chat_id: int
    ) -> tuple[bytes, asyncio.Future[None] | None, asyncio.Future[None]]:
        """This chat's next turn: (key, the previous render to wait for, this render's end)."""
        data = chat_id.to_bytes(16, "big", signed=True)
        digest = hashlib.blake2b(data, key=self._key, digest_size=16).digest()
        previous = self._tails.get(digest)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[digest] = mine
        return digest, previous, mine

    @asynccontextmanager
    async def take(
        self, turn: tuple[bytes, asyncio.Future[None] | None, asyncio.Future[None]]
    ) -> AsyncIterator[None]:
        """Hold the turn for the block: after the earlier renders of the chat, before later."""
        digest, previous, mine = turn
        try:
            if previous is not None:
                await asyncio.shield(previous)
            yield
        finally:
            if not mine.done():
                mine.set_result(None)
            if self._tails.get(digest) is mine:
                del self._tails[digest]
