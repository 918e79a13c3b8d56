"""The Bot API methods the emulator implements, acting on the chat model and the queue."""

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from . import constants as tg
from .chats import Chat, ChatRegistry, StoredMessage
from .clock import EmulatorClock
from .errors import BotApiError, bad_request
from .faults import Faults
from .files import FileStore
from .params import Params
from .updates import UpdateQueue
from .webhook import DEFAULT_MAX_CONNECTIONS, WebhookDeliverer

Method = Callable[[Params], Awaitable[Any]]

_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_DEFAULT_SCOPE: dict[str, Any] = {"type": "default"}


@dataclass(slots=True)
class CallbackQueryRecord:
    """A button press sent to the bot and, once answered, the bot's answer."""

    query_id: str
    chat_id: int
    message_id: int
    data: str | None
    answer: dict[str, Any] | None = None


@dataclass(slots=True)
class BotProfile:
    """The emulated bot's own identity (what getMe returns)."""

    user_id: int
    first_name: str
    username: str

    def json(self) -> dict[str, Any]:
        """The bot as a Telegram User object."""
        return {
            "id": self.user_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }


@dataclass
class CommandStore:
    """Command lists per (scope, language), as setMyCommands leaves them."""

    lists: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)

    @staticmethod
    def key(scope: dict[str, Any] | None, language_code: str) -> tuple[str, str]:
        """A stable key for one scope and language ("" is every language)."""
        return json.dumps(scope or _DEFAULT_SCOPE, sort_keys=True), language_code

    def get(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """The commands registered for exactly this scope and language."""
        return list(self.lists.get(self.key(scope, language_code), []))


def message_json(chat: Chat, message: StoredMessage) -> dict[str, Any]:
    """A Telegram Message object for a stored message."""
    body: dict[str, Any] = {"message_id": message.message_id}
    if message.sender:
        body["from"] = message.sender
    body["chat"] = chat.json
    body["date"] = message.date
    if message.text is not None:
        body["text"] = message.text
    body.update(message.content)
    if message.edit_date is not None:
        body["edit_date"] = message.edit_date
    if message.protect_content:
        body["has_protected_content"] = True
    if message.reply_markup and "inline_keyboard" in message.reply_markup:
        body["reply_markup"] = message.reply_markup
    return body


def _clean_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict) or not button.get("text"):
        raise bad_request(tg.REPLY_MARKUP_INVALID)
    cleaned = {key: value for key, value in button.items() if value is not None}
    data = cleaned.get("callback_data")
    if data is not None:
        size = len(str(data).encode("utf-8"))
        if not 1 <= size <= tg.MAX_CALLBACK_DATA_BYTES:
            raise bad_request(tg.BUTTON_DATA_INVALID)
    return cleaned


def parse_reply_markup(value: Any) -> dict[str, Any] | None:
    """Validate a reply markup; an empty inline keyboard counts as none, as in Telegram."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request(tg.REPLY_MARKUP_INVALID)
    if "inline_keyboard" not in value:
        return value
    rows = value["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(tg.REPLY_MARKUP_INVALID)
    keyboard = [[_clean_button(button) for button in row] for row in rows if row]
    return {"inline_keyboard": keyboard} if keyboard else None


class BotApi:
    """One bot's view of Telegram: every implemented method by its (case-insensitive) name."""

    def __init__(
        self,
        token: str,
        profile: BotProfile,
        chats: ChatRegistry,
        queue: UpdateQueue,
        clock: EmulatorClock,
        webhook: WebhookDeliverer,
        faults: Faults,
    ) -> None:
        self.token = token
        self.profile = profile
        self.chats = chats
        self.queue = queue
        self.clock = clock
        self.webhook = webhook
        self.faults = faults
        self.commands = CommandStore()
        self.descriptions: dict[tuple[str, str], str] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.files = FileStore()
        self.methods: dict[str, Method] = {
            "getme": self.get_me,
            "getupdates": self.get_updates,
            "sendmessage": self.send_message,
            "editmessagetext": self.edit_message_text,
            "editmessagereplymarkup": self.edit_message_reply_markup,
            "answercallbackquery": self.answer_callback_query,
            "deletemessage": self.delete_message,
            "deletemessages": self.delete_messages,
            "setwebhook": self.set_webhook,
            "deletewebhook": self.delete_webhook,
            "getwebhookinfo": self.get_webhook_info,
            "setmycommands": self.set_my_commands,
            "getmycommands": self.get_my_commands,
            "deletemycommands": self.delete_my_commands,
            "setmydescription": self.set_my_description,
            "setmyshortdescription": self.set_my_short_description,
            "sendchataction": self.send_chat_action,
            "getfile": self.get_file,
        }

    # Updates from the emulated users -------------------------------------------------

    def enqueue(self, update: dict[str, Any]) -> int:
        """Give the update the next id and queue it (twice if a duplicate fault fires)."""
        update["update_id"] = self.queue.next_update_id()
        self.queue.put(update, copies=self.faults.copies_of_update())
        return int(update["update_id"])

    # Identity and updates -------------------------------------------------------------

    async def get_me(self, params: Params) -> Any:
        return {
            **self.profile.json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def get_updates(self, params: Params) -> Any:
        if self.webhook.url is not None:
            raise BotApiError(409, tg.WEBHOOK_ACTIVE)
        if params.has("allowed_updates"):
            self.queue.set_allowed(params.json_value("allowed_updates"))
        limit = params.integer("limit", tg.MAX_UPDATES_PER_CALL) or tg.MAX_UPDATES_PER_CALL
        limit = max(1, min(limit, tg.MAX_UPDATES_PER_CALL))
        timeout = max(0, params.integer("timeout", 0) or 0)
        return await self.queue.poll(params.integer("offset"), limit, float(timeout))

    # Files --------------------------------------------------------------------------

    async def get_file(self, params: Params) -> Any:
        stored = self.files.by_id.get(params.string("file_id") or "")
        if stored is None:
            raise bad_request(tg.FILE_ID_INVALID)
        if stored.file_size > tg.MAX_BOT_DOWNLOAD_BYTES:
            raise bad_request(tg.FILE_TOO_BIG)
        return stored.json()

    # Messages -----------------------------------------------------------------------

    async def send_message(self, params: Params) -> Any:
        chat = self.chats.get(params.required_integer("chat_id"))
        text = params.string("text") or ""
        if not text.strip():
            raise bad_request(tg.TEXT_EMPTY)
        if len(text) > tg.MAX_MESSAGE_TEXT_LENGTH:
            raise bad_request(tg.SEND_TOO_LONG)
        reply_markup = parse_reply_markup(params.json_value("reply_markup"))
        message = StoredMessage(
            message_id=chat.allocate_message_id(),
            sender=self.profile.json(),
            from_bot=True,
            date=self.clock.now(),
            text=text,
            reply_markup=reply_markup,
            protect_content=params.boolean("protect_content"),
        )
        chat.add(message)
        self.chats.bump(chat, reply=True)
        return message_json(chat, message)

    def _bot_message(self, params: Params) -> tuple[Chat, StoredMessage]:
        if params.has("inline_message_id"):
            raise bad_request(tg.EDIT_NOT_FOUND)  # inline mode is outside this bot's scope
        chat = self.chats.get(params.required_integer("chat_id"))
        message = chat.messages.get(params.required_integer("message_id"))
        if message is None or message.deleted:
            raise bad_request(tg.EDIT_NOT_FOUND)
        if not message.from_bot:
            raise bad_request(tg.CANT_BE_EDITED)
        return chat, message

    async def edit_message_text(self, params: Params) -> Any:
        chat, message = self._bot_message(params)
        text = params.string("text") or ""
        if not text.strip():
            raise bad_request(tg.TEXT_EMPTY)
        if len(text) > tg.MAX_MESSAGE_TEXT_LENGTH:
            raise bad_request(tg.EDIT_TOO_LONG)
        # Telegram drops the inline keyboard when an edit does not repeat it.
        reply_markup = parse_reply_markup(params.json_value("reply_markup"))
        if text == message.text and reply_markup == message.reply_markup:
            raise bad_request(tg.NOT_MODIFIED)
        message.text = text
        message.reply_markup = reply_markup
        message.edit_date = self.clock.now()
        self.chats.bump(chat, reply=True)
        return message_json(chat, message)

    async def edit_message_reply_markup(self, params: Params) -> Any:
        chat, message = self._bot_message(params)
        reply_markup = parse_reply_markup(params.json_value("reply_markup"))
        if reply_markup == message.reply_markup:
            raise bad_request(tg.NOT_MODIFIED)
        message.reply_markup = reply_markup
        self.chats.bump(chat, reply=True)
        return message_json(chat, message)

    def _delete(self, chat: Chat, message_id: int) -> None:
        message = chat.messages.get(message_id)
        if message is None or message.deleted:
            raise bad_request(tg.DELETE_NOT_FOUND)
        if self.clock.now() - message.date > tg.DELETE_WINDOW_SECONDS:
            raise bad_request(tg.CANT_BE_DELETED)
        message.deleted = True

    async def delete_message(self, params: Params) -> Any:
        chat = self.chats.get(params.required_integer("chat_id"))
        self._delete(chat, params.required_integer("message_id"))
        self.chats.bump(chat, reply=True)
        return True

    async def delete_messages(self, params: Params) -> Any:
        chat = self.chats.get(params.required_integer("chat_id"))
        message_ids = params.json_value("message_ids")
        if not isinstance(message_ids, list) or not message_ids:
            raise bad_request(tg.MESSAGE_IDS_EMPTY)
        if len(message_ids) > tg.MAX_DELETE_MESSAGES:
            raise bad_request(tg.TOO_MANY_MESSAGE_IDS)
        for message_id in message_ids:
            try:
                self._delete(chat, int(message_id))
            except (BotApiError, TypeError, ValueError):
                continue  # Telegram skips messages it cannot delete
        self.chats.bump(chat, reply=True)
        return True

    async def answer_callback_query(self, params: Params) -> Any:
        record = self.callback_queries.get(params.required_string("callback_query_id"))
        if record is None or record.answer is not None:
            raise bad_request(tg.QUERY_INVALID)
        text = params.string("text")
        if text is not None and len(text) > tg.MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request(tg.CALLBACK_ANSWER_TOO_LONG)
        record.answer = {
            "text": text,
            "show_alert": params.boolean("show_alert"),
            "url": params.string("url"),
        }
        chat = self.chats.find(record.chat_id)
        if chat is not None:
            self.chats.bump(chat, reply=False)
        return True

    async def send_chat_action(self, params: Params) -> Any:
        chat = self.chats.get(params.required_integer("chat_id"))
        if params.string("action") not in tg.CHAT_ACTIONS:
            raise bad_request(tg.ACTION_INVALID)
        self.chats.bump(chat, reply=False)
        return True

    # Webhook ------------------------------------------------------------------------

    async def set_webhook(self, params: Params) -> Any:
        url = params.string("url") or ""
        if not url:
            return await self.delete_webhook(params)
        if urlsplit(url).scheme not in {"http", "https"}:
            raise bad_request(tg.WEBHOOK_URL_INVALID)
        secret = params.string("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
            raise bad_request("Bad Request: secret token contains unallowed characters")
        max_connections = params.integer("max_connections", DEFAULT_MAX_CONNECTIONS)
        max_connections = max(1, min(max_connections or DEFAULT_MAX_CONNECTIONS, 100))
        if params.boolean("drop_pending_updates"):
            self.queue.clear()
        if params.has("allowed_updates"):
            self.queue.set_allowed(params.json_value("allowed_updates"))
        await self.webhook.set(url, secret, max_connections)
        return True

    async def delete_webhook(self, params: Params) -> Any:
        await self.webhook.remove()
        if params.boolean("drop_pending_updates"):
            self.queue.clear()
        return True

    async def get_webhook_info(self, params: Params) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook.url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.queue),
        }
        if self.webhook.url is not None:
            info["max_connections"] = self.webhook.max_connections
        if self.queue.allowed_updates is not None:
            info["allowed_updates"] = sorted(self.queue.allowed_updates)
        if self.webhook.last_error_date is not None:
            info["last_error_date"] = self.webhook.last_error_date
            info["last_error_message"] = self.webhook.last_error_message
        return info

    # Commands and descriptions ------------------------------------------------------

    def _scope_and_language(self, params: Params) -> tuple[str, str]:
        scope = params.json_value("scope")
        if scope is not None and not isinstance(scope, dict):
            raise bad_request("Bad Request: can't parse BotCommandScope JSON object")
        return self.commands.key(scope, params.string("language_code") or "")

    async def set_my_commands(self, params: Params) -> Any:
        commands = params.json_value("commands")
        if not isinstance(commands, list) or len(commands) > tg.MAX_BOT_COMMANDS:
            raise bad_request("Bad Request: can't parse commands JSON object")
        stored: list[dict[str, str]] = []
        for entry in commands:
            if not isinstance(entry, dict):
                raise bad_request(tg.COMMAND_INVALID)
            name = str(entry.get("command", "")).lower().lstrip("/")
            description = str(entry.get("description", ""))
            if not _COMMAND_NAME.fullmatch(name):
                raise bad_request(tg.COMMAND_INVALID)
            if not 1 <= len(description) <= 256:
                raise bad_request(tg.COMMAND_DESCRIPTION_INVALID)
            stored.append({"command": name, "description": description})
        key = self._scope_and_language(params)
        if stored:
            self.commands.lists[key] = stored
        else:
            self.commands.lists.pop(key, None)
        return True

    async def get_my_commands(self, params: Params) -> Any:
        return list(self.commands.lists.get(self._scope_and_language(params), []))

    async def delete_my_commands(self, params: Params) -> Any:
        self.commands.lists.pop(self._scope_and_language(params), None)
        return True

    async def set_my_description(self, params: Params) -> Any:
        language = params.string("language_code") or ""
        self.descriptions[("description", language)] = params.string("description") or ""
        return True

    async def set_my_short_description(self, params: Params) -> Any:
        language = params.string("language_code") or ""
        text = params.string("short_description") or ""
        self.descriptions[("short_description", language)] = text
        return True
