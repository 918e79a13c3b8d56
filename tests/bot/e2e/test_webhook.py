"""Webhook mode: Telegram's secret header is required; without it nothing is processed."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp

from bot.telegram.webhook import SECRET_HEADER
from tests.bot.e2e.plans import HEALTH
from tests.bot.e2e.support import Respondent, captured_logs, questionnaire_engine, running_bot
from tests.telegram_emulator import (
    BotApiEmulator,
    RetryPolicy,
    WebhookSecretMode,
)

SECRET = "e2e-webhook-secret-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_conversation_and_refused_deliveries(tmp_path: Path) -> None:
    port = free_port()
    retry = RetryPolicy(first_delay=0.01, max_delay=0.02, max_attempts=2)
    async with (
        await BotApiEmulator.start(webhook_retry=retry) as emulator,
        running_bot(
            emulator,
            tmp_path / "data",
            webhook_url=f"http://127.0.0.1:{port}/telegram",
            webhook_secret=SECRET,
            webhook_listen=f"127.0.0.1:{port}",
        ) as bot,
    ):
        assert emulator.webhook_url == f"http://127.0.0.1:{port}/telegram"
        respondent = Respondent(emulator.user(6_200_001), questionnaire_engine())
        await respondent.start()
        await respondent.complete(HEALTH)
        assert [s.answers for s in await bot.submissions()] == [respondent.given]

        accepted = len(emulator.webhook_deliveries)
        for number, mode in enumerate((WebhookSecretMode.WRONG, WebhookSecretMode.MISSING)):
            emulator.webhook_secret_mode = mode
            stranger = emulator.user(6_200_100 + number)
            await stranger.send_command("/start")
            await emulator.wait_until(
                lambda n=number: (
                    len(emulator.webhook_deliveries)  # type: ignore[misc]
                    == accepted + (n + 1) * retry.max_attempts
                ),
                description="every delivery attempt",
            )
            assert [m.from_bot for m in stranger.screen()] == [False]
        refused = emulator.webhook_deliveries[accepted:]
        assert [d.secret_sent is None for d in refused] == [False, False, True, True]
        assert {d.status for d in refused} == {401}
        assert len(await bot.submissions()) == 1


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


# Authenticated bodies nothing can be read from: each is dropped (200) or refused (400).
UNREADABLE_BODIES = {
    "nested 100 000 deep": _nested(100_000),
    "nested inside an update": b'{"update_id": 9, "message": ' + _nested(50_000) + b"}",
    "parseable nesting in the text": b'{"update_id": 9, "message": {"text": '
    + _nested(900)
    + b', "chat": {"id": 5, "type": "private"}, "from": {"id": 5}}}',
    "a 5 000-digit update id": b'{"update_id": ' + b"7" * 5_000 + b"}",
    "a huge float": b'{"update_id": 1e999999, "message": {"text": "hola"}}',
    "invalid UTF-8": b'{"update_id": 9, "message": {"text": "\xff\xfe hola"}}',
    "lone surrogate": b'{"update_id": 9, "message": {"text": "\\ud800"}}',
    "two megabytes": b'{"update_id": 9, "pad": "' + b"x" * 2_000_000 + b'"}',
    "empty": b"",
    "not an object": b"[1, 2, 3]",
}


async def test_unreadable_bodies_never_get_a_500_and_refusals_are_logged_once_a_minute(
    tmp_path: Path,
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    with captured_logs([SECRET]) as logs:
        async with (
            await BotApiEmulator.start() as emulator,
            running_bot(
                emulator,
                tmp_path / "data",
                webhook_url=url,
                webhook_secret=SECRET,
                webhook_listen=f"127.0.0.1:{port}",
            ) as bot,
            aiohttp.ClientSession() as client,
        ):
            statuses = {}
            for name, body in UNREADABLE_BODIES.items():
                async with client.post(url, data=body, headers={SECRET_HEADER: SECRET}) as answer:
                    statuses[name] = answer.status
            assert {
                name: status in (200, 400) for name, status in statuses.items()
            } == dict.fromkeys(UNREADABLE_BODIES, True), statuses
            assert await bot.submissions() == []

            for number in range(300):
                headers = {SECRET_HEADER: "wrong-secret-0123456789"} if number % 2 else {}
                async with client.post(url, json={"update_id": number}, headers=headers) as answer:
                    assert answer.status == 401

            # The bot still serves respondents after all of it.
            respondent = Respondent(emulator.user(6_200_500), questionnaire_engine())
            await respondent.start()
            await respondent.complete(HEALTH)
            assert [s.answers for s in await bot.submissions()] == [respondent.given]
    refusal_lines = [line for line in logs.getvalue().splitlines() if "refused" in line]
    assert refusal_lines == [
        "webhook requests refused (wrong or missing secret): 1 since the last report, 1 in all"
    ]
    assert "Traceback" not in logs.getvalue()
