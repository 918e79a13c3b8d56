"""Telegram's flood limits kept ahead of time: outgoing messages paced per chat and overall.

Telegram's Bot FAQ: about one message per second in a chat (short bursts tolerated), about
30 per second across all chats, 20 per minute in a group. Past them it answers 429 with a
`retry_after`, and a bot that only waits each 429 out (bot/telegram/session.py) turns a burst
of respondents into a storm of refusals. Here each call takes the first moment at which it
conforms to every limit (a generic cell rate per chat and one overall: a token bucket kept as
a single "theoretical arrival time") and waits until then. Moments are handed out in call
order, so a burst is served first come, first served, and no chat is starved.

Registered on the aiogram session as a request middleware (`Pacer.install(session)`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from aiogram.client.session.base import BaseSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

if TYPE_CHECKING:
    from aiogram import Bot

# New messages count against their chat's limit and the overall one; edits of a message
# (the questionnaire screen is one message, edited) against the overall one only.
# answerCallbackQuery and deleteMessage are not messages and never wait behind them.
SENDING_METHODS: Final = frozenset(
    {"sendMessage", "copyMessage", "forwardMessage", "sendPhoto", "sendDocument"}
)
PACED_METHODS: Final = SENDING_METHODS | {"editMessageText", "editMessageReplyMarkup"}
# An idle chat's state is dropped after this long (its bucket is full again by then), so
# memory follows active chats only.
IDLE_CHAT_SECONDS: Final = 60.0


@dataclass(frozen=True)
class PaceLimits:
    """Messages per second, and how many may go at once from idle.

    Under Telegram's figures: requests can reach the server closer together than they were
    booked (network jitter, a busy event loop waking several sleepers at once), and the
    spare burst absorbs up to two thirds of a second of that.
    """

    per_chat_rate: float = 1.0
    per_chat_burst: int = 2
    group_rate: float = 19 / 60
    group_burst: int = 2
    global_rate: float = 25.0
    global_burst: int = 10


@dataclass
class _Cell:
    rate: float
    burst: int
    tat: float = 0.0

    def earliest(self, now: float) -> float:
        """The first moment from `now` at which one more message conforms."""
        return max(now, self.tat - (self.burst - 1) / self.rate)

    def take(self, moment: float) -> None:
        self.tat = max(moment, self.tat) + 1 / self.rate


@dataclass
class _Turn:
    """One chat's queue: its lock and how many calls hold or await it."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


@dataclass
class Pacer(BaseRequestMiddleware):
    """Delays each paced call until it conforms to its chat's limit and the overall one.

    Two stages: a new message first waits for its chat (one at a time per chat, in call
    order), then books the next overall moment from the time its chat allows it. Booking
    both at once would let a message that must wait for its chat hold an overall moment in
    the future and block every other chat until then.
    """

    limits: PaceLimits = field(default_factory=PaceLimits)
    clock: Callable[[], float] = time.monotonic
    delayed: int = 0  # calls that had to wait (for benchmarks and tests)
    _global: _Cell = field(init=False)
    _chats: dict[int | str, _Cell] = field(default_factory=dict, init=False)
    _chat_turns: dict[int | str, _Turn] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self._global = _Cell(self.limits.global_rate, self.limits.global_burst)

    def install(self, session: BaseSession) -> Pacer:
        session.middleware(self)
        return self

    async def wait_turn(self, chat_id: int | str | None) -> None:
        """Return when a message (to `chat_id`; None for an edit) may go."""
        if chat_id is None:
            await self._sleep(self._book_global())
            return
        turn = self._chat_turns.setdefault(chat_id, _Turn())
        turn.users += 1
        try:
            async with turn.lock:  # FIFO: the chat's messages leave in call order
                chat = self._chat(chat_id)
                now = self.clock()
                await self._sleep(chat.earliest(now) - now)
                await self._sleep(self._book_global())
                # Counted from when it really leaves: a sleep that overran must not let the
                # chat's next message go early.
                chat.take(self.clock())
        finally:
            turn.users -= 1
            if turn.users == 0:  # nobody holds or awaits it: the chat's lock can go
                del self._chat_turns[chat_id]

    def _book_global(self) -> float:
        now = self.clock()
        moment = self._global.earliest(now)
        self._global.take(moment)
        return moment - now

    def _chat(self, chat_id: int | str) -> _Cell:
        cell = self._chats.get(chat_id)
        if cell is None:
            if len(self._chats) > 1024:
                self._forget_idle(self.clock())
            group = isinstance(chat_id, str) or chat_id < 0
            limits = self.limits
            rate = limits.group_rate if group else limits.per_chat_rate
            burst = limits.group_burst if group else limits.per_chat_burst
            cell = self._chats[chat_id] = _Cell(rate, burst)
        return cell

    def _forget_idle(self, now: float) -> None:
        idle = [chat for chat, cell in self._chats.items() if cell.tat < now - IDLE_CHAT_SECONDS]
        for chat in idle:
            del self._chats[chat]

    async def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.delayed += 1
            await asyncio.sleep(seconds)

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        name = method.__api_method__
        if name in PACED_METHODS:
            chat_id = getattr(method, "chat_id", None) if name in SENDING_METHODS else None
            await self.wait_turn(chat_id if isinstance(chat_id, int | str) else None)
        return await make_request(bot, method)
