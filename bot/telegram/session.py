"""An aiogram HTTP session that waits out 429s and retries network errors and 5xx answers."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Final, cast

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import (
    TelegramEntityTooLarge,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile
from aiohttp import ClientError, ClientTimeout
from pydantic_core import PydanticSerializationError

if TYPE_CHECKING:
    from aiogram import Bot

_log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

_JSON_HEADERS: Final = {"Content-Type": "application/json"}
# Calls whose result the bot never reads (bot/telegram/render.py): a successful answer is
# not turned into aiogram objects (validating the edited Message was a sixth of a reply's
# CPU); their result is True, a value each of these methods may return.
_RESULT_UNREAD: Final = frozenset(
    {"answerCallbackQuery", "deleteMessage", "editMessageText", "setMyCommands", "deleteWebhook"}
)
_DONE: Final = Response[bool](ok=True, result=True)
# The bot's own calls, whose parameters are plain JSON values (no dates, no uploads):
# pydantic encodes them in one step, five times faster than aiogram's field-by-field way.
_PLAIN_JSON_METHODS: Final = frozenset(
    {"answerCallbackQuery", "deleteMessage", "editMessageText", "sendMessage"}
)


def _is_json(content: str) -> bool:
    try:
        json.loads(content)
    except ValueError:
        return False
    return True


def plain_json(method: TelegramMethod[Any]) -> str | None:
    """The call's JSON body, or None when aiogram must prepare it (a value taken from the
    bot's defaults is a placeholder only aiogram resolves; the renderer sets every one)."""
    if method.__api_method__ not in _PLAIN_JSON_METHODS:
        return None
    try:
        return method.model_dump_json(exclude_none=True, warnings=False)
    except PydanticSerializationError:
        return None


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
        """The wait after the `failures`-th network error or 5xx: exponential, with jitter."""
        ceiling = min(self.first_delay * 2.0 ** (failures - 1), self.max_delay)
        # Full jitter keeps many bot workers from retrying in lockstep after an outage.
        return ceiling / 2 + rng.random() * ceiling / 2


class RetryingSession(AiohttpSession):
    """`AiohttpSession` with bounded retries; the last error is raised when they run out.

    Retried: `TelegramRetryAfter` (429) after `retry_after`, `TelegramNetworkError`
    (connection errors, timeouts) and `TelegramServerError` (5xx) with exponential backoff.
    Never retried: 4xx answers (they would fail again) and bodies too large to send.
    A retried sendMessage whose first attempt timed out after Telegram stored it may show
    twice; the conversation's exactly-once bookkeeping is in the database, not in the chat.
    """

    def __init__(
        self,
        *,
        policy: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
        # aiogram builds the generic `Response[T]` class anew on every call, a large share
        # of a reply's cost; one per Bot API return type is enough.
        self._response_types: dict[Any, type[Response[Any]]] = {}

    def check_response(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        status_code: int,
        content: str,
    ) -> Response[TelegramType]:
        """aiogram's check, with the response class cached; anything but a valid 2xx `ok`
        answer goes to aiogram's own implementation, so errors are classified exactly as
        there."""
        if (
            method.__api_method__ in _RESULT_UNREAD
            and HTTPStatus.OK <= status_code <= HTTPStatus.IM_USED
        ):
            try:
                answer = self.json_loads(content)
            except ValueError:
                answer = None
            if isinstance(answer, dict) and answer.get("ok") is True:
                return cast(Response[TelegramType], _DONE)
        returning = method.__returning__
        response_type = self._response_types.get(returning)
        if response_type is None:
            response_type = Response[returning]  # type: ignore[valid-type]
            self._response_types[returning] = response_type
        try:
            response = response_type.model_validate(self.json_loads(content), context={"bot": bot})
        except Exception:  # aiogram's own check below raises the right error
            return super().check_response(bot, method, status_code, content)
        if HTTPStatus.OK <= status_code <= HTTPStatus.IM_USED and response.ok:
            return response
        return super().check_response(bot, method, status_code, content)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        failures = 0
        while True:
            try:
                return await self._attempt(bot, method, timeout)
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
                delay = self.policy.backoff(failures, self._rng)
                _log.info("%s failed (%s); retrying", method.__api_method__, type(error).__name__)
            await self._sleep(delay)

    async def _attempt(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        """One call with a JSON body (the Bot API takes one): a single encoding of the
        parameters instead of aiogram's form field by field. Uploads, which the bot never
        sends, would go as aiogram sends them."""
        body = plain_json(method)
        if body is None:
            files: dict[str, InputFile] = {}
            parameters = self.prepare_value(
                method.model_dump(warnings=False), bot=bot, files=files, _dumps_json=False
            )
            if files:
                return await super().make_request(bot, method, timeout)
            body = self.json_dumps(parameters)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        limit = ClientTimeout(total=self.timeout if timeout is None else timeout)
        try:
            async with session.post(url, data=body, headers=_JSON_HEADERS, timeout=limit) as answer:
                content = await answer.text()
        except TimeoutError as error:
            raise TelegramNetworkError(method=method, message="Request timeout error") from error
        except ClientError as error:
            raise TelegramNetworkError(
                method=method, message=f"{type(error).__name__}: {error}"
            ) from error
        if answer.status >= HTTPStatus.INTERNAL_SERVER_ERROR and not _is_json(content):
            # A proxy in front of the Bot API answered with its own error page: a server
            # error all the same, to be retried (aiogram would call it undecodable).
            raise TelegramServerError(
                method=method, message=f"HTTP {answer.status} without a Bot API answer"
            )
        response = self.check_response(bot, method, answer.status, content)
        return cast(TelegramType, response.result)
