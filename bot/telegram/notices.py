"""Notice messages outside the questionnaire message, removed once the respondent acts again."""

from __future__ import annotations

import hashlib
import secrets
from typing import Final

MAX_CHATS: Final = 10_000


class NoticesToRemove:
    """The notices sent into each chat and not yet removed, in this process's memory only.

    A notice that cannot go into the questionnaire message (there is none yet, or the
    conversation gave no question to show under it) is sent as its own message; the
    respondent's next event in that chat shows they have read it, and it is deleted after
    that event's screen is drawn. Keyed by a keyed hash of the chat id with a per-process
    random key; bounded (the oldest chat is forgotten). A restart forgets them: such a notice
    then stays, and it holds nothing the respondent typed.
    """

    def __init__(self, capacity: int = MAX_CHATS) -> None:
        self._key = secrets.token_bytes(16)
        self._sent: dict[bytes, list[int]] = {}
        self._capacity = capacity

    def sent(self, chat_id: int, message_id: int) -> None:
        """Remember a notice message just sent into `chat_id`."""
        digest = self._digest(chat_id)
        pending = self._sent.pop(digest, [])
        pending.append(message_id)
        self._sent[digest] = pending  # most recent last
        if len(self._sent) > self._capacity:
            del self._sent[next(iter(self._sent))]

    def take(self, chat_id: int) -> list[int]:
        """The notices of `chat_id` to delete now (then forgotten)."""
        return self._sent.pop(self._digest(chat_id), [])

    def _digest(self, chat_id: int) -> bytes:
        data = chat_id.to_bytes(16, "big", signed=True)
        return hashlib.blake2b(data, key=self._key, digest_size=16).digest()
