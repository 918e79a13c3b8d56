"""Pending updates with getUpdates semantics: offsets confirm, long polls wake on arrival."""

import asyncio
from collections import deque
from collections.abc import Iterable
from typing import Any

from .activity import ActivitySignal
from .constants import POLL_TERMINATED
from .errors import BotApiError

# Telegram's update ids are large and start anywhere; a fixed base keeps runs reproducible.
FIRST_UPDATE_ID = 500_000_001


def update_kind(update: dict[str, Any]) -> str:
    """The update's type: the one field besides update_id ("message", "callback_query", ...)."""
    for key in update:
        if key != "update_id":
            return key
    return ""


class UpdateQueue:
    """Updates queued for the bot, kept until confirmed (polling) or delivered (webhook)."""

    def __init__(self) -> None:
        self._pending: deque[dict[str, Any]] = deque()
        self._next_id = FIRST_UPDATE_ID
        self._signal = ActivitySignal()
        self._poll_generation = 0
        self._closed = False
        self.allowed_updates: frozenset[str] | None = None
        self.in_flight = 0
        self.waiting_polls = 0

    def __len__(self) -> int:
        return len(self._pending) + self.in_flight

    def next_update_id(self) -> int:
        """The next id in the emulator's sequence."""
        update_id = self._next_id
        self._next_id += 1
        return update_id

    def put(self, update: dict[str, Any], copies: int = 1) -> None:
        """Queue an update (twice or more to simulate Telegram delivering it again)."""
        for _ in range(copies):
            self._pending.append(update)
        self._signal.notify()

    def clear(self) -> None:
        """Drop every pending update (drop_pending_updates)."""
        self._pending.clear()

    def close(self) -> None:
        """Release every waiter; polls then return at once with what they have."""
        self._closed = True
        self._signal.notify()

    def set_allowed(self, allowed: Iterable[str] | None) -> None:
        """Keep only these update types from now on (an empty list means all)."""
        names = frozenset(allowed or ())
        self.allowed_updates = names or None

    def _confirm(self, offset: int) -> None:
        pending = self._pending
        if offset < 0:
            # A negative offset keeps only the last -offset updates, as Telegram does.
            while len(pending) > -offset:
                pending.popleft()
            return
        while pending and pending[0]["update_id"] < offset:
            pending.popleft()

    def _drop_disallowed(self) -> None:
        allowed = self.allowed_updates
        if allowed is None:
            return
        if any(update_kind(u) not in allowed for u in self._pending):
            self._pending = deque(u for u in self._pending if update_kind(u) in allowed)

    def _batch(self, limit: int) -> list[dict[str, Any]]:
        self._drop_disallowed()
        if not self._pending:
            return []
        if limit >= len(self._pending):
            return list(self._pending)
        return [self._pending[i] for i in range(limit)]

    async def poll(
        self, offset: int | None, limit: int, wait_seconds: float
    ) -> list[dict[str, Any]]:
        """Answer one getUpdates call; a newer call ends this one with 409, like Telegram."""
        self._poll_generation += 1
        generation = self._poll_generation
        self._signal.notify()  # wakes an older poll so that it sees it was superseded
        if offset is not None:
            self._confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_seconds
        self.waiting_polls += 1
        try:
            while True:
                if generation != self._poll_generation:
                    raise BotApiError(409, POLL_TERMINATED)
                batch = self._batch(limit)
                remaining = deadline - loop.time()
                if batch or self._closed or remaining <= 0:
                    return batch
                await self._signal.wait_change(remaining)
        finally:
            self.waiting_polls -= 1

    async def take(self) -> dict[str, Any]:
        """Remove and return the oldest update for webhook delivery, waiting for one."""
        while True:
            self._drop_disallowed()
            if self._pending:
                self.in_flight += 1
                return self._pending.popleft()
            await self._signal.wait_change(3600.0)

    def delivered(self) -> None:
        """A taken update reached the webhook (or was given up on)."""
        self.in_flight -= 1

    def give_back(self, update: dict[str, Any]) -> None:
        """Return a taken, undelivered update to its place in the queue (webhook removed)."""
        self.in_flight -= 1
        self._pending.append(update)
        self._pending = deque(sorted(self._pending, key=lambda u: int(u["update_id"])))
        self._signal.notify()
