"""Logging for the bot process: bot tokens redacted, exception details reduced to their class."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import Final, TextIO

REDACTED: Final = "<redacted>"
# A bot token as Telegram issues it: the bot id, a colon, 30+ URL-safe characters. HTTP
# libraries log request URLs, and the Bot API puts the token in the path (/bot<token>/...).
_TOKEN_SHAPE: Final = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
# Libraries whose INFO/DEBUG lines carry URLs, bot ids or payloads; only their warnings pass.
NOISY_LOGGERS: Final = ("aiogram", "aiohttp", "aiosqlite", "asyncio", "sqlalchemy")
LOG_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"
COARSE_TIME: Final = "%Y-%m-%d %H:%M"  # minutes: enough to operate, too coarse to match updates


class RedactingFilter(logging.Filter):
    """Rewrites every record: secrets and token-shaped strings become `<redacted>`.

    Tracebacks are dropped and replaced by the exception's class name: an exception's
    message may quote a request URL (the token) or a payload (a respondent's text), and the
    design allows error classes only in the logs.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def redact(self, text: str) -> str:
        """`text` with every secret and token-shaped substring replaced."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN_SHAPE.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call must not take the logger down with it
            message = str(record.msg)
        if record.exc_info and record.exc_info[0] is not None:
            message = f"{message} [{record.exc_info[0].__name__}]"
        record.msg = self.redact(message)
        record.args = None
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


def install_redaction(
    secrets: Iterable[str], *, level: int = logging.INFO, stream: TextIO | None = None
) -> list[logging.Handler]:
    """Put a `RedactingFilter` and a coarse-time format on every root handler.

    Adds a stderr (or `stream`) handler when the root logger has none; quiets the chatty
    libraries. Returns the handlers it changed, so that a caller (a test) can undo it.
    """
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler(stream or sys.stderr))
    redacting = RedactingFilter(secrets)
    for handler in root.handlers:
        handler.addFilter(redacting)
        handler.setFormatter(logging.Formatter(LOG_FORMAT, COARSE_TIME))
    root.setLevel(level)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return list(root.handlers)
