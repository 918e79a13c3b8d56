"""How many testimonies one account completed today, in this process's memory only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Final

DEFAULT_TESTIMONIES_PER_DAY: Final = 3
MAX_ACCOUNTS: Final = 100_000


class CompletionCap:
    """Completed testimonies per account and UTC day, keyed by the RATE pseudonym.

    One account once finished 16 junk testimonies in 154 s; a person with something to tell
    needs one, or a few for relatives. The counts live only here and only for the current
    day: at midnight, or on a restart, they are forgotten, so nothing on disk says who
    wrote how often. Several bot processes count apart (each lets `per_day` through).
    Past `MAX_ACCOUNTS` in a day the least recently seen account is forgotten.
    """

    def __init__(
        self,
        per_day: int = DEFAULT_TESTIMONIES_PER_DAY,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.per_day = per_day
        self._clock = clock
        self._day: date | None = None
        self._completed: dict[bytes, int] = {}
        self._refused: set[bytes] = set()

    def reached(self, account: bytes) -> bool:
        """True when `account` may complete no more testimonies today."""
        self._roll()
        return self._completed.get(account, 0) >= self.per_day

    def completed(self, account: bytes) -> None:
        """Count one completed testimony of `account`."""
        self._roll()
        count = self._completed.pop(account, 0) + 1
        self._completed[account] = count  # most recently seen last
        if len(self._completed) > MAX_ACCOUNTS:
            del self._completed[next(iter(self._completed))]

    def first_refusal(self, account: bytes) -> bool:
        """True the first time today `account` is refused: what the stored counter counts,
        so that a flood of attempts writes one row, not one per attempt."""
        self._roll()
        if account in self._refused:
            return False
        self._refused.add(account)
        return True

    def _roll(self) -> None:
        today = self._clock().date()
        if today != self._day:
            self._day = today
            self._completed = {}
            self._refused = set()
