"""The log of every Bot API call the bot made, for assertions after a run."""

import contextlib
import json
from dataclasses import dataclass
from typing import Any

# Parameters that arrive as JSON text in form bodies; decoded once so tests compare values.
_STRUCTURED = frozenset(
    {
        "reply_markup",
        "entities",
        "link_preview_options",
        "reply_parameters",
        "allowed_updates",
        "commands",
        "scope",
        "message_ids",
    }
)
_FLAGS = frozenset(
    {
        "protect_content",
        "disable_notification",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "show_alert",
        "drop_pending_updates",
    }
)


def normalize_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Decode JSON-in-form fields and "true"/"false" flags so every body type logs alike."""
    params: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, str):
            if name in _STRUCTURED and value:
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            elif name in _FLAGS:
                value = value.strip().lower() in {"true", "1"}
        params[name] = value
    return params


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One request the bot made: what it asked and how the emulator answered."""

    seq: int
    method: str
    params: dict[str, Any]
    status: int
    description: str | None
    result: Any
    fault: str | None
    content_type: str = ""  # of the request body ("" without one): how the bot encoded it

    @property
    def applied(self) -> bool:
        """Whether the call succeeded and so took effect."""
        return self.status == 200

    @property
    def chat_id(self) -> int | None:
        """The chat the call addressed, when it named one."""
        value = self.params.get("chat_id")
        try:
            return None if value is None else int(value)
        except (TypeError, ValueError):
            return None
