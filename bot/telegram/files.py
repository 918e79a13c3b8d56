"""Files a respondent sends, fetched from Telegram as a stream: never whole, never on disk."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Final

from aiogram import Bot

DOWNLOAD_TIMEOUT_SECONDS: Final = 300  # 20 MB on a slow server link
PIECE_BYTES: Final = 64 * 1024


class FileUnavailable(Exception):
    """Telegram describes the file but offers no download (over the bots' 20 MB limit)."""


def file_stream(bot: Bot, file_id: str) -> Callable[[], AsyncIterator[bytes]]:
    """What `Attachment.content` calls: getFile, then the file's bytes piece by piece.

    The download URL holds the bot token: it is never logged (errors are logged by class
    only, and bot/telegram/redaction.py redacts the token from any log line).
    """

    async def stream() -> AsyncIterator[bytes]:
        described = await bot.get_file(file_id)
        if not described.file_path:
            raise FileUnavailable
        url = bot.session.api.file_url(bot.token, described.file_path)
        async for piece in bot.session.stream_content(
            url, timeout=DOWNLOAD_TIMEOUT_SECONDS, chunk_size=PIECE_BYTES
        ):
            yield piece

    return stream
