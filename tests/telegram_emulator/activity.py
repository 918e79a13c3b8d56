"""A wake-up signal: waiters sleep until something changes, never polling on a timer."""

import asyncio
from collections.abc import Callable


class ActivitySignal:
    """Wakes every waiter each time `notify` is called; cheap enough to call per request."""

    __slots__ = ("_event", "seq")

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self.seq = 0

    def notify(self) -> None:
        """Record a change and wake everyone waiting for one."""
        self.seq += 1
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait_change(self, seconds: float) -> bool:
        """Wait for the next change; False when the timeout passed first."""
        event = self._event
        try:
            async with asyncio.timeout(seconds):
                await event.wait()
        except TimeoutError:
            return False
        return True

    async def wait_for(self, predicate: Callable[[], bool], seconds: float) -> bool:
        """Wait until the predicate holds, rechecking on every change; False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0 or not await self.wait_change(remaining):
                return predicate()
        return True
