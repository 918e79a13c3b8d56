"""Webhook mode: Telegram's secret header is required; without it nothing is processed."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.bot.e2e.plans import HEALTH
from tests.bot.e2e.support import Respondent, questionnaire_engine, running_bot
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
