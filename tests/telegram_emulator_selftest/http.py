"""Raw HTTP calls to the emulator, for checks below what aiogram sends."""

import json
from typing import Any, Literal

import aiohttp

from tests.telegram_emulator import BotApiEmulator

Body = dict[str, Any]
Encoding = Literal["json", "urlencoded", "multipart"]


async def call(
    emulator: BotApiEmulator,
    method: str,
    *,
    json_body: Body | None = None,
    form: Body | None = None,
    multipart: Body | None = None,
    token: str | None = None,
    http_method: str = "POST",
) -> tuple[int, Body]:
    """Call one method with the chosen body encoding; returns (status, decoded response)."""
    url = f"{emulator.api_base}/bot{token or emulator.token}/{method}"
    data: Any = None
    if form is not None:
        data = {key: _text(value) for key, value in form.items()}
    if multipart is not None:
        data = aiohttp.FormData()
        for key, value in multipart.items():
            data.add_field(key, _text(value))
        data.add_field("unused_file", b"\x00\x01", filename="blob.bin")  # forces multipart
    async with (
        aiohttp.ClientSession() as session,
        session.request(http_method, url, json=json_body, data=data) as response,
    ):
        return response.status, json.loads(await response.text())


async def call_encoded(
    emulator: BotApiEmulator, method: str, body: Body, encoding: Encoding
) -> tuple[int, Body]:
    """Call one method with the body sent as JSON, urlencoded form or multipart form."""
    if encoding == "json":
        return await call(emulator, method, json_body=body)
    if encoding == "urlencoded":
        return await call(emulator, method, form=body)
    return await call(emulator, method, multipart=body)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)
