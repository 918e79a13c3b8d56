"""Handles a test drives: a respondent in a private chat, a group or a channel."""

import copy
from collections.abc import Callable
from typing import Any, TypeGuard

from .chats import Chat, StoredMessage, VisibleMessage
from .files import StoredFile
from .methods import BotApi, CallbackQueryRecord, message_json

# Update kinds whose payload is a new message that should appear on the chat's screen.
_NEW_MESSAGE_KINDS = ("message", "channel_post")
_ENVELOPE = frozenset({"message_id", "from", "chat", "date", "text", "sender_chat"})
_FIRST_CALLBACK_QUERY_ID = 4_000_000_000_000_000_001


def _content_kind(content: dict[str, Any]) -> str:
    return next(iter(content), "text")


def _activity_after(chat: Chat, seen: int) -> Callable[[], bool]:
    return lambda: chat.last_activity_seq != seen


class ChatHandle:
    """What every driven chat offers: its screen and waiting for the bot's reply."""

    def __init__(self, api: BotApi, chat: Chat) -> None:
        self._api = api
        self.chat = chat
        self._marker = 0

    @property
    def chat_id(self) -> int:
        """The Telegram chat id."""
        return self.chat.id

    def screen(self) -> list[VisibleMessage]:
        """The messages currently visible in the chat, oldest first."""
        return self.chat.visible()

    def history(self) -> list[VisibleMessage]:
        """Every message the chat ever showed, deleted ones included."""
        return self.chat.history()

    def last_bot_message(self) -> VisibleMessage | None:
        """The newest bot message still on screen."""
        message = self.chat.last_bot_message()
        return None if message is None else message.snapshot()

    async def wait_for_reply(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test's deadline, not an I/O timeout
        quiet: float = 0.05,
    ) -> VisibleMessage | None:
        """Wait until the bot changed this chat's screen since the last action, then settled.

        "Settled" means `quiet` seconds without any bot call on this chat, so that a reply
        made of several calls (edit, then delete the typed answer) is complete.
        """
        chat = self.chat
        marker = self._marker
        if not await chat.signal.wait_for(lambda: chat.last_reply_seq > marker, timeout):
            raise AssertionError(f"the bot did not reply within {timeout} s")
        while True:
            if not await chat.signal.wait_for(_activity_after(chat, chat.last_activity_seq), quiet):
                break
        return self.last_bot_message()

    async def wait_for_screen(
        self,
        predicate: Callable[[list[VisibleMessage]], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - the test's deadline
        description: str = "the expected screen",
    ) -> list[VisibleMessage]:
        """Wait until predicate(screen) holds; AssertionError naming `description` otherwise."""
        chat = self.chat
        if not await chat.signal.wait_for(lambda: bool(predicate(chat.visible())), timeout):
            raise AssertionError(f"{description} did not appear within {timeout} s")
        return self.screen()

    def _mark(self) -> None:
        self._marker = self._api.chats.seq

    def _post(
        self, sender: dict[str, Any] | None, kind: str, text: str | None, **content: Any
    ) -> int:
        chat = self.chat
        message = StoredMessage(
            message_id=chat.allocate_message_id(),
            sender=sender or {},
            from_bot=False,
            date=self._api.clock.now(),
            text=text,
            content=content,
            content_kind="text" if text is not None else _content_kind(content),
        )
        chat.add(message)
        body = message_json(chat, message)
        if sender is None:
            body["sender_chat"] = chat.json
        self._mark()
        self._api.enqueue({kind: body})
        return message.message_id


def _photo_size(stored: StoredFile, width: int, height: int) -> dict[str, Any]:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.file_size,
        "width": width,
        "height": height,
    }


def _command_text(command: str, args: str | None) -> str:
    command = command if command.startswith("/") else f"/{command}"
    return command if not args else f"{command} {args}"


def _command_entities(text: str) -> list[dict[str, Any]]:
    return [{"offset": 0, "length": len(text.split(" ", 1)[0]), "type": "bot_command"}]


class SimulatedUser(ChatHandle):
    """A respondent: a Telegram user in a private chat with the bot."""

    def __init__(self, api: BotApi, chat: Chat, profile: dict[str, Any]) -> None:
        super().__init__(api, chat)
        self.profile = profile

    @property
    def user_id(self) -> int:
        """The user's Telegram id (also the private chat's id)."""
        return int(self.profile["id"])

    async def send_text(self, text: str) -> int:
        """Type and send a message; returns its message_id."""
        return self._post(self.profile, "message", text)

    async def send_command(self, command: str, args: str | None = None) -> int:
        """Send a command such as "/start" with optional arguments (a deep-link payload)."""
        text = _command_text(command, args)
        return self._post(self.profile, "message", text, entities=_command_entities(text))

    async def send_content(self, content: dict[str, Any]) -> int:
        """Send a non-text message, e.g. {"sticker": {...}} or {"location": {...}}."""
        return self._post(self.profile, "message", None, **content)

    async def send_photo(self, content: bytes, *, caption: str | None = None) -> int:
        """Send a photo as Telegram delivers it: several sizes, the largest holding `content`
        (Telegram recompresses photos and drops their metadata; a test gives the bytes the
        largest size would have). Returns the message_id."""
        files = self._api.files
        thumbnail = files.add(content[: max(1, len(content) // 10)], "photos", "jpg")
        largest = files.add(content, "photos", "jpg")
        sizes = [
            _photo_size(thumbnail, 90, 67),
            _photo_size(largest, 1280, 960),
        ]
        extra: dict[str, Any] = {} if caption is None else {"caption": caption}
        return self._post(self.profile, "message", None, photo=sizes, **extra)

    async def send_document(
        self,
        content: bytes,
        *,
        file_name: str | None,
        mime_type: str | None,
        caption: str | None = None,
        declared_size: int | None = None,
    ) -> int:
        """Send a file as a document; `declared_size` overrides the size the update states
        (Telegram states it; a test may make it disagree). Returns the message_id."""
        stored = self._api.files.add(content, "documents", (file_name or "bin").rsplit(".")[-1])
        document: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size if declared_size is None else declared_size,
        }
        if file_name is not None:
            document["file_name"] = file_name
        if mime_type is not None:
            document["mime_type"] = mime_type
        extra: dict[str, Any] = {} if caption is None else {"caption": caption}
        return self._post(self.profile, "message", None, document=document, **extra)

    def downloaded(self, message_id: int) -> bool:
        """Whether the bot fetched the bytes of a photo or document this user sent."""
        message = self.chat.messages[message_id]
        files = [*message.content.get("photo", []), message.content.get("document")]
        return any(f and self._api.files.downloaded(f["file_id"]) for f in files)

    async def edit_text(self, message_id: int, text: str) -> None:
        """Edit one of the user's own messages (the bot receives edited_message)."""
        message = self.chat.messages.get(message_id)
        if message is None or message.from_bot:
            raise AssertionError(f"message {message_id} is not one of the user's messages")
        message.text = text
        message.edit_date = self._api.clock.now()
        self._mark()
        self._api.enqueue({"edited_message": message_json(self.chat, message)})

    async def press(self, button: str, *, message_id: int | None = None) -> str:
        """Press an inline button by label or callback data; returns the callback query id.

        Looks on the newest bot message with a keyboard, or on `message_id` (a stale one).
        """
        if message_id is None:
            stored = self.chat.last_bot_message(with_keyboard=True)
            where = "the latest bot message with a keyboard"
        else:
            stored = self.chat.messages.get(message_id)
            where = f"message {message_id}"
        if stored is None or stored.deleted:
            raise AssertionError(f"cannot press {button!r}: there is no {where} on screen")
        snapshot = stored.snapshot()
        found = snapshot.find_button(button)
        if found is None or found.callback_data is None:
            raise AssertionError(
                f"no button {button!r} on {where}; buttons: {snapshot.button_texts!r}"
            )
        return await self.send_callback(found.callback_data, message_id=stored.message_id)

    async def send_callback(self, data: str, *, message_id: int | None = None) -> str:
        """Send callback data as if a button carried it (forged or stale data included)."""
        if message_id is None:
            stored = self.chat.last_bot_message()
        else:
            stored = self.chat.messages.get(message_id)
        if stored is None:
            raise AssertionError("a callback needs a bot message to come from")
        api = self._api
        query_id = str(_FIRST_CALLBACK_QUERY_ID + len(api.callback_queries))
        api.callback_queries[query_id] = CallbackQueryRecord(
            query_id=query_id, chat_id=self.chat.id, message_id=stored.message_id, data=data
        )
        self._mark()
        api.enqueue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.profile,
                    "message": message_json(self.chat, stored),
                    "chat_instance": str(-self.chat.id),
                    "data": data,
                }
            }
        )
        return query_id

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """The bot's answerCallbackQuery for a press, or None if it never answered."""
        record = self._api.callback_queries.get(query_id)
        return None if record is None else record.answer

    async def wait_for_callback_answer(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test's deadline
    ) -> dict[str, Any]:
        """Wait until the bot answered a press (a stale press may change nothing else)."""
        record = self._api.callback_queries.get(query_id)
        if record is None:
            raise AssertionError(f"no callback query {query_id!r} was sent")
        if not await self.chat.signal.wait_for(lambda: record.answer is not None, timeout):
            raise AssertionError(f"the bot did not answer the press within {timeout} s")
        assert record.answer is not None
        return record.answer

    async def send_raw_update(self, update: dict[str, Any]) -> int:
        """Feed a captured Update as if this user sent it; returns the new update_id.

        The ids of the original sender and private chat are rewritten to this user's, so
        the bot's reply lands on this user's screen; names and content stay as captured.
        """
        original = _sender_ids(update)
        retargeted = _retarget(copy.deepcopy(update), original, self.user_id)
        self._mark()
        return inject_raw_update(self._api, retargeted)


class SharedChat(ChatHandle):
    """A group, supergroup or channel the bot is in, for "private chats only" tests."""

    async def send_text(self, text: str, sender: SimulatedUser | None = None) -> int:
        """Post a message: from `sender` in a group, as the channel itself in a channel."""
        return self._post(*self._origin(sender), text)

    async def send_command(
        self, command: str, args: str | None = None, sender: SimulatedUser | None = None
    ) -> int:
        """Post a command in the chat."""
        text = _command_text(command, args)
        return self._post(*self._origin(sender), text, entities=_command_entities(text))

    def _origin(self, sender: SimulatedUser | None) -> tuple[dict[str, Any] | None, str]:
        if self.chat.type == "channel":
            return None, "channel_post"
        if sender is None:
            raise ValueError("a group message needs a sender")
        return sender.profile, "message"


def _sender_ids(update: dict[str, Any]) -> set[int]:
    ids: set[int] = set()
    for key, payload in update.items():
        if key == "update_id" or not isinstance(payload, dict):
            continue
        sender = payload.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            ids.add(sender["id"])
        chat = payload.get("chat") or (payload.get("message") or {}).get("chat")
        if isinstance(chat, dict) and chat.get("type") == "private":
            ids.add(int(chat["id"]))
    return ids


def _retarget(value: Any, old_ids: set[int], new_id: int) -> Any:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "id" and isinstance(item, int) and item in old_ids:
                value[key] = new_id
            else:
                value[key] = _retarget(item, old_ids, new_id)
    elif isinstance(value, list):
        return [_retarget(item, old_ids, new_id) for item in value]
    return value


def _is_chat(value: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict) and isinstance(value.get("id"), int)


def inject_raw_update(api: BotApi, update: dict[str, Any]) -> int:
    """Queue an arbitrary Update: its chats become known and a new message gets an id there."""
    update = {key: copy.deepcopy(value) for key, value in update.items() if key != "update_id"}
    for kind, payload in update.items():
        if not isinstance(payload, dict):
            continue
        inner = payload.get("message")
        if isinstance(inner, dict) and _is_chat(inner.get("chat")):
            api.chats.ensure(inner["chat"])  # e.g. the message a callback query came from
        chat_json = payload.get("chat")
        if not _is_chat(chat_json):
            continue
        chat = api.chats.ensure(chat_json)
        if kind in _NEW_MESSAGE_KINDS:
            # A captured message arrives now, under the chat's next id (its old date would
            # otherwise put it outside the 48 h deletion window at once).
            payload["message_id"] = chat.allocate_message_id()
            payload["date"] = api.clock.now()
            text = payload.get("text")
            extra = {k: v for k, v in payload.items() if k not in _ENVELOPE}
            chat.add(
                StoredMessage(
                    message_id=payload["message_id"],
                    sender=payload.get("from") or {},
                    from_bot=False,
                    date=payload["date"],
                    text=text if isinstance(text, str) else None,
                    content=extra,
                    content_kind="text" if isinstance(text, str) else _content_kind(extra),
                )
            )
    return api.enqueue(update)
