"""Method parameters from any body Telegram accepts, with typed access and Telegram's 400s."""

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from .errors import bad_request

_JSON_TYPES = ("application/json",)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def read_params(request: web.Request) -> "Params":
    """Merge the query string and the body (JSON, urlencoded or multipart) into parameters."""
    raw: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        content_type = request.content_type
        if content_type in _JSON_TYPES:
            try:
                body = await request.json()
            except ValueError as error:
                raise bad_request("Bad Request: can't parse JSON body") from error
            if not isinstance(body, dict):
                raise bad_request("Bad Request: the request body must be a JSON object")
            raw.update(body)
        elif content_type in _FORM_TYPES:
            form = await request.post()
            for key, value in form.items():
                # File parts are kept as their field objects; no method here reads them.
                raw[key] = value
    return Params(raw)


class Params:
    """Typed, Telegram-worded access to one call's parameters (form values arrive as strings)."""

    __slots__ = ("raw",)

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = dict(raw)

    def has(self, name: str) -> bool:
        """Whether the parameter was given with a non-empty value."""
        value = self.raw.get(name)
        return value is not None and value != ""

    def string(self, name: str, default: str | None = None) -> str | None:
        """A string parameter, or the default when absent."""
        value = self.raw.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else str(value)

    def required_string(self, name: str) -> str:
        """A string parameter that must be present and non-empty."""
        value = self.string(name)
        if not value:
            raise bad_request(f"Bad Request: {name} is empty")
        return value

    def integer(self, name: str, default: int | None = None) -> int | None:
        """An integer parameter, or the default when absent."""
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise bad_request(f"Bad Request: invalid {name} specified")
        try:
            return int(value)
        except (TypeError, ValueError) as error:
            raise bad_request(f"Bad Request: invalid {name} specified") from error

    def required_integer(self, name: str) -> int:
        """An integer parameter that must be present."""
        value = self.integer(name)
        if value is None:
            raise bad_request(f"Bad Request: {name} is empty")
        return value

    def boolean(self, name: str) -> bool:
        """A boolean flag: true, "true", "True" or "1" (absent means false)."""
        value = self.raw.get(name)
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            return value.strip().lower() in {"true", "1"}
        return bool(value)

    def json_value(self, name: str) -> Any:
        """A structured parameter, given as JSON in a form field or inline in a JSON body."""
        value = self.raw.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError as error:
                raise bad_request(f"Bad Request: can't parse {name} JSON object") from error
        return value
