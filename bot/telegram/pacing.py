"""Telegram's flood limits kept ahead of time: outgoing messages paced per chat and overall.

Telegram's Bot FAQ: about one message per second in a chat (short bursts tolerated), about
30 per second across all chats, 20 per minute in a group. Past them it answers 429 with a
`retry_after`, and a bot that only waits each 429 out (bot/telegram/session.py) turns a burst
of respondents into a storm of refusals. Here each call takes the first moment at which it
conforms to every limit (a generic cell rate per chat and one overall: a token bucket kept as
a single "theoretical arrival time") and waits until then. Moments are handed out in call
order, so a burst is served first come, first served, and no chat is starved.

Registered on the aiogram session as a request middleware (`Pacer.install(session)`).
Several webhook workers share the cells through the database (`SharedCells`, implemented by
storage/shared_pacing.py on PostgreSQL) so that together they keep the limits; should the
database fail a booking, that call is paced by this process's own cells.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Protocol, TypeVar

from aiogram.client.session.base import BaseSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.telegram.retries import Retries

if TYPE_CHECKING:
    from aiogram import Bot

_log = logging.getLogger(__name__)

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

    @classmethod
    def overall(cls, per_second: float) -> PaceLimits:
        """Telegram's chat limits, and `per_second` overall with a burst of 0.4 s of it."""
        return cls(global_rate=per_second, global_burst=max(1, int(per_second * 0.4)))


_T = TypeVar("_T")
OVERALL_CELL: Final = -1
FORGET_IDLE_EVERY_SECONDS: Final = 60.0


class SharedCells(Protocol):
    """Flood-limit cells several bot processes book together (storage/shared_pacing.py)."""

    def chat_cell(self, chat_id: int | str, *, group: bool) -> int:
        """The cell a chat counts in (never its id)."""

    async def book(self, cell: int, rate: float, burst: int) -> float:
        """Take the cell's next conforming moment (an edit: the overall cell); seconds until it."""

    async def book_message(
        self, chat: int, chat_limit: tuple[float, int], overall_limit: tuple[float, int]
    ) -> tuple[float, bool]:
        """Book a new message if its chat allows it now: (seconds to its moment, True); else
        (seconds until the chat allows it, False), nothing booked."""

    async def forget_idle(self, idle_seconds: float) -> int:
        """Drop chat cells idle this long."""


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
    the future and block every other chat until then. A departure gate then lets every call
    leave one at a time within the overall limit, counted from when it really leaves
    (`_depart`), so a busy event loop cannot release its backlog in a clump.
    """

    limits: PaceLimits = field(default_factory=PaceLimits)
    clock: Callable[[], float] = time.monotonic
    shared: SharedCells | None = None  # cells booked with the other workers
    delayed: int = 0  # calls that had to wait (for benchmarks and tests)
    _forgot_at: float = field(default=0.0, init=False)
    _global: _Cell = field(init=False)
    _chats: dict[int | str, _Cell] = field(default_factory=dict, init=False)
    _chat_turns: dict[int | str, _Turn] = field(default_factory=dict, init=False)
    # Departures as they really happen, and the one-at-a-time gate that keeps them within
    # the overall limit (see `_depart`).
    _departures: _Cell = field(init=False)
    _gate: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)

    def __post_init__(self) -> None:
        self._global = _Cell(self.limits.global_rate, self.limits.global_burst)
        self._departures = _Cell(self.limits.global_rate, self.limits.global_burst)

    def install(self, session: BaseSession) -> Pacer:
        """Register as a request middleware outside the session's retries, if it has any:
        a call takes one turn, and its retries wait what Telegram's `retry_after` says, not
        another turn each (a refused attempt sends nothing to count against the limits)."""
        retries = [m for m in session.middleware[:] if isinstance(m, Retries)]
        for middleware in retries:
            session.middleware.unregister(middleware)
        session.middleware(self)
        for middleware in retries:
            session.middleware(middleware)
        return self

    async def wait_turn(self, chat_id: int | str | None) -> None:
        """Return when a message (to `chat_id`; None for an edit) may go."""
        if chat_id is None:
            await self._book_edit()
            await self._depart()
            return
        turn = self._chat_turns.setdefault(chat_id, _Turn())
        turn.users += 1
        try:
            # FIFO, held until the call really leaves: the chat's messages go in call order
            # and the next one is counted from this one's real departure.
            async with turn.lock:
                chat = await self._book_message(chat_id)
                await self._depart()
                if chat is not None:
                    chat.take(self.clock())
        finally:
            turn.users -= 1
            if turn.users == 0:  # nobody holds or awaits it: the chat's lock can go
                del self._chat_turns[chat_id]

    async def _depart(self) -> None:
        """Let the call leave only when its real departure conforms to the overall limit.

        Booked moments conform, but a busy event loop (a CPU-bound burst: Argon2id digests,
        seals) wakes its sleepers late, and every call whose moment passed during the stall
        would then leave at once: a clump over Telegram's burst allowance, 429s. The gate
        passes calls one at a time, in arrival order, and counts each from when it really
        goes; when nothing stalled, booked moments already conform and nobody waits here.
        """
        async with self._gate:
            now = self.clock()
            await self._sleep(self._departures.earliest(now) - now)
            self._departures.take(self.clock())

    async def _book_edit(self) -> None:
        """Wait for an overall moment booked for an edit (it counts in no chat's limit)."""
        if self.shared is not None:
            with contextlib.suppress(_SharedFailed):
                await self._sleep(await self._shared_overall(self.shared))
                return
        await self._sleep(self._book_global())

    async def _book_message(self, chat_id: int | str) -> _Cell | None:
        """Wait for the chat's turn, then for an overall moment booked from it.

        Returns this process's cell for the chat, to be taken when the message really
        leaves; None when the workers' shared cells booked it.
        """
        if self.shared is not None:
            with contextlib.suppress(_SharedFailed):
                await self._shared_turn(self.shared, chat_id)
                return None
        chat = self._chat(chat_id)
        now = self.clock()
        await self._sleep(chat.earliest(now) - now)
        await self._sleep(self._book_global())
        return chat

    async def _shared_turn(self, shared: SharedCells, chat_id: int | str) -> None:
        limits = self.limits
        group = _is_group(chat_id)
        cell = shared.chat_cell(chat_id, group=group)
        chat_limit = (
            (limits.group_rate, limits.group_burst)
            if group
            else (limits.per_chat_rate, limits.per_chat_burst)
        )
        overall_limit = (limits.global_rate, limits.global_burst)
        while True:  # another worker may take the chat's turn first: then wait again
            wait, booked = await self._shared(shared.book_message(cell, chat_limit, overall_limit))
            await self._sleep(wait)
            if booked:
                break
        if self.clock() - self._forgot_at > FORGET_IDLE_EVERY_SECONDS:
            self._forgot_at = self.clock()
            # Tidying only: a failure here must not make the message wait a second time.
            with contextlib.suppress(_SharedFailed):
                await self._shared(shared.forget_idle(IDLE_CHAT_SECONDS))

    async def _shared_overall(self, shared: SharedCells) -> float:
        limits = self.limits
        return await self._shared(
            shared.book(OVERALL_CELL, limits.global_rate, limits.global_burst)
        )

    async def _shared(self, call: Awaitable[_T]) -> _T:
        try:
            return await call
        except Exception as exc:  # the database is away: pace alone rather than not at all
            _log.warning(
                "shared pacing unavailable (%s); pacing this process alone", type(exc).__name__
            )
            raise _SharedFailed from None

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
            group = _is_group(chat_id)
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


class _SharedFailed(Exception):
    """A shared booking failed; the call is paced by this process's cells instead."""


def _is_group(chat_id: int | str) -> bool:
    return isinstance(chat_id, str) or chat_id < 0
