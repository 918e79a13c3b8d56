"""One raw update handled start to finish: mapped, ordered per chat, answered; never raises."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from aiogram import Bot

from bot import texts as conversation_texts
from bot.events import Attachment, Respondent, Start, typed_message
from bot.i18n import Catalogs, locale_for
from bot.replies import Closing, Done, Prompt, Reply
from bot.telegram import texts
from bot.telegram.files import file_stream
from bot.telegram.mapping import (
    BotIdentity,
    EditIgnored,
    ForConversation,
    Inbound,
    NotAnAnswer,
    PrivateChatsOnly,
    UnusableCallback,
    map_update,
    update_kind,
)
from bot.telegram.ordering import ChatLocks, OncePerChat, RenderTurns
from bot.telegram.render import ChatUnavailable, ConversationPort, Renderer
from bot.telegram.replies_given_up import OwedScreens, watch_render

_log = logging.getLogger(__name__)


class UpdateProcessor:
    """Turns raw updates into conversation events and Bot API calls.

    Polling and webhook mode both call `process`; the per-chat lock lives here, so the
    ordering guarantee (never two events of one respondent at once) holds in both modes.
    Logs carry the update kind, the outcome and the error class, never ids or content.
    """

    def __init__(
        self,
        bot: Bot,
        conversation: ConversationPort,
        identity: BotIdentity,
        catalogs: Catalogs,
        *,
        default_locale: str = "es",
    ) -> None:
        self.identity = identity
        self._bot = bot
        self._conversation = conversation
        self._catalogs = catalogs
        self._default_locale = default_locale
        self._renderer = Renderer(bot, conversation)
        self._locks = ChatLocks()
        self._turns = RenderTurns()
        self._owed = OwedScreens()
        self._edit_notice = OncePerChat()
        self._group_notice = OncePerChat()

    @property
    def replies_given_up(self) -> int:
        """Replies given up after their last attempt since start (logged one by one)."""
        return self._owed.given_up

    @property
    def chats_in_flight(self) -> int:
        """Chats with an event being handled or waiting (for tests and shutdown)."""
        return len(self._locks)

    async def process(self, raw: object, *, committed: Callable[[], None] | None = None) -> None:
        """Handle one update as Telegram sent it (parsed JSON); logs failures, never raises.

        `committed` is called once the update's effect is stored (the conversation's
        transaction), before the replies are sent: from then on a second delivery changes
        nothing. Updates that store nothing call it, if at all, only when fully handled.
        """
        kind = update_kind(raw)
        started = time.perf_counter()
        try:
            await self._dispatch(map_update(raw, self.identity, kind=kind), committed, kind)
        except asyncio.CancelledError:
            raise
        except ChatUnavailable:
            _log.info("update %s: chat unavailable", kind)
        except Exception as error:
            _log.error("update %s failed: %s", kind, type(error).__name__)
        else:
            _log.debug("update %s handled in %.0f ms", kind, (time.perf_counter() - started) * 1e3)

    async def _dispatch(
        self, inbound: Inbound, committed: Callable[[], None] | None, kind: str
    ) -> None:
        if isinstance(inbound, ForConversation):
            await self._converse(inbound, committed)
        elif isinstance(inbound, UnusableCallback):
            await self._renderer.answer_callback(inbound.callback_query_id)
        elif isinstance(inbound, NotAnAnswer):
            await self._not_an_answer(inbound)
        elif isinstance(inbound, EditIgnored):
            await self._edit_ignored(inbound)
        elif isinstance(inbound, PrivateChatsOnly):
            await self._private_chats_only(inbound)
        else:
            _log.debug("update %s ignored (%s)", kind, inbound.reason)

    def _text(self, language_code: str | None, msgid: str) -> str:
        return self._catalogs.gettext(locale_for(language_code, self._default_locale), msgid)

    async def _converse(
        self, inbound: ForConversation, committed: Callable[[], None] | None
    ) -> None:
        chat_id = inbound.chat_id
        if isinstance(inbound.event, Attachment) and inbound.event.content is None:
            # The file's bytes, fetched only if the conversation takes it.
            content = file_stream(self._bot, inbound.event.source)
            inbound = replace(inbound, event=replace(inbound.event, content=content))
        async with self._locks.hold(chat_id):
            try:
                replies = await self._handled(inbound, committed)
            except Exception as error:
                # The database is unreachable or the draft is unreadable: the respondent
                # should know the answer was not kept, and the press must still be answered.
                _log.error("conversation failed: %s", type(error).__name__)
                await self._not_kept(inbound)
                return
            turn = self._turns.reserve(chat_id)
        # Rendered outside the chat's lock, in the chat's commit order (`RenderTurns`): a
        # flood wait here holds neither the chat's next event nor an in-flight slot.
        async with self._turns.take(turn):
            failed = watch_render()
            await self._renderer.render(
                chat_id, inbound.respondent, replies, inbound.callback_query_id
            )
            if failed:
                self._owed.owe(chat_id)

    async def _handled(
        self, inbound: ForConversation, committed: Callable[[], None] | None
    ) -> Sequence[Reply]:
        """The conversation's replies to the event, once it is stored."""
        replies = await self._conversation.handle(
            inbound.respondent, inbound.event, update_id=inbound.update_id
        )
        if committed is not None:
            committed()
        if self._owed.settle(inbound.chat_id) and not _shows_screen(replies):
            # The last reply here was given up: show where the respondent is.
            again = await self._conversation.handle(
                inbound.respondent, Start(), update_id=inbound.update_id
            )
            replies = (*replies, *again)
        return replies

    async def _not_kept(self, inbound: ForConversation) -> None:
        """Say the event was not kept; a typed message goes all the same."""
        # Discreet mode is the default and the draft could not be read: the typed message
        # goes, as it would have once handled, and the notice says so.
        typed = typed_message(inbound.event)
        texts_ = conversation_texts
        msgid = texts_.TRY_AGAIN_TYPED if typed is not None else texts_.TRY_AGAIN
        sorry = self._text(inbound.respondent.language_code, msgid)
        if inbound.callback_query_id is not None:
            await self._renderer.answer_callback(inbound.callback_query_id, sorry)
        else:
            await self._renderer.send_notice(inbound.chat_id, sorry)
        if typed is not None:
            await self._renderer.delete(inbound.chat_id, [typed])

    async def _not_an_answer(self, inbound: NotAnAnswer) -> None:
        async with self._locks.hold(inbound.chat_id):
            await self._channel_notice(
                inbound.chat_id, inbound.respondent, texts.NOT_AN_ANSWER, about=inbound.message_id
            )

    async def _edit_ignored(self, inbound: EditIgnored) -> None:
        if not self._edit_notice.first_time(inbound.chat_id):
            return
        async with self._locks.hold(inbound.chat_id):
            await self._channel_notice(inbound.chat_id, inbound.respondent, texts.EDITS_IGNORED)

    async def _channel_notice(
        self, chat_id: int, respondent: Respondent, msgid: str, *, about: int | None = None
    ) -> None:
        """One of this channel's texts, in the respondent's language; whether the message it
        answers is deleted is the conversation's decision (discreet mode)."""
        try:
            replies = await self._conversation.channel_notice(respondent, msgid, about=about)
        except Exception as error:
            # Without the draft, neither the language nor the setting is known: the hint in
            # the client's language, and the message deleted, as discreet mode is the default.
            _log.error("conversation failed: %s", type(error).__name__)
            await self._renderer.send_notice(chat_id, self._text(respondent.language_code, msgid))
            if about is not None:
                await self._renderer.delete(chat_id, [about])
            return
        await self._renderer.render(chat_id, respondent, replies)

    async def _private_chats_only(self, inbound: PrivateChatsOnly) -> None:
        # Once per group and process: explaining again on every mention would be spam.
        if not self._group_notice.first_time(inbound.chat_id):
            return
        await self._renderer.send(
            inbound.chat_id,
            self._text(inbound.language_code, texts.PRIVATE_CHATS_ONLY),
            thread_id=inbound.thread_id,
        )


def _shows_screen(replies: Sequence[Reply]) -> bool:
    return any(isinstance(reply, Prompt | Closing | Done) for reply in replies)
