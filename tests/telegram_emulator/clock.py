"""A wall clock the tests can move forward, for message dates and the deletion window."""

import time


class EmulatorClock:
    """Unix time in seconds, offset by however far a test has advanced it."""

    def __init__(self, start: float | None = None) -> None:
        self._offset = 0.0 if start is None else start - time.time()

    def now(self) -> int:
        """The current emulated time as Telegram sends it (whole seconds)."""
        return int(time.time() + self._offset)

    def advance(self, seconds: float) -> None:
        """Move the clock forward, e.g. past the 48 h deletion window."""
        if seconds < 0:
            raise ValueError("the emulator clock only moves forward")
        self._offset += seconds
