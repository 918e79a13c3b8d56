"""Raw Bot API updates mapped to conversation events, or to what the channel does instead.

The mapping reads the update's JSON as Telegram sent it, not aiogram's pydantic models: one
malformed or unexpected update (a field from a newer API, a missing `is_bot`) must not stop
the bot, and strict validation rejects a third of the real updates captured in the wild.
Every field is checked for its type before use; nothing here raises on any input.

Only private chats reach the conversation. A respondent's identity leaves this module in
`Respondent` (turned into pseudonyms by the conversation) and as the chat to answer in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeAlias, TypeGuard

from bot.commands import CommandName, command_named
from bot.events import Attachment, ButtonPress, Command, Event, Respondent, Start, Text

# The update kinds the bot asks Telegram for (getUpdates / setWebhook `allowed_updates`):
# fewer kinds, less data about people reaching the server.
ALLOWED_UPDATES: Final = ("message", "edited_message", "callback_query")
KNOWN_KINDS: Final = frozenset(
    {
        *ALLOWED_UPDATES,
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
# Message contents a respondent may send that are not answers: the bot asks for buttons or
# text instead and stores none of them (a photo or a location can identify a person).
# Photos and documents are files given as evidence (FILE_CONTENT): the conversation takes
# them on an attachments question and refuses them elsewhere.
NON_ANSWER_CONTENT: Final = frozenset(
    {
        "animation",
        "audio",
        "contact",
        "dice",
        "game",
        "giveaway",
        "invoice",
        "location",
        "paid_media",
        "poll",
        "sticker",
        "story",
        "venue",
        "video",
        "video_note",
        "voice",
        "checklist",
    }
)
FILE_CONTENT: Final = ("photo", "document")
# A forwarded message carries someone else's words and often their identity: never an answer.
FORWARD_MARKERS: Final = frozenset(
    {"forward_origin", "forward_from", "forward_from_chat", "forward_date", "forward_sender_name"}
)
_SHARED_CHAT_TYPES: Final = frozenset({"group", "supergroup", "channel"})
_COMMAND: Final = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+(.*))?", re.S)


@dataclass(frozen=True)
class BotIdentity:
    """What the bot knows about itself (getMe): to notice mentions and being added to groups."""

    user_id: int
    username: str | None


@dataclass(frozen=True)
class ForConversation:
    """An event of a respondent in their private chat with the bot."""

    update_id: int
    chat_id: int = field(repr=False)
    respondent: Respondent
    event: Event
    callback_query_id: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class PrivateChatsOnly:
    """A group or channel addressed the bot: explain once, store nothing."""

    chat_id: int = field(repr=False)
    thread_id: int | None = field(default=None, repr=False)
    language_code: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class NotAnAnswer:
    """A photo, voice note, location, forward... in the private chat: hint, keep none.

    The conversation decides whether the message is deleted (discreet mode).
    """

    chat_id: int = field(repr=False)
    message_id: int | None
    language_code: str | None = field(default=None, repr=False)

    @property
    def respondent(self) -> Respondent:
        """The sender: in a private chat the chat id is the user's id."""
        return Respondent(user_id=self.chat_id, language_code=self.language_code)


@dataclass(frozen=True)
class EditIgnored:
    """The respondent edited a message: answers do not change (said once per respondent)."""

    chat_id: int = field(repr=False)
    language_code: str | None = field(default=None, repr=False)

    @property
    def respondent(self) -> Respondent:
        """The sender: in a private chat the chat id is the user's id."""
        return Respondent(user_id=self.chat_id, language_code=self.language_code)


@dataclass(frozen=True)
class UnusableCallback:
    """A button press the conversation cannot use; it is still answered to stop the spinner."""

    callback_query_id: str = field(repr=False)


@dataclass(frozen=True)
class Ignored:
    """Nothing to do: a kind the bot does not handle, a service message, a malformed update."""

    reason: str


Inbound: TypeAlias = (
    ForConversation | PrivateChatsOnly | NotAnAnswer | EditIgnored | UnusableCallback | Ignored
)


def update_kind(raw: object) -> str:
    """The update's kind for logs: a known kind name, "unknown", or "malformed"."""
    if not isinstance(raw, Mapping):
        return "malformed"
    kinds = [key for key in raw if key in KNOWN_KINDS]
    if len(kinds) > 1:
        return "malformed"
    return kinds[0] if kinds else "unknown"


def update_id_of(raw: object) -> int | None:
    """The update's id, if it has a usable one."""
    if not isinstance(raw, Mapping):
        return None
    value = raw.get("update_id")
    return value if _is_int(value) else None


def map_update(raw: object, bot: BotIdentity, *, kind: str | None = None) -> Inbound:
    """What to do with one update as Telegram sent it (a parsed JSON value); `kind`, when
    the caller has it already, is `update_kind(raw)`."""
    update_id = update_id_of(raw)
    if update_id is None or not isinstance(raw, Mapping):
        return Ignored("malformed")
    kind = update_kind(raw) if kind is None else kind
    payload = raw.get(kind)
    if kind in ("malformed", "unknown") or not isinstance(payload, Mapping):
        return Ignored(kind)
    return _of_kind(kind, update_id, payload, bot)


def _of_kind(kind: str, update_id: int, payload: Mapping[str, Any], bot: BotIdentity) -> Inbound:
    if kind == "message":
        return _message(update_id, payload, bot)
    if kind == "edited_message":
        sender = _private_sender(payload)
        return Ignored("edit outside a private chat") if sender is None else EditIgnored(*sender)
    if kind == "callback_query":
        return _callback(update_id, payload)
    if kind == "channel_post":
        return _shared_chat_message(payload, bot)
    return Ignored(kind)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _private_sender(message: Mapping[str, Any]) -> tuple[int, str | None] | None:
    """(chat id, language code) when the message is from a person in their private chat.

    In a private chat the chat id is the user's id; a chat without a type but with that
    property is private too (minimal updates in some documentation omit the type).
    """
    chat = message.get("chat")
    if not isinstance(chat, Mapping) or not _is_int(chat.get("id")) or chat["id"] <= 0:
        return None
    chat_id: int = chat["id"]
    sender = _own_sender(message.get("from"), chat_id)
    if sender is None or not _is_private(chat.get("type"), sender.get("id") == chat_id):
        return None
    return chat_id, _text(sender.get("language_code"))


def _own_sender(sender: object, chat_id: int) -> Mapping[str, Any] | None:
    """The sender's fields ({} when the message has none); None when they name someone
    other than the chat's own person, or a bot."""
    if sender is None:
        return {}
    if not isinstance(sender, Mapping):
        return None
    if sender and (not _is_int(sender.get("id")) or sender.get("id") != chat_id):
        return None
    return None if sender.get("is_bot") is True else sender


def _is_private(chat_type: object, sender_is_chat: bool) -> bool:
    return chat_type == "private" or (chat_type is None and sender_is_chat)


def _message(update_id: int, message: Mapping[str, Any], bot: BotIdentity) -> Inbound:
    sender = _private_sender(message)
    if sender is None:
        return _shared_chat_message(message, bot)
    chat_id, language_code = sender
    # Without a message id the bot can still answer, but cannot delete the message.
    raw_id = message.get("message_id")
    message_id = raw_id if _is_int(raw_id) and raw_id > 0 else None
    event = _private_event(message, message_id)
    if event is None:
        return NotAnAnswer(chat_id, message_id, language_code)
    if isinstance(event, Ignored):
        return event
    respondent = Respondent(user_id=chat_id, language_code=language_code)
    return ForConversation(update_id, chat_id, respondent, event)


def _private_event(message: Mapping[str, Any], message_id: int | None) -> Event | Ignored | None:
    """The respondent's event; None for a message that is not an answer (a forward, a
    sticker, a malformed file...), `Ignored` for a service message."""
    if _not_an_answer(message):
        return None
    file = _file_event(message, message_id)
    if file is not None:
        return None if file is False else file
    text = _text(message.get("text"))
    if text is None or not text.strip():
        return Ignored("service message")
    return _text_event(text, message_id)


def _not_an_answer(message: Mapping[str, Any]) -> bool:
    return (
        any(key in message for key in FORWARD_MARKERS)
        or any(key in message for key in NON_ANSWER_CONTENT)
        or "via_bot" in message
    )


def _file_event(
    message: Mapping[str, Any], message_id: int | None
) -> Attachment | Literal[False] | None:
    """A photo or document as an `Attachment` (its bytes bound later by the processor);
    None for a message with neither; False for one that has them malformed or with other
    content besides (a photo with a sticker is not evidence the bot can read)."""
    present = [key for key in FILE_CONTENT if key in message]
    if not present:
        return None
    if len(present) > 1:
        return False
    if present == ["photo"]:
        return _photo(message["photo"], message_id)
    return _document(message["document"], message_id)


def _photo(sizes: object, message_id: int | None) -> Attachment | Literal[False]:
    if not isinstance(sizes, list):
        return False
    usable = [s for s in sizes if isinstance(s, Mapping) and _text(s.get("file_id"))]
    if not usable:
        return False
    # The largest size is the picture; the others are thumbnails Telegram made.
    largest = max(usable, key=lambda s: _size_of(s.get("width")) * _size_of(s.get("height")))
    return Attachment(
        kind="photo",
        media_type=None,
        declared_size=_declared(largest.get("file_size")),
        source=largest["file_id"],
        message_ref=message_id,
    )


def _document(document: object, message_id: int | None) -> Attachment | Literal[False]:
    if not isinstance(document, Mapping) or not _text(document.get("file_id")):
        return False
    return Attachment(
        kind="document",
        media_type=_text(document.get("mime_type")),
        declared_size=_declared(document.get("file_size")),
        name=_text(document.get("file_name")),
        source=document["file_id"],
        message_ref=message_id,
    )


def _size_of(value: object) -> int:
    return value if _is_int(value) and value > 0 else 0


def _declared(value: object) -> int | None:
    return value if _is_int(value) and value >= 0 else None


def _text_event(text: str, message_id: int | None) -> Event:
    command = _COMMAND.fullmatch(text.strip())
    if command is None:
        return Text(text, message_ref=message_id)
    name, args = command[1], (command[3] or "").strip()
    if command_named(name) is CommandName.START:
        return Start(campaign=args or None, message_ref=message_id)
    return Command(name=name.lower(), args=args, message_ref=message_id)


def _callback(update_id: int, query: Mapping[str, Any]) -> Inbound:
    query_id = _text(query.get("id"))
    if not query_id:
        return Ignored("callback without id")
    data = _text(query.get("data"))
    origin = _press_origin(query)
    if origin is None or not data:
        return UnusableCallback(query_id)
    respondent, message_id = origin
    event = ButtonPress(token=data, message_ref=message_id)
    chat_id = respondent.user_id
    return ForConversation(update_id, chat_id, respondent, event, callback_query_id=query_id)


def _press_origin(query: Mapping[str, Any]) -> tuple[Respondent, int] | None:
    """Who pressed, and on which message: a person, in their private chat with the bot."""
    message = query.get("message")
    sender = query.get("from")
    if not isinstance(message, Mapping) or not isinstance(sender, Mapping):
        return None
    chat = message.get("chat")
    message_id = message.get("message_id")
    sender_id = sender.get("id")
    if not _is_int(sender_id) or sender_id <= 0 or sender.get("is_bot") is True:
        return None
    if not isinstance(chat, Mapping) or not _is_private_chat_of(chat, sender_id):
        return None
    if not _is_int(message_id):
        return None
    return Respondent(
        user_id=sender_id, language_code=_text(sender.get("language_code"))
    ), message_id


def _is_private_chat_of(chat: Mapping[str, Any], user_id: int) -> bool:
    return chat.get("type") == "private" and chat.get("id") == user_id


def _shared_chat_message(message: Mapping[str, Any], bot: BotIdentity) -> Inbound:
    """A message outside a private chat: explain only when it is addressed to the bot."""
    chat = message.get("chat")
    if not isinstance(chat, Mapping) or chat.get("type") not in _SHARED_CHAT_TYPES:
        return Ignored("not a private chat")
    chat_id = chat.get("id")
    if not _is_int(chat_id):
        return Ignored("malformed")
    if not _addressed_to_bot(message, bot):
        return Ignored("group chatter")
    thread = message.get("message_thread_id")
    sender = message.get("from")
    language_code = _text(sender.get("language_code")) if isinstance(sender, Mapping) else None
    thread_id = thread if _is_int(thread) and message.get("is_topic_message") is True else None
    return PrivateChatsOnly(chat_id, thread_id, language_code)


def _addressed_to_bot(message: Mapping[str, Any], bot: BotIdentity) -> bool:
    """A command for this bot (or for any bot, without @name), a mention, or being added."""
    members = message.get("new_chat_members")
    if isinstance(members, list) and any(
        isinstance(m, Mapping) and m.get("id") == bot.user_id for m in members
    ):
        return True
    text = _text(message.get("text"))
    if text is None:
        return False
    username = (bot.username or "").lower()
    command = _COMMAND.fullmatch(text.strip())
    if command is not None:
        return command[2] is None or command[2].lower() == username
    return bool(username) and f"@{username}" in text.lower()
