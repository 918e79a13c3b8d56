"""The flood limits on a respondent's events, counted in this process's memory only.

Every event is counted in fixed one-minute windows; a multi-select toggle, which stores
nothing and only redraws buttons, is counted by a token bucket instead, so that ticking
boxes quickly does not eat the budget of answers. Both are keyed by the RATE pseudonym
(never a Telegram id), hold no history and are bounded. With several bot processes each
counts separately (docs/storage.md).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

DEFAULT_PER_MINUTE: Final = 60  # events per respondent per minute: generous for a human
DEFAULT_MAX_RESPONDENTS: Final = 10_000  # buckets kept; the least recently used goes first
DEFAULT_WINDOW_RESPONDENTS: Final = 100_000  # counters kept per window; beyond, the oldest go


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


class EventWindows:
    """Fixed-window event counters per RATE pseudonym.

    Only the current window is kept (a new window starts empty), so nothing records when
    anyone wrote; past `max_respondents` counters in one window the oldest are dropped (those
    respondents start again at zero).
    """

    def __init__(self, max_respondents: int = DEFAULT_WINDOW_RESPONDENTS) -> None:
        self._max = max_respondents
        self._window = -1
        self._counts: dict[bytes, int] = {}

    def hit(self, pseudonym: bytes, window: int) -> int:
        """Count one event in `window`; the count so far in it."""
        if window != self._window:
            self._window = window
            self._counts = {}
        count = self._counts.pop(pseudonym, 0) + 1
        self._counts[pseudonym] = count  # most recently seen last
        if len(self._counts) > self._max:
            del self._counts[next(iter(self._counts))]
        return count


class RateLimit:
    """The one place a respondent's events are rate limited: `per_minute` events per
    window, toggles by `toggles` (a token bucket of the same size unless given)."""

    def __init__(
        self,
        per_minute: int = DEFAULT_PER_MINUTE,
        *,
        toggles: ToggleLimit | None = None,
        windows: EventWindows | None = None,
        clock: Callable[[], float] = time.time,
        window_seconds: int = 60,
    ) -> None:
        if per_minute < 1:
            raise ValueError("the limit must be positive")
        self._per_minute = per_minute
        self._toggles = toggles if toggles is not None else ToggleLimit(per_minute)
        self._windows = windows if windows is not None else EventWindows()
        self._clock = clock
        self._window_seconds = window_seconds

    def allow_event(self, rate_pseudonym: bytes) -> bool:
        """Count one event that may store something; False once the window's limit is passed."""
        window = int(self._clock()) // self._window_seconds
        return self._windows.hit(rate_pseudonym, window) <= self._per_minute

    def allow_toggle(self, rate_pseudonym: bytes) -> bool:
        """Take one multi-select toggle from the respondent's bucket; False when empty."""
        return self._toggles.allow(rate_pseudonym)
