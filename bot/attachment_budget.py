"""Bytes of files one account sent today, in this process's memory only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Final

MAX_ACCOUNTS: Final = 100_000


class DayBudget:
    """Bytes per account and UTC day, keyed by the RATE pseudonym (as `CompletionCap`).

    A bound on what one account can make the server download and store in a day, whatever
    drafts it starts. Nothing of it rests on disk; at midnight or on a restart it is
    forgotten. Past `MAX_ACCOUNTS` in a day the least recently seen account is forgotten.
    """

    def __init__(
        self, per_day: int, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.per_day = per_day
        self._clock = clock
        self._day: date | None = None
        self._spent: dict[bytes, int] = {}

    def left(self, account: bytes) -> int:
        """Bytes `account` may still send today."""
        self._roll()
        return max(0, self.per_day - self._spent.get(account, 0))

    def spend(self, account: bytes, size: int) -> None:
        """Count `size` bytes stored for `account`."""
        self._roll()
        spent = self._spent.pop(account, 0) + size
        self._spent[account] = spent  # most recently seen last
        if len(self._spent) > MAX_ACCOUNTS:
            del self._spent[next(iter(self._spent))]

    def _roll(self) -> None:
        today = self._clock().date()
        if today != self._day:
            self._day = today
            self._spent = {}
