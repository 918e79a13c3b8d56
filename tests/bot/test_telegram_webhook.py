"""The webhook endpoint: the secret header is required, compared in constant time."""

from __future__ import annotations

import json
import logging

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.settings import SettingsError
from bot.telegram.webhook import (
    SECRET_HEADER,
    RefusalCounter,
    check_webhook_secret,
    secret_matches,
    webhook_app,
    webhook_path,
)

SECRET = "a-webhook-secret-of-enough-length"


class Recorder:
    def __init__(self) -> None:
        self.updates: list[object] = []

    async def process(self, raw: object) -> None:
        self.updates.append(raw)


async def test_only_requests_with_the_secret_are_processed() -> None:
    recorder = Recorder()
    update = {"update_id": 1, "message": {"text": "hola"}}
    async with TestClient(TestServer(webhook_app(recorder, secret=SECRET, path="/tg"))) as client:
        missing = await client.post("/tg", json=update)
        wrong = await client.post("/tg", json=update, headers={SECRET_HEADER: SECRET[:-1] + "X"})
        right = await client.post("/tg", json=update, headers={SECRET_HEADER: SECRET})
        not_json = await client.post("/tg", data=b"{", headers={SECRET_HEADER: SECRET})
    assert (missing.status, wrong.status, right.status, not_json.status) == (401, 401, 200, 200)
    assert recorder.updates == [json.loads(json.dumps(update))]


def test_secret_comparison_and_settings() -> None:
    assert secret_matches(SECRET, SECRET)
    assert not secret_matches(None, SECRET) and not secret_matches("", SECRET)
    assert not secret_matches("ñ" * 3, SECRET)
    assert check_webhook_secret(SECRET) == SECRET
    for bad in (None, "", "short", "has spaces in it, sixteen+"):
        with pytest.raises(SettingsError, match="OCLEP_WEBHOOK_SECRET"):
            check_webhook_secret(bad)
    assert webhook_path("https://bot.example.org/telegram") == "/telegram"
    assert webhook_path("https://bot.example.org") == "/"
    with pytest.raises(SettingsError, match="OCLEP_WEBHOOK_URL"):
        webhook_path("bot.example.org/telegram")


async def test_refused_requests_are_counted_and_logged_at_most_once_a_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [1000.0]
    counter = RefusalCounter(clock=lambda: now[0])
    app = webhook_app(Recorder(), secret=SECRET, path="/tg", refusals=counter)
    with caplog.at_level(logging.WARNING, logger="bot.telegram.webhook"):
        async with TestClient(TestServer(app)) as client:
            for _ in range(150):
                assert (await client.post("/tg", json={"update_id": 1})).status == 401
            now[0] += 59.0
            assert (await client.post("/tg", json={})).status == 401
            now[0] += 1.0
            assert (await client.post("/tg", json={})).status == 401
    lines = [record.getMessage() for record in caplog.records]
    assert lines == [
        "webhook requests refused (wrong or missing secret): 1 since the last report, 1 in all",
        "webhook requests refused (wrong or missing secret): 151 since the last report, 152 in all",
    ]
    assert counter.total == 152
