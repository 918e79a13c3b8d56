"""Log redaction: no bot token, no traceback text, libraries held at warnings."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.telegram.redaction import NOISY_LOGGERS, REDACTED, RedactingFilter, install_redaction

TOKEN = "123456789:AAEmulatorTestTokenNotReal_0123456789"


@pytest.fixture
def clean_root() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
    root.handlers = []
    try:
        yield root
    finally:
        root.handlers = handlers
        root.setLevel(level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)


def test_tokens_are_redacted_known_or_token_shaped() -> None:
    redacting = RedactingFilter(["s3cret-webhook"])
    url = f"POST https://api.telegram.org/bot{TOKEN}/sendMessage"
    assert redacting.redact(url) == f"POST https://api.telegram.org/bot{REDACTED}/sendMessage"
    assert redacting.redact("header s3cret-webhook") == f"header {REDACTED}"
    assert redacting.redact("Pregunta 12 de unas 40") == "Pregunta 12 de unas 40"


def test_installed_redaction_covers_library_warnings_and_drops_tracebacks(
    clean_root: logging.Logger,
) -> None:
    stream = io.StringIO()
    clean_root.addHandler(logging.StreamHandler(stream))  # as `oclep-bot run` configures it
    changed = install_redaction([TOKEN])
    assert changed and all(h.filters for h in changed)
    logging.getLogger("aiohttp.client").warning("request to /bot%s/getMe failed", TOKEN)
    logging.getLogger("aiogram.event").info("Update id=1 is handled by bot id=123456789")
    try:
        raise ValueError(f"answer text: mi pasaporte, url /bot{TOKEN}/x")
    except ValueError:
        logging.getLogger("bot.telegram.processor").exception("update message failed")
    output = stream.getvalue()
    assert TOKEN not in output and "mi pasaporte" not in output
    assert "Update id=1" not in output  # aiogram's INFO lines are held back
    assert "update message failed [ValueError]" in output
    assert "Traceback" not in output
