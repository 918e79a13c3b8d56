"""Health over HTTP: /healthz (webhook mode, and the metrics listener) and the opt-in
Prometheus endpoint /metrics; and the session that feeds the counters.

/metrics carries totals only, with no label that could identify anyone: updates, replies,
errors, 429s, submissions completed. Serve it on a loopback address (OCLEP_METRICS_LISTEN).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp import web

from bot.health import Health
from bot.telegram.session import RetryingSession
from bot.telegram.webhook import UpdateSink

if TYPE_CHECKING:
    from aiogram import Bot

HEALTH_PATH: Final = "/healthz"
METRICS_PATH: Final = "/metrics"
TOO_MANY_REQUESTS: Final = 429
# Calls that put something in front of a respondent.
REPLY_METHODS: Final = frozenset({"sendMessage", "editMessageText", "answerCallbackQuery"})


class CountingSession(RetryingSession):
    """The retrying session, telling `health` of every fetch, reply and 429 it sees."""

    def __init__(self, health: Health | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.health = health

    def check_response(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        status_code: int,
        content: str,
    ) -> Response[TelegramType]:
        health = self.health
        if health is not None and status_code == TOO_MANY_REQUESTS:
            health.counters.rate_limited += 1
        response = super().check_response(bot, method, status_code, content)
        if health is not None and response.ok:
            name = method.__api_method__
            if name == "getUpdates":
                result = response.result
                health.fetched(len(result) if isinstance(result, list) else 0)
            elif name in REPLY_METHODS:
                health.counters.replies += 1
        return response


class CountingSink:
    """Hands webhook updates on to the processor, counting them."""

    def __init__(self, inner: UpdateSink, health: Health) -> None:
        self._inner = inner
        self._health = health

    async def process(self, raw: object) -> None:
        self._health.received()
        await self._inner.process(raw)


def add_health_routes(app: web.Application, health: Health, *, metrics: bool) -> None:
    """GET /healthz on `app`, and GET /metrics when `metrics` is on."""

    async def healthz(_request: web.Request) -> web.Response:
        report = await health.check()
        body = {
            "status": "ok" if report.healthy else "failing",
            "problems": list(report.problems),
            "last_update_seconds_ago": (
                None
                if report.last_update_seconds_ago is None
                else round(report.last_update_seconds_ago, 1)
            ),
        }
        return web.json_response(body, status=200 if report.healthy else 503, dumps=json.dumps)

    app.router.add_get(HEALTH_PATH, healthz)
    if metrics:

        async def prometheus(_request: web.Request) -> web.Response:
            return web.Response(text=await metrics_text(health), content_type="text/plain")

        app.router.add_get(METRICS_PATH, prometheus)


async def metrics_text(health: Health) -> str:
    """The counters in Prometheus' text format (version 0.0.4)."""
    counters = health.counters
    report = await health.check()
    try:
        completed: int | None = await health.submissions_completed()
    except Exception:  # the database is down: say so through oclep_up, keep the rest
        completed = None
    lines: list[str] = []

    def metric(name: str, kind: str, about: str, value: float | None) -> None:
        if value is None:
            return
        lines.extend([f"# HELP {name} {about}", f"# TYPE {name} {kind}", f"{name} {value:g}"])

    metric("oclep_up", "gauge", "1 when the health check passes.", int(report.healthy))
    metric("oclep_updates_total", "counter", "Updates received.", counters.updates)
    metric("oclep_replies_total", "counter", "Replies sent or edited.", counters.replies)
    metric("oclep_errors_total", "counter", "Errors logged by the bot.", counters.errors)
    metric(
        "oclep_rate_limited_total",
        "counter",
        "429 answers from the Bot API.",
        counters.rate_limited,
    )
    metric(
        "oclep_submissions_completed",
        "gauge",
        "Complete submissions held in the database.",
        completed,
    )
    return "\n".join(lines) + "\n"
