"""Long polling: fetch updates as raw JSON, hand each to the processor, stop cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any, Final

from aiogram import Bot
from aiogram.exceptions import TelegramConflictError, TelegramUnauthorizedError
from aiogram.methods import TelegramMethod

from bot.settings import SettingsError
from bot.telegram.in_hand import UpdatesInHand
from bot.telegram.mapping import ALLOWED_UPDATES, update_id_of
from bot.telegram.processor import UpdateProcessor
from storage.backoff import Backoff

_log = logging.getLogger(__name__)

DEFAULT_POLL_SECONDS: Final = 25
# Updates handled at once (across chats) until they commit; bounds memory and locks. A
# reply that waits out a flood wait after its commit no longer holds one of these.
DEFAULT_MAX_IN_FLIGHT: Final = 64
# The whole stop, replies in flight included, ends within this; systemd's TimeoutStopSec
# must leave room for it and the closing of the database (docs/telegram.md).
SHUTDOWN_GRACE_SECONDS: Final = 20.0
# When a fetch brought only updates already in hand (the offset waits for an uncommitted
# one), the next fetch waits for a commit, or this long at most.
_REFETCH_PAUSE: Final = 0.2
_MAX_RETRY_DELAY: Final = 30.0
# Of the grace: what is kept for cancelling the unfinished updates and confirming the rest.
_CONFIRM_SHARE: Final = 1.0


class PollerConflictError(SettingsError):
    """Another process polls this bot (Telegram answered 409); the message is one sentence."""


class RawGetUpdates(TelegramMethod[list[Any]]):
    """getUpdates answered as plain JSON values, not `Update` models.

    aiogram validates the whole batch at once: one update it cannot parse fails the batch,
    and its polling loop then asks for the same batch forever. Here each update is mapped
    on its own (`bot.telegram.mapping`), so a bad one is skipped and the offset moves on.
    """

    __returning__ = list[Any]
    __api_method__ = "getUpdates"

    offset: int | None = None
    limit: int | None = None
    timeout: int | None = None
    allowed_updates: list[str] | None = None


class Poller:
    """Runs the getUpdates loop until `stop` is set, then drains the updates in hand.

    The offset sent to Telegram never passes an update whose handling has not committed
    (`UpdatesInHand`): whatever was fetched but not committed when the process dies or the
    stop's grace runs out comes again after a restart, and the conversation's exactly-once
    bookkeeping (the update ids per draft) makes a second delivery of a committed one harmless.
    """

    def __init__(
        self,
        bot: Bot,
        processor: UpdateProcessor,
        *,
        poll_seconds: int = DEFAULT_POLL_SECONDS,
        allowed_updates: Sequence[str] | None = ALLOWED_UPDATES,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
        retry_delay: float = 1.0,
        grace_seconds: float = SHUTDOWN_GRACE_SECONDS,
    ) -> None:
        self._bot = bot
        self._processor = processor
        self._poll_seconds = poll_seconds
        self._allowed = None if allowed_updates is None else list(allowed_updates)
        self._slots = asyncio.Semaphore(max_in_flight)
        self._tasks: set[asyncio.Task[None]] = set()
        # retry_delay·2, ·4, … after each failed poll in a row, 30 s at most.
        self._backoff = Backoff(first=2 * retry_delay, cap=_MAX_RETRY_DELAY)
        self._grace = grace_seconds
        self._in_hand = UpdatesInHand()
        self._progress = asyncio.Event()  # set on every commit
        self._polled_once = False

    @property
    def offset(self) -> int | None:
        """The offset the next getUpdates sends (for tests)."""
        return self._in_hand.offset

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; then let in-flight updates finish and confirm them.

        Raises `PollerConflictError` when Telegram says another process is polling.
        """
        stopping = asyncio.ensure_future(stop.wait())
        failures = 0
        try:
            while not stop.is_set():
                batch = await self._fetch(stopping)
                if batch is None:
                    if stop.is_set():
                        break
                    failures += 1
                    await self._pause(stopping, self._backoff.delay(failures))
                    continue
                failures = 0
                fresh = 0
                for raw in batch:
                    update_id = update_id_of(raw)
                    if update_id is None or not self._in_hand.take(update_id):
                        continue
                    fresh += 1
                    await self._slots.acquire()
                    task = asyncio.create_task(self._handle(update_id, raw))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                if batch and not fresh:
                    # Only updates already in hand or done came back: Telegram would answer
                    # at once again. Wait for a commit to move the offset (or briefly).
                    self._progress.clear()
                    await self._pause_until_progress(stopping)
        finally:
            stopping.cancel()
            await self._drain()

    async def _handle(self, update_id: int, raw: object) -> None:
        committed = False

        def commit() -> None:
            nonlocal committed
            if committed:
                return
            committed = True
            self._in_hand.done(update_id)
            self._slots.release()
            self._progress.set()

        try:
            await self._processor.process(raw, committed=commit)
        except asyncio.CancelledError:
            if not committed:
                self._slots.release()  # not confirmed: it comes again after a restart
            raise
        except Exception as error:  # `process` logs and never raises; a bug must not leak a slot
            _log.error("update failed: %s", type(error).__name__)
        commit()

    async def _fetch(self, stopping: asyncio.Future[Any]) -> list[Any] | None:
        """One long poll, abandoned as soon as `stopping` completes; None on failure."""
        method = RawGetUpdates(
            offset=self._in_hand.offset, timeout=self._poll_seconds, allowed_updates=self._allowed
        )
        call = asyncio.ensure_future(self._bot(method, request_timeout=self._poll_seconds + 15))
        await asyncio.wait({call, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not call.done():
            call.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await call
            return None
        try:
            batch = call.result()
        except TelegramUnauthorizedError:
            raise
        except TelegramConflictError:
            raise PollerConflictError(
                "Another process is polling this bot's updates (Telegram answered 409 "
                "Conflict); stop the other `oclep-bot run`, or use webhook mode for several "
                "processes."
            ) from None
        except Exception as error:
            _log.warning("getUpdates failed: %s", type(error).__name__)
            return None
        self._polled_once = True
        return batch

    @staticmethod
    async def _pause(stopping: asyncio.Future[Any], seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(stopping), seconds)

    async def _pause_until_progress(self, stopping: asyncio.Future[Any]) -> None:
        progress = asyncio.ensure_future(self._progress.wait())
        try:
            await asyncio.wait({progress, stopping}, timeout=_REFETCH_PAUSE)
        finally:
            progress.cancel()

    async def _drain(self) -> None:
        """Give the updates in hand the grace period, replies included; confirm what committed.

        What has not committed when the grace runs out is cancelled and not confirmed, so it
        comes again after the restart. The confirming call gets what is left of the grace.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._grace
        if self._tasks:
            _log.info("finishing %d updates in flight", len(self._tasks))
            # The confirming call and the cancellations get their share of the grace too.
            budget = max(0.0, self._grace - _CONFIRM_SHARE)
            _, pending = await asyncio.wait(set(self._tasks), timeout=budget)
            if pending:
                _log.warning("stop: %d updates unfinished after the grace period", len(pending))
                for task in pending:
                    task.cancel()
                await asyncio.wait(pending, timeout=_CONFIRM_SHARE / 2)
        offset = self._in_hand.offset
        if offset is None or not self._polled_once:
            return
        left = max(0.1, deadline - loop.time())
        confirm = RawGetUpdates(offset=offset, limit=1, timeout=0)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._bot(confirm, request_timeout=int(left) + 1), left)
