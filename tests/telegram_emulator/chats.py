"""The chat model: who is in which chat and the messages on each chat's screen."""

from dataclasses import dataclass, field
from typing import Any, Literal

from .activity import ActivitySignal
from .constants import CHAT_NOT_FOUND
from .errors import bad_request

ChatType = Literal["private", "group", "supergroup", "channel"]


@dataclass(frozen=True, slots=True)
class InlineButton:
    """One inline keyboard button as the respondent sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class VisibleMessage:
    """A snapshot of one message in a chat, as a test reads it off the screen."""

    message_id: int
    from_bot: bool
    text: str | None
    date: int
    buttons: tuple[tuple[InlineButton, ...], ...]
    reply_markup: dict[str, Any] | None
    protect_content: bool
    edited: bool
    deleted: bool
    content_kind: str

    @property
    def button_texts(self) -> list[str]:
        """Every inline button's label, row by row."""
        return [button.text for row in self.buttons for button in row]

    @property
    def callback_data(self) -> list[str]:
        """Every inline button's callback data, row by row."""
        return [b.callback_data for row in self.buttons for b in row if b.callback_data is not None]

    def find_button(self, label_or_data: str) -> InlineButton | None:
        """The button whose label or callback data equals the given string."""
        for row in self.buttons:
            for button in row:
                if label_or_data in (button.text, button.callback_data):
                    return button
        return None


def inline_buttons(reply_markup: dict[str, Any] | None) -> tuple[tuple[InlineButton, ...], ...]:
    """The inline keyboard rows of a reply markup (empty for other keyboards)."""
    if not reply_markup:
        return ()
    rows = reply_markup.get("inline_keyboard") or []
    return tuple(
        tuple(
            InlineButton(
                text=str(button.get("text", "")),
                callback_data=button.get("callback_data"),
                url=button.get("url"),
            )
            for button in row
        )
        for row in rows
    )


@dataclass(slots=True)
class StoredMessage:
    """The emulator's live record of one message."""

    message_id: int
    sender: dict[str, Any]
    from_bot: bool
    date: int
    text: str | None
    content: dict[str, Any] = field(default_factory=dict)
    reply_markup: dict[str, Any] | None = None
    protect_content: bool = False
    edit_date: int | None = None
    deleted: bool = False
    content_kind: str = "text"

    def snapshot(self) -> VisibleMessage:
        """An immutable copy for tests."""
        return VisibleMessage(
            message_id=self.message_id,
            from_bot=self.from_bot,
            text=self.text,
            date=self.date,
            buttons=inline_buttons(self.reply_markup),
            reply_markup=self.reply_markup,
            protect_content=self.protect_content,
            edited=self.edit_date is not None,
            deleted=self.deleted,
            content_kind=self.content_kind,
        )


@dataclass(slots=True)
class Chat:
    """One chat: its Telegram JSON, its messages and when the bot last touched it."""

    id: int
    type: ChatType
    json: dict[str, Any]
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    # Sequence numbers from ChatRegistry.bump(), compared by wait_for_reply.
    last_reply_seq: int = 0
    last_activity_seq: int = 0
    # Per-chat wake-ups, so 100 waiting respondents do not all wake on every call.
    signal: ActivitySignal = field(default_factory=ActivitySignal)

    def allocate_message_id(self) -> int:
        """Message ids are per chat and shared by both sides, as in Telegram's private chats."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def add(self, message: StoredMessage) -> None:
        """Put a message on the screen."""
        self.messages[message.message_id] = message
        if message.message_id >= self.next_message_id:
            self.next_message_id = message.message_id + 1

    def visible(self) -> list[VisibleMessage]:
        """Messages not deleted, oldest first."""
        return [m.snapshot() for m in self.messages.values() if not m.deleted]

    def history(self) -> list[VisibleMessage]:
        """Every message ever shown, deleted ones included, oldest first."""
        return [m.snapshot() for m in self.messages.values()]

    def last_bot_message(self, *, with_keyboard: bool = False) -> StoredMessage | None:
        """The newest bot message still on screen, optionally one with an inline keyboard."""
        for message in reversed(self.messages.values()):
            if message.deleted or not message.from_bot:
                continue
            if with_keyboard and not inline_buttons(message.reply_markup):
                continue
            return message
        return None


class ChatRegistry:
    """All chats by id (O(1) lookups) and a counter ordering the bot's actions in them."""

    def __init__(self) -> None:
        self._chats: dict[int, Chat] = {}
        self.seq = 0

    def __contains__(self, chat_id: int) -> bool:
        return chat_id in self._chats

    def get(self, chat_id: int) -> Chat:
        """The chat, or Telegram's 400 "chat not found"."""
        chat = self._chats.get(chat_id)
        if chat is None:
            raise bad_request(CHAT_NOT_FOUND)
        return chat

    def find(self, chat_id: int) -> Chat | None:
        """The chat if the emulator knows it."""
        return self._chats.get(chat_id)

    def ensure(self, chat_json: dict[str, Any]) -> Chat:
        """The chat with this JSON's id, registering it on first sight."""
        chat_id = int(chat_json["id"])
        chat = self._chats.get(chat_id)
        if chat is None:
            chat_type: ChatType = chat_json.get("type", "private")
            chat = Chat(id=chat_id, type=chat_type, json=dict(chat_json))
            self._chats[chat_id] = chat
        return chat

    def bump(self, chat: Chat, *, reply: bool) -> None:
        """Note that the bot acted in a chat; `reply` when the screen changed."""
        self.seq += 1
        chat.last_activity_seq = self.seq
        if reply:
            chat.last_reply_seq = self.seq
        chat.signal.notify()
