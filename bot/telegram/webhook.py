"""Webhook mode: an aiohttp endpoint that checks Telegram's secret header in constant time."""

from __future__ import annotations

import hmac
import json
import logging
import re
import time
from collections.abc import Callable
from typing import Final, Protocol
from urllib.parse import urlsplit

from aiohttp import web

from bot.settings import SettingsError

_log = logging.getLogger(__name__)

SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
# What setWebhook accepts as secret_token.
_SECRET_SHAPE: Final = re.compile(r"[A-Za-z0-9_-]{16,256}")
MAX_BODY_BYTES: Final = 1024 * 1024  # an update is a few KB; refuse anything huge early
REFUSAL_REPORT_SECONDS: Final = 60.0


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


class RefusalCounter:
    """Counts unauthenticated requests and logs them at most once per `every` seconds.

    Anyone who finds the URL can send requests without the secret; a log line each would let
    them fill the disk and bury the lines that matter. The first refusal is logged at once,
    later ones are counted and reported with the next refusal after the interval.
    """

    def __init__(
        self,
        every: float = REFUSAL_REPORT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = 0
        self._every = every
        self._clock = clock
        self._unreported = 0
        self._last_report: float | None = None

    def refused(self) -> None:
        """Count one refused request; log if the last report is old enough."""
        self.total += 1
        self._unreported += 1
        now = self._clock()
        if self._last_report is not None and now - self._last_report < self._every:
            return
        _log.warning(
            "webhook requests refused (wrong or missing secret): %d since the last report, "
            "%d in all",
            self._unreported,
            self.total,
        )
        self._unreported = 0
        self._last_report = now


def webhook_app(
    processor: UpdateSink,
    *,
    secret: str,
    path: str = "/",
    refusals: RefusalCounter | None = None,
) -> web.Application:
    """The aiohttp application receiving Telegram's POSTs.

    An update is processed before the answer is sent: Telegram delivers again what was not
    acknowledged, and the conversation ignores an update id it has already applied, so a
    crash mid-update loses nothing. Unauthenticated requests get 401 and touch nothing
    (counted in `refusals`). An authenticated body that cannot be read as JSON (too large,
    nested too deep, a number too long, not UTF-8) is dropped with 200: Telegram would only
    send it again, and nothing in it can be answered.
    """
    counter = refusals if refusals is not None else RefusalCounter()

    async def receive(request: web.Request) -> web.Response:
        if not secret_matches(request.headers.get(SECRET_HEADER), secret):
            counter.refused()
            return web.Response(status=401)
        try:
            raw = json.loads(await request.read())
        except web.HTTPRequestEntityTooLarge:
            _log.warning("webhook request with a body over %d bytes dropped", MAX_BODY_BYTES)
            return web.Response(status=200)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            _log.warning("webhook request with a body that is not usable JSON dropped")
            return web.Response(status=200)  # a retry would not make it JSON
        await processor.process(raw)
        return web.Response(status=200)

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_post(path, receive)
    return app
