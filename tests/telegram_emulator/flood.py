"""Telegram's flood limits, enforced as the Bot API does: a call over the limit gets 429 with
`retry_after` and takes no effect.

The Bot FAQ's figures: about one message per second in a chat (short bursts tolerated), about
30 messages per second across all chats, 20 per minute in a group. Each limit is a generic
cell rate (GCRA: a token bucket kept as one "theoretical arrival time"). This model is written
apart from the bot's pacing (bot/telegram/pacing.py), so a test can catch a bot that paces
wrongly.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# New messages count against their chat and overall; edits overall only.
SENDING_METHODS = frozenset(
    {"sendMessage", "copyMessage", "forwardMessage", "sendPhoto", "sendDocument"}
)
LIMITED_METHODS = SENDING_METHODS | {"editMessageText", "editMessageReplyMarkup"}


@dataclass(frozen=True)
class FloodLimits:
    """Rates in messages per second; a burst is how many may go at once from idle."""

    per_chat_rate: float = 1.0
    per_chat_burst: int = 3
    group_rate: float = 20 / 60
    group_burst: int = 3
    global_rate: float = 30.0
    global_burst: int = 30


@dataclass
class _Cell:
    rate: float
    burst: int
    tat: float = 0.0  # the theoretical arrival time of the next conforming call

    def wait(self, now: float) -> float:
        """Seconds until a call would conform (0: now)."""
        tolerance = (self.burst - 1) / self.rate
        return max(0.0, self.tat - tolerance - now)

    def take(self, now: float) -> None:
        self.tat = max(now, self.tat) + 1 / self.rate


@dataclass
class FloodControl:
    """Counts limited calls per chat and overall; `check` says how long to wait, if at all."""

    limits: FloodLimits = field(default_factory=FloodLimits)
    clock: Callable[[], float] = time.monotonic
    refused: int = 0
    # When each limited call went through (clock seconds), so a test can measure the rate
    # the bot, or several bots on one token, really kept.
    passed: list[float] = field(default_factory=list)
    _chats: dict[int | str, _Cell] = field(default_factory=dict)
    _global: _Cell | None = None

    def check(self, method: str, chat_id: int | str | None) -> int | None:
        """None if the call may go (and it is counted); else the retry_after to answer."""
        if method not in LIMITED_METHODS:
            return None
        now = self.clock()
        limits = self.limits
        if self._global is None:
            self._global = _Cell(limits.global_rate, limits.global_burst)
        cells = [self._global]
        if chat_id is not None and method in SENDING_METHODS:
            cell = self._chats.get(chat_id)
            if cell is None:
                group = isinstance(chat_id, str) or int(chat_id) < 0
                rate = limits.group_rate if group else limits.per_chat_rate
                burst = limits.group_burst if group else limits.per_chat_burst
                cell = self._chats[chat_id] = _Cell(rate, burst)
            cells.append(cell)
        wait = max(cell.wait(now) for cell in cells)
        if wait > 0:
            self.refused += 1
            return max(1, math.ceil(wait))  # Telegram answers whole seconds
        for cell in cells:
            cell.take(now)
        self.passed.append(now)
        return None
