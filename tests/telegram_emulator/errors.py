"""The error a Bot API method answers with, rendered by the server as Telegram's JSON."""

from typing import Any


class BotApiError(Exception):
    """A refused call: HTTP status, Telegram's description and optional parameters."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """The response body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> BotApiError:
    """A 400 answer with Telegram's description."""
    return BotApiError(400, description)
