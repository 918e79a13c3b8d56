"""The bot's aiogram HTTP session: Bot API calls as one JSON body, and bounded retries.

Only public aiogram API is used: `make_request` (the method a session implements),
`check_response`, `create_session`, `api.api_url`, and the request middleware that retries
(`bot.telegram.retries`). tests/bot/test_aiogram_contract.py fails when an aiogram release
changes what the JSON fast path relies on.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Final, cast

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError, TelegramServerError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp import ClientError, ClientTimeout
from pydantic_core import PydanticSerializationError

from bot.telegram.retries import Retries, RetryPolicy, Sleep

if TYPE_CHECKING:
    from aiogram import Bot

__all__ = ["JsonSession", "RetryPolicy", "RetryingSession", "Sleep", "json_body", "plain_json"]

_JSON_HEADERS: Final = {"Content-Type": "application/json"}
# Calls whose result the bot never reads (bot/telegram/render.py): a successful answer is
# not turned into aiogram objects (validating the edited Message was a sixth of a reply's
# CPU); their result is True, a value each of these methods may return.
_RESULT_UNREAD: Final = frozenset(
    {"answerCallbackQuery", "deleteMessage", "editMessageText", "setMyCommands", "deleteWebhook"}
)
_DONE: Final = Response[bool](ok=True, result=True)
# Every call the bot makes; their parameters are plain JSON values (no dates, no uploads):
# pydantic encodes them in one step, five times faster than aiogram's field-by-field form.
# Each is proven to send what aiogram's form would (tests/bot/test_aiogram_contract.py).
PLAIN_JSON_METHODS: Final = frozenset(
    {
        "answerCallbackQuery",
        "deleteMessage",
        "deleteWebhook",
        "editMessageText",
        "getMe",
        "getUpdates",
        "sendMessage",
        "setMyCommands",
        "setWebhook",
    }
)


# The Bot API answers `{"ok":true,"result":...}`: an answer that opens so is a success, and
# the result of these calls is not read, so the whole body (the edited message and its
# keyboard, ~1 KB) need not be parsed; anything else is parsed as before.
_OK_FIRST: Final = re.compile(r'\{\s*"ok"\s*:\s*true\s*[,}]')


def _says_ok(session: AiohttpSession, content: str) -> bool:
    try:
        answer = session.json_loads(content)
    except ValueError:
        return False
    return isinstance(answer, dict) and answer.get("ok") is True


def _succeeded_unread(session: AiohttpSession, name: str, status: int, content: str) -> bool:
    """A successful call whose result the bot does not read."""
    if name not in _RESULT_UNREAD or not HTTPStatus.OK <= status <= HTTPStatus.IM_USED:
        return False
    return bool(_OK_FIRST.match(content)) or _says_ok(session, content)


def _is_json(content: str) -> bool:
    try:
        json.loads(content)
    except ValueError:
        return False
    return True


def plain_json(method: TelegramMethod[Any]) -> str | None:
    """The call's JSON body, or None when aiogram must prepare it (a value taken from the
    bot's defaults is a placeholder only aiogram resolves; the renderer sets every one)."""
    body = json_body(method)
    return None if body is None else body.decode()


def json_body(method: TelegramMethod[Any]) -> bytes | None:
    """`plain_json` as the UTF-8 bytes sent: pydantic encodes to bytes, and aiohttp would
    only encode a text body again."""
    if method.__api_method__ not in PLAIN_JSON_METHODS:
        return None
    try:
        return method.__pydantic_serializer__.to_json(method, exclude_none=True, warnings=False)
    except PydanticSerializationError:
        return None


class JsonSession(AiohttpSession):
    """`AiohttpSession` sending the bot's calls as one JSON body (`plain_json`), any other
    call as aiogram's form; a 5xx page that is not a Bot API answer is a server error."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # aiogram builds the generic `Response[T]` class anew on every call, a large share
        # of a reply's cost; one per Bot API return type is enough.
        self._response_types: dict[Any, type[Response[Any]]] = {}
        self._timeouts: dict[float, ClientTimeout] = {}

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
        if _succeeded_unread(self, method.__api_method__, status_code, content):
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
        """One call, with a JSON body when `plain_json` can encode it: one encoding of the
        parameters instead of aiogram's form field by field."""
        body = json_body(method)
        # Anything else (a default only aiogram resolves, an upload) goes as aiogram's form.
        data = body if body is not None else self.build_form_data(bot=bot, method=method)
        headers = _JSON_HEADERS if body is not None else None
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        limit = self._timeout(self.timeout if timeout is None else timeout)
        try:
            async with session.post(url, data=data, headers=headers, timeout=limit) as answer:
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

    def _timeout(self, seconds: float) -> ClientTimeout:
        # One per value: the same two or three serve every call.
        limit = self._timeouts.get(seconds)
        if limit is None:
            limit = self._timeouts[seconds] = ClientTimeout(total=seconds)
        return limit


class RetryingSession(JsonSession):
    """`JsonSession` with bounded retries (`bot.telegram.retries.Retries`, registered as
    its first request middleware); the last error is raised when they run out."""

    def __init__(
        self,
        *,
        policy: RetryPolicy | None = None,
        sleep: Sleep | None = None,
        rng: random.Random | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.retries = Retries(
            policy or RetryPolicy(),
            sleep or asyncio.sleep,
            rng or random.Random(),  # noqa: S311 - jitter, not a secret
        )
        self.retries.install(self)

    @property
    def policy(self) -> RetryPolicy:
        return self.retries.policy
