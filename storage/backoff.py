"""Capped exponential backoff: the one rule for every retry loop of the project.

Used by the storage's waits (another process's SQLite lock, the WAL scrub) and by the bot's
Telegram calls and long poll. Only the waits are shared: each loop keeps its own reason to
stop (a deadline, a number of attempts, a stop event).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# 2 ** 64 times any first wait is past every cap; a larger exponent would overflow a float
# after a long enough outage (a poller failing every 30 s for nine hours).
_MAX_DOUBLINGS = 64


@dataclass(frozen=True)
class Backoff:
    """`first` after the first failure, doubled after each further one, never above `cap`."""

    first: float
    cap: float

    def delay(self, failures: int) -> float:
        """The wait after the `failures`-th failure in a row (1 for the first)."""
        doublings = min(max(failures - 1, 0), _MAX_DOUBLINGS)
        return min(self.first * 2.0**doublings, self.cap)

    def jittered(self, failures: int, rng: random.Random) -> float:
        """`delay` with its second half random ("equal jitter"): many processes retrying
        after the same outage do not come back in lockstep."""
        ceiling = self.delay(failures)
        return ceiling / 2 + rng.random() * ceiling / 2
