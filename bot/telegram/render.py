"""Replies rendered as Bot API calls: one questionnaire message edited in place, protected."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Final, Protocol, TypeGuard

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.methods import EditMessageText, SendMessage
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    MessageEntity,
)

from bot.events import Event, MessageRef, Respondent
from bot.limits import (
    CALLBACK_ANSWER_MAX_CHARS,
    CALLBACK_DATA_MAX_BYTES,
    MESSAGE_TEXT_MAX_CHARS,
)
from bot.replies import (
    Closing,
    DeleteRespondentMessage,
    Done,
    Notice,
    Option,
    Progress,
    Prompt,
    Reply,
)
from bot.telegram.notices import NoticesToRemove
from bot.telegram.replies_given_up import note_given_up

_log = logging.getLogger(__name__)

PROGRESS_CELLS: Final = 10
_FILLED: Final = "▰"
_EMPTY: Final = "▱"
_ELLIPSIS: Final = "…"
# Every field aiogram would otherwise take from the bot's defaults is set here (None: not
# sent), so the session can encode the call in one step (bot/telegram/session.py).
_NO_PREVIEW: Final = LinkPreviewOptions(
    is_disabled=True, prefer_small_media=None, prefer_large_media=None, show_above_text=None
)


class ConversationPort(Protocol):
    """What the channel needs of `bot.conversation.Conversation`."""

    async def handle(
        self, respondent: Respondent, event: Event, *, update_id: int
    ) -> Sequence[Reply]: ...

    async def remember_prompt_message(
        self, respondent: Respondent, message_ref: MessageRef
    ) -> None: ...

    async def channel_notice(
        self, respondent: Respondent, msgid: str, *, about: MessageRef | None = None
    ) -> Sequence[Reply]: ...


class ChatUnavailable(Exception):
    """The respondent blocked the bot or the chat is gone: stop rendering for this update."""


def progress_line(progress: Progress) -> str:
    """A compact bar and the translated label, e.g. "▰▰▰▱▱▱▱▱▱▱ Pregunta 12 de unas 40"."""
    total = max(progress.total_estimate, progress.position, 1)
    filled = min(PROGRESS_CELLS, round(PROGRESS_CELLS * progress.position / total))
    return f"{_FILLED * filled}{_EMPTY * (PROGRESS_CELLS - filled)} {progress.label}"


def fit(text: str, limit: int = MESSAGE_TEXT_MAX_CHARS) -> str:
    """`text` cut to Telegram's limit (never expected for our texts; never a failed send)."""
    return text if len(text) <= limit else text[: limit - 1] + _ELLIPSIS


def prompt_text(prompt: Prompt) -> str:
    """The questionnaire message: progress, the note (why an answer was refused), the question."""
    parts = []
    if prompt.progress is not None:
        parts.append(progress_line(prompt.progress))
    if prompt.note:
        parts.append(prompt.note)
    parts.append(prompt.text)
    return fit("\n\n".join(parts))


def keyboard(options: Sequence[Option]) -> InlineKeyboardMarkup | None:
    """One inline button per row (long Spanish labels read best that way on a phone).

    Only callback buttons: never a contact, location or URL button. A token longer than
    Telegram's limit would make the whole message fail, so such a button is left out.
    """
    return _keyboard(tuple(options))


# Building the buttons' pydantic models was a tenth of a reply's CPU; the same screen comes
# back for every respondent at the same question and step, so its keyboard is built once.
# Bounded: a screen's keyboard is a few hundred bytes. The models are never changed once
# built (aiogram only serialises them).
_KEYBOARDS_CACHED: Final = 2048


@functools.lru_cache(maxsize=_KEYBOARDS_CACHED)
def _keyboard(options: tuple[Option, ...]) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    for option in options:
        if not 0 < len(option.token.encode()) <= CALLBACK_DATA_MAX_BYTES:
            _log.error("a button token does not fit Telegram's callback data; button left out")
            continue
        rows.append([InlineKeyboardButton(text=option.label, callback_data=option.token)])
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def code_entity(text: str, fragment: str) -> list[MessageEntity]:
    """A monospace entity over `fragment` in `text` (offsets in UTF-16 code units)."""
    start = text.find(fragment)
    if not fragment or start < 0:
        return []
    offset = len(text[:start].encode("utf-16-le")) // 2
    length = len(fragment.encode("utf-16-le")) // 2
    return [MessageEntity(type="code", offset=offset, length=length)]


def toast(replies: Sequence[Reply]) -> str | None:
    """The text of the transient notices, for answerCallbackQuery."""
    texts = [r.text for r in replies if isinstance(r, Notice) and r.transient]
    return fit(" ".join(texts), CALLBACK_ANSWER_MAX_CHARS) if texts else None


def with_notices_in_prompt(replies: Sequence[Reply], *, answered: bool) -> list[Reply]:
    """The notices to show, moved into the note of the event's questionnaire prompt.

    The questionnaire message then carries them above the question until the next screen,
    instead of one more message in the chat. Transient notices of an answered press stay
    toasts. Without a prompt in the replies, nothing changes.
    """
    target = _last_prompt(replies)
    shown = [reply for reply in replies if _shown_as_notice(reply, answered=answered)]
    if target is None or not shown:
        return list(replies)
    merged = _with_notes(target, [notice.text for notice in shown])
    moved = {id(notice) for notice in shown}
    return [merged if reply is target else reply for reply in replies if id(reply) not in moved]


def _last_prompt(replies: Sequence[Reply]) -> Prompt | None:
    return next((reply for reply in reversed(replies) if isinstance(reply, Prompt)), None)


def _with_notes(prompt: Prompt, notes: list[str]) -> Prompt:
    """`prompt` with `notes` above its own note."""
    return replace(prompt, note="\n\n".join([*notes, prompt.note] if prompt.note else notes))


def _shown_as_notice(reply: Reply, *, answered: bool) -> TypeGuard[Notice]:
    """A notice that appears in the chat (a transient one of an answered press is a toast)."""
    return isinstance(reply, Notice) and not (reply.transient and answered)


def send_call(
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    entities: list[MessageEntity] | None = None,
    thread_id: int | None = None,
) -> SendMessage:
    """A protected, silent message without link preview.

    Silent: every message answers something the respondent just did, so they are looking at
    the chat; a notification would only put the bot's text on a locked phone's screen.
    """
    return SendMessage(
        chat_id=chat_id,
        text=fit(text),
        reply_markup=markup,
        entities=entities,
        protect_content=True,
        disable_notification=True,
        link_preview_options=_NO_PREVIEW,
        message_thread_id=thread_id,
        parse_mode=None,
        disable_web_page_preview=None,
    )


def edit_call(
    chat_id: int,
    message_ref: MessageRef,
    text: str,
    markup: InlineKeyboardMarkup | None,
    entities: list[MessageEntity] | None = None,
) -> EditMessageText:
    """The questionnaire message's new text and buttons, without link preview."""
    return EditMessageText(
        chat_id=chat_id,
        message_id=message_ref,
        text=fit(text),
        reply_markup=markup,
        entities=entities,
        link_preview_options=_NO_PREVIEW,
        parse_mode=None,
        disable_web_page_preview=None,
    )


def _not_modified(error: TelegramBadRequest) -> bool:
    return "not modified" in error.message.lower()


class Renderer:
    """Renders one event's replies into one private chat.

    Every message is sent with `protect_content` (no forwarding, no saving on most clients)
    and without link previews (a preview request would tell a third-party site that this
    chat opened a link).
    """

    def __init__(
        self, bot: Bot, conversation: ConversationPort, notices: NoticesToRemove | None = None
    ) -> None:
        self._bot = bot
        self._conversation = conversation
        self._notices = notices if notices is not None else NoticesToRemove()

    async def render(
        self,
        chat_id: int,
        respondent: Respondent,
        replies: Sequence[Reply],
        callback_query_id: str | None = None,
    ) -> None:
        """Answer the button press (it stops the spinner) while the chat is updated."""
        answering = None
        if callback_query_id is not None:
            # Concurrent with the edit: one round trip less between a press and the new screen.
            answering = asyncio.ensure_future(
                self.answer_callback(callback_query_id, toast(replies))
            )
        try:
            await self._update_chat(chat_id, respondent, replies, answered=answering is not None)
        except asyncio.CancelledError:
            # A stop whose grace ran out: the press's answer must not keep it waiting.
            if answering is not None:
                answering.cancel()
            raise
        finally:
            if answering is not None and not answering.cancelled():
                await answering

    async def _update_chat(
        self, chat_id: int, respondent: Respondent, replies: Sequence[Reply], *, answered: bool
    ) -> None:
        # The respondent acted again: the notices sent before have been read.
        deletions = self._notices.take(chat_id)
        deletions += [r.message_ref for r in replies if isinstance(r, DeleteRespondentMessage)]
        try:
            for reply in with_notices_in_prompt(replies, answered=answered):
                await self._show(chat_id, respondent, reply, answered=answered)
        except ChatUnavailable:
            _log.info("chat unavailable; replies dropped")
        finally:
            # Typed answers go last: the respondent sees the next question before their
            # message disappears, so nothing seems lost. Last, but always: a failure above
            # (the database, while remembering the new questionnaire message) must not
            # leave a typed answer in the chat.
            if deletions:
                with contextlib.suppress(ChatUnavailable):
                    await self.delete(chat_id, deletions)

    async def _show(
        self, chat_id: int, respondent: Respondent, reply: Reply, *, answered: bool
    ) -> None:
        """One reply in the chat (a deletion is done last, by the caller)."""
        if isinstance(reply, Prompt):
            await self._prompt(chat_id, respondent, reply)
        elif _shown_as_notice(reply, answered=answered):
            await self.send_notice(chat_id, reply.text)
        elif isinstance(reply, Closing):
            await self._replace(chat_id, reply.message_ref, reply.text)
        elif isinstance(reply, Done):
            entities = code_entity(reply.text, reply.receipt)
            await self._replace(chat_id, reply.message_ref, reply.text, entities)

    async def answer_callback(self, callback_query_id: str, text: str | None = None) -> None:
        """Answer a button press; a press too old to answer is not an error worth raising."""
        try:
            await self._bot.answer_callback_query(callback_query_id, text=text)
        except TelegramAPIError as error:
            _log.info("answerCallbackQuery failed: %s", type(error).__name__)
            note_given_up("answerCallbackQuery", error)

    async def send(
        self,
        chat_id: int,
        text: str,
        *,
        markup: InlineKeyboardMarkup | None = None,
        entities: list[MessageEntity] | None = None,
        thread_id: int | None = None,
    ) -> int | None:
        """Send a protected message; its id, or None when Telegram refused it."""
        try:
            message = await self._bot(send_call(chat_id, text, markup, entities, thread_id))
        except TelegramForbiddenError:
            raise ChatUnavailable from None
        except TelegramAPIError as error:
            _log.warning("sendMessage failed: %s", type(error).__name__)
            note_given_up("sendMessage", error)
            return None
        return message.message_id

    async def send_notice(self, chat_id: int, text: str) -> None:
        """Send a notice outside the questionnaire message; it is removed at the respondent's
        next event in this chat (`NoticesToRemove`)."""
        sent = await self.send(chat_id, text)
        if sent is not None:
            self._notices.sent(chat_id, sent)

    async def delete(self, chat_id: int, message_refs: Sequence[MessageRef]) -> None:
        """Delete messages; too old (48 h) or already gone is fine."""
        for message_ref in message_refs:
            try:
                await self._bot.delete_message(chat_id, message_ref)
            except TelegramForbiddenError:
                raise ChatUnavailable from None
            except TelegramAPIError as error:
                _log.info("deleteMessage failed: %s", type(error).__name__)
                note_given_up("deleteMessage", error)

    async def _edit(
        self,
        chat_id: int,
        message_ref: MessageRef,
        text: str,
        markup: InlineKeyboardMarkup | None,
        entities: list[MessageEntity] | None = None,
    ) -> bool:
        """Edit a message in place; False when it must be sent anew (gone, too old)."""
        try:
            await self._bot(edit_call(chat_id, message_ref, text, markup, entities))
        except TelegramBadRequest as error:
            return _not_modified(error)
        except TelegramForbiddenError:
            raise ChatUnavailable from None
        except TelegramAPIError as error:
            _log.warning("editMessageText failed: %s", type(error).__name__)
            return False
        return True

    async def _prompt(self, chat_id: int, respondent: Respondent, prompt: Prompt) -> None:
        text = prompt_text(prompt)
        markup = keyboard(prompt.options)
        old = prompt.message_ref
        if old is not None and not prompt.fresh and await self._edit(chat_id, old, text, markup):
            return
        sent = await self.send(chat_id, text, markup=markup)
        if old is not None and prompt.fresh:
            # The old questionnaire message is no longer at the bottom: one message in the
            # chat, at the bottom, is what discreet mode promises. It goes once the new one is
            # there, so the chat never shows no questionnaire at all.
            await self.delete(chat_id, [old])
        if sent is not None:
            await self._conversation.remember_prompt_message(respondent, sent)

    async def _replace(
        self,
        chat_id: int,
        message_ref: MessageRef | None,
        text: str,
        entities: list[MessageEntity] | None = None,
    ) -> None:
        """Show `text` without buttons in the questionnaire message, or in a new message."""
        if message_ref is not None and await self._edit(chat_id, message_ref, text, None, entities):
            return
        await self.send(chat_id, text, entities=entities)
