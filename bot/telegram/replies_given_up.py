"""Replies that Telegram never got: counted per process, remembered per chat until re-shown.

A Bot API call that still fails after its last retry (flood waits, network errors, 5xx) loses
that part of the reply; the answer itself is stored. The renderer notes it for the update
being rendered (a context variable: one list per update task), the processor counts it and
marks the chat, and the chat's next event shows the current screen again.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import secrets
from typing import Final

from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError

_log = logging.getLogger(__name__)

# Errors the session retries; seeing one here means the retries ran out.
TRANSIENT_ERRORS: Final = (TelegramRetryAfter, TelegramNetworkError, TelegramServerError)

_failed_calls: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "failed_calls", default=None
)


def watch_render() -> list[str]:
    """Start noting the given-up calls of the current update's render; returns the list."""
    failed: list[str] = []
    _failed_calls.set(failed)
    return failed


def note_given_up(method: str, error: Exception) -> None:
    """Called by the renderer when a call failed with a transient error after its retries."""
    if not isinstance(error, TRANSIENT_ERRORS):
        return
    _log.warning("reply given up after the last attempt: %s (%s)", method, type(error).__name__)
    failed = _failed_calls.get()
    if failed is not None:
        failed.append(method)


class OwedScreens:
    """Chats whose last reply was given up: their next event shows the current screen.

    In-process memory of keyed hashes (random key per process, bounded), like `OncePerChat`:
    no chat id is kept. After a restart it is empty; a press on an old screen still gets the
    current one (the conversation's answer to a stale button).
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self._key = secrets.token_bytes(16)
        self._owed: dict[bytes, None] = {}
        self._capacity = capacity
        self.given_up = 0  # replies given up since start (for logs and tests)

    def _digest(self, chat_id: int) -> bytes:
        data = chat_id.to_bytes(16, "big", signed=True)
        return hashlib.blake2b(data, key=self._key, digest_size=16).digest()

    def owe(self, chat_id: int) -> None:
        self.given_up += 1
        if len(self._owed) >= self._capacity:
            del self._owed[next(iter(self._owed))]
        self._owed[self._digest(chat_id)] = None

    def settle(self, chat_id: int) -> bool:
        """True (once) if the chat is owed its screen."""
        return self._owed.pop(self._digest(chat_id), 0) is None
