"""An in-memory rate limit for button presses that store nothing (multi-select toggles)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

DEFAULT_MAX_RESPONDENTS: Final = 10_000  # buckets kept; the least recently used goes first


@dataclass
class _Bucket:
    tokens: float
    at: float  # monotonic seconds of the last refill


class ToggleLimit:
    """One token bucket per RATE pseudonym: `per_minute` presses in a burst, refilled evenly.

    A toggle only redraws buttons, so counting it in the database would turn every press into
    a write. The buckets live in this process only, are keyed by the RATE pseudonym (never a
    Telegram id), hold no history and are bounded: past `max_respondents` the least recently
    seen respondent's bucket is dropped (it starts full again if they come back).
    """

    def __init__(
        self,
        per_minute: int,
        *,
        max_respondents: int = DEFAULT_MAX_RESPONDENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute < 1 or max_respondents < 1:
            raise ValueError("the limit and the number of respondents kept must be positive")
        self._capacity = float(per_minute)
        self._per_second = per_minute / 60
        self._max_respondents = max_respondents
        self._clock = clock
        self._buckets: OrderedDict[bytes, _Bucket] = OrderedDict()

    def allow(self, rate_pseudonym: bytes) -> bool:
        """Take one press from this respondent's bucket; False when it is empty."""
        now = self._clock()
        bucket = self._buckets.pop(rate_pseudonym, None)
        if bucket is None:
            bucket = _Bucket(self._capacity, now)
        else:
            refill = max(0.0, now - bucket.at) * self._per_second
            bucket = _Bucket(min(self._capacity, bucket.tokens + refill), now)
        allowed = bucket.tokens >= 1
        if allowed:
            bucket.tokens -= 1
        self._buckets[rate_pseudonym] = bucket  # most recently seen last
        while len(self._buckets) > self._max_respondents:
            self._buckets.popitem(last=False)
        return allowed

    def __len__(self) -> int:
        return len(self._buckets)
