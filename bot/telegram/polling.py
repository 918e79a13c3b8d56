"""Long polling: fetch updates as raw JSON, hand each to the processor, stop cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramUnauthorizedError
from aiogram.methods import TelegramMethod

from bot.telegram.mapping import ALLOWED_UPDATES, update_id_of
from bot.telegram.processor import UpdateProcessor

_log = logging.getLogger(__name__)

DEFAULT_POLL_SECONDS = 25
DEFAULT_MAX_IN_FLIGHT = 64  # updates handled at once (across chats); bounds memory and locks
SHUTDOWN_GRACE_SECONDS = 20.0


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

    Updates are confirmed to Telegram only by the next getUpdates call, so updates fetched
    but not finished when the process dies come again after a restart; the conversation's
    exactly-once bookkeeping (the update id per draft) makes the second delivery harmless.
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
    ) -> None:
        self._bot = bot
        self._processor = processor
        self._poll_seconds = poll_seconds
        self._allowed = None if allowed_updates is None else list(allowed_updates)
        self._slots = asyncio.Semaphore(max_in_flight)
        self._tasks: set[asyncio.Task[None]] = set()
        self._retry_delay = retry_delay
        self._offset: int | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; then let in-flight updates finish and confirm them."""
        stopping = asyncio.ensure_future(stop.wait())
        failures = 0
        try:
            while not stop.is_set():
                batch = await self._fetch(stopping)
                if batch is None:
                    if stop.is_set():
                        break
                    failures += 1
                    await self._pause(stopping, min(self._retry_delay * 2**failures, 30.0))
                    continue
                failures = 0
                for raw in batch:
                    update_id = update_id_of(raw)
                    if update_id is not None and update_id >= (self._offset or 0):
                        self._offset = update_id + 1
                    await self._slots.acquire()
                    task = asyncio.create_task(self._processor.process(raw))
                    self._tasks.add(task)
                    task.add_done_callback(self._finished)
        finally:
            stopping.cancel()
            await self._drain()

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._slots.release()

    async def _fetch(self, stopping: asyncio.Future[Any]) -> list[Any] | None:
        """One long poll, abandoned as soon as `stopping` completes; None on failure."""
        method = RawGetUpdates(
            offset=self._offset, timeout=self._poll_seconds, allowed_updates=self._allowed
        )
        call = asyncio.ensure_future(self._bot(method, request_timeout=self._poll_seconds + 15))
        await asyncio.wait({call, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not call.done():
            call.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await call
            return None
        try:
            return call.result()
        except TelegramUnauthorizedError:
            raise
        except Exception as error:
            _log.warning("getUpdates failed: %s", type(error).__name__)
            return None

    @staticmethod
    async def _pause(stopping: asyncio.Future[Any], seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(stopping), seconds)

    async def _drain(self) -> None:
        """Finish the updates in hand, then confirm them so a restart does not repeat them."""
        if self._tasks:
            _log.info("finishing %d updates in flight", len(self._tasks))
            _, pending = await asyncio.wait(set(self._tasks), timeout=SHUTDOWN_GRACE_SECONDS)
            for task in pending:
                task.cancel()
        if self._offset is not None:
            confirm = RawGetUpdates(offset=self._offset, limit=1, timeout=0)
            with contextlib.suppress(Exception):
                await self._bot(confirm, request_timeout=10)
