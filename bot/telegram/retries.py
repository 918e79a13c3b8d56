"""Bounded retries of Bot API calls, as an aiogram request middleware: 429s waited out,
network errors and 5xx answers retried with backoff."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiogram.client.session.base import BaseSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    TelegramEntityTooLarge,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

from storage.backoff import Backoff

if TYPE_CHECKING:
    from aiogram import Bot

_log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    """How long and how often a Bot API call is retried.

    Telegram's 429 names the wait (`retry_after`); waiting exactly that long is what it asks
    for, so those retries are counted apart from the backoff on network errors and 5xx.
    Everything is bounded: a call gives up after `max_attempts` failures of either kind, or
    at once when Telegram asks for a wait longer than `max_retry_after` seconds (a flood
    ban: better to fail this reply than to hold the respondent's queue for minutes).
    """

    max_attempts: int = 6
    first_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def backoff(self, failures: int, rng: random.Random) -> float:
        """The wait after the `failures`-th network error or 5xx: exponential, with jitter
        (many bot workers must not retry in lockstep after an outage)."""
        return Backoff(self.first_delay, self.max_delay).jittered(failures, rng)


@dataclass
class Retries(BaseRequestMiddleware):
    """Retries a call until it succeeds or the policy gives up; the last error is raised.

    Retried: `TelegramRetryAfter` (429) after `retry_after`, `TelegramNetworkError`
    (connection errors, timeouts) and `TelegramServerError` (5xx) with exponential backoff.
    Never retried: 4xx answers (they would fail again) and bodies too large to send.
    A retried sendMessage whose first attempt timed out after Telegram stored it may show
    twice; the conversation's exactly-once bookkeeping is in the database, not in the chat.

    Registered on the session (`install`); a `Pacer` installed later puts itself outside
    (bot/telegram/pacing.py), so that a call is paced once and its retries are not.
    """

    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Sleep = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)  # jitter, not a secret

    def install(self, session: BaseSession) -> Retries:
        session.middleware(self)
        return self

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        failures = 0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                failures += 1
                if failures >= self.policy.max_attempts:
                    raise
                if error.retry_after > self.policy.max_retry_after:
                    raise
                delay = float(error.retry_after)
            except TelegramEntityTooLarge:
                raise
            except (TelegramNetworkError, TelegramServerError) as error:
                failures += 1
                if failures >= self.policy.max_attempts:
                    raise
                delay = self.policy.backoff(failures, self.rng)
                _log.info("%s failed (%s); retrying", method.__api_method__, type(error).__name__)
            await self.sleep(delay)
