"""Webhook mode: an aiohttp endpoint that checks Telegram's secret header in constant time."""

from __future__ import annotations

import hmac
import json
import logging
import re
from typing import Final, Protocol
from urllib.parse import urlsplit

from aiohttp import web

from bot.settings import SettingsError

_log = logging.getLogger(__name__)

SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
# What setWebhook accepts as secret_token.
_SECRET_SHAPE: Final = re.compile(r"[A-Za-z0-9_-]{16,256}")
MAX_BODY_BYTES: Final = 1024 * 1024  # an update is a few KB; refuse anything huge early


class UpdateSink(Protocol):
    """Where received updates go (`bot.telegram.processor.UpdateProcessor`)."""

    async def process(self, raw: object) -> None: ...


def check_webhook_secret(secret: str | None) -> str:
    """The webhook secret, or `SettingsError` when it is missing or not usable."""
    if not secret:
        raise SettingsError(
            "OCLEP_WEBHOOK_SECRET is not set; webhook mode needs a random secret of 16 to 256 "
            "letters, digits, _ or -, e.g. from `python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'`."
        )
    if not _SECRET_SHAPE.fullmatch(secret):
        raise SettingsError(
            "OCLEP_WEBHOOK_SECRET must be 16 to 256 characters of letters, digits, _ or -."
        )
    return secret


def webhook_path(webhook_url: str) -> str:
    """The path Telegram will POST to: the path of OCLEP_WEBHOOK_URL, "/" if it has none."""
    parts = urlsplit(webhook_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(
            "OCLEP_WEBHOOK_URL must be an https:// URL that reaches this bot, "
            "for example https://bot.example.org/telegram."
        )
    return parts.path or "/"


def secret_matches(given: str | None, expected: str) -> bool:
    """Compare the header with the secret in constant time; a missing header never matches."""
    if given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode())


def webhook_app(processor: UpdateSink, *, secret: str, path: str = "/") -> web.Application:
    """The aiohttp application receiving Telegram's POSTs.

    An update is processed before the answer is sent: Telegram delivers again what was not
    acknowledged, and the conversation ignores an update id it has already applied, so a
    crash mid-update loses nothing. Unauthenticated requests get 401 and touch nothing.
    """

    async def receive(request: web.Request) -> web.Response:
        if not secret_matches(request.headers.get(SECRET_HEADER), secret):
            _log.warning("webhook request refused: wrong or missing secret")
            return web.Response(status=401)
        try:
            raw = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            _log.warning("webhook request with a body that is not JSON dropped")
            return web.Response(status=200)  # a retry would not make it JSON
        await processor.process(raw)
        return web.Response(status=200)

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_post(path, receive)
    return app
