"""Webhook mode: deliveries with the secret header as configured, retries, 409 on polling."""

import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from tests.telegram_emulator import (
    SECRET_HEADER,
    BotApiEmulator,
    RetryPolicy,
    WebhookSecretMode,
)

from .http import call
from .tiny_bot import connect

SECRET = "s3cret_Token-1"


@dataclass
class Receiver:
    """A stand-in webhook endpoint recording what arrives and answering scripted statuses."""

    url: str = ""
    statuses: list[int] = field(default_factory=list)
    headers: list[str | None] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.headers.append(request.headers.get(SECRET_HEADER))
        self.bodies.append(json.loads(await request.read()))
        status = self.statuses.pop(0) if self.statuses else 200
        return web.Response(status=status)


@asynccontextmanager
async def receiver(statuses: list[int] | None = None) -> AsyncIterator[Receiver]:
    """Serve a Receiver on a random local port for the block."""
    endpoint = Receiver(statuses=list(statuses or []))
    app = web.Application()
    app.router.add_post("/hook", endpoint.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    endpoint.url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    try:
        yield endpoint
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(
    ("mode", "expected_header"),
    [
        (WebhookSecretMode.CORRECT, SECRET),
        (WebhookSecretMode.WRONG, "not-the-configured-secret"),
        (WebhookSecretMode.MISSING, None),
    ],
)
async def test_delivery_carries_the_secret_header_as_configured(
    emulator: BotApiEmulator, mode: WebhookSecretMode, expected_header: str | None
) -> None:
    user = emulator.user(user_id=9001)
    emulator.webhook_secret_mode = mode
    async with receiver() as endpoint, connect(emulator) as bot:
        assert await bot.set_webhook(endpoint.url, secret_token=SECRET)
        await user.send_text("por webhook")
        await emulator.wait_until(lambda: len(endpoint.bodies) == 1, description="a delivery")
        await bot.delete_webhook()
    assert endpoint.headers == [expected_header]
    assert endpoint.bodies[0]["message"]["text"] == "por webhook"
    assert emulator.pending_update_count == 0


async def test_get_updates_conflicts_while_a_webhook_is_set(emulator: BotApiEmulator) -> None:
    async with receiver() as endpoint:
        await call(emulator, "setWebhook", form={"url": endpoint.url})
        status, response = await call(emulator, "getUpdates", form={"timeout": 0})
        assert status == 409
        assert response["description"].startswith("Conflict: can't use getUpdates method")
        _, info = await call(emulator, "getWebhookInfo")
        assert info["result"]["url"] == endpoint.url
        await call(emulator, "deleteWebhook")
    status, _ = await call(emulator, "getUpdates", form={"timeout": 0})
    assert status == 200


async def test_non_2xx_answers_are_retried_until_accepted() -> None:
    emulator = await BotApiEmulator.start(webhook_retry=RetryPolicy(first_delay=0.01))
    try:
        user = emulator.user(user_id=9002)
        async with receiver(statuses=[500, 502]) as endpoint:
            await call(emulator, "setWebhook", json_body={"url": endpoint.url})
            await user.send_text("insistir")
            await emulator.wait_until(lambda: len(endpoint.bodies) == 3)
            await emulator.wait_until(lambda: emulator.pending_update_count == 0)
        assert [d.status for d in emulator.webhook_deliveries] == [500, 502, 200]
        assert [d.attempt for d in emulator.webhook_deliveries] == [1, 2, 3]
    finally:
        await emulator.stop()


async def test_delivery_gives_up_and_reports_the_last_error() -> None:
    emulator = await BotApiEmulator.start(
        webhook_retry=RetryPolicy(first_delay=0.01, max_attempts=3)
    )
    try:
        user = emulator.user(user_id=9003)
        async with receiver(statuses=[401] * 10) as endpoint:
            await call(emulator, "setWebhook", json_body={"url": endpoint.url})
            await user.send_text("rechazado")
            await emulator.wait_until(lambda: emulator.pending_update_count == 0)
            _, info = await call(emulator, "getWebhookInfo")
        assert len(endpoint.bodies) == 3
        assert info["result"]["last_error_message"] == "Wrong response from the webhook: 401"
    finally:
        await emulator.stop()


async def test_removing_the_webhook_returns_pending_updates_to_polling(
    emulator: BotApiEmulator,
) -> None:
    user = emulator.user(user_id=9004)
    await call(emulator, "setWebhook", form={"url": "http://127.0.0.1:9/unreachable"})
    await user.send_text("pendiente")
    await call(emulator, "deleteWebhook")
    _, response = await call(emulator, "getUpdates", form={"timeout": 0})
    assert [u["message"]["text"] for u in response["result"]] == ["pendiente"]
