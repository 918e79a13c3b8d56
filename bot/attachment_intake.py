"""Files given as evidence: checked, streamed from the channel, sealed to the staff key.

A file is taken only on an `attachments` question. Everything that needs no byte of it is
checked first (the kind and stated type, the stated size against the per-file, per-draft
and per-day limits), so a refused file is never downloaded. Then its bytes are sealed as
they arrive (storage/attachments: nothing is written in clear, nothing held whole) and the
draft counts it, in one update of the draft; in discreet mode the respondent's message is
deleted once the file is sealed. Nothing about a file (name, type, caption, size) is logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace

from bot import attachment_texts as texts
from bot.attachment_budget import DayBudget
from bot.attachment_limits import (
    MB,
    PHOTO_MEDIA_TYPE,
    SNIFF_BYTES,
    FileLimits,
    accepted_media_type,
    looks_accepted,
)
from bot.draft_state import DraftState, decode_state, encode_state
from bot.events import Attachment
from bot.i18n import Catalogs
from bot.replies import DeleteRespondentMessage, Notice, Reply
from bot.served import ScreenSet
from flows.catalogs import Translate
from flows.engine import Engine
from flows.model import AttachmentsQuestion
from storage.attachments.sealed_file import FileFacts, FileKind, SealedSummary
from storage.attachments.store import AttachmentStore, FileTooLarge
from storage.keys import StaffPublicKey
from storage.repository import Change, ChangeResult, Decided, DraftHandle, Outcome

_log = logging.getLogger(__name__)

Replies = tuple[Reply, ...]
ApplyChange = Callable[
    [Callable[[DraftHandle], Decided[DraftState | None]]],
    Awaitable[ChangeResult[DraftState | None]],
]


class UnexpectedContent(Exception):
    """The file's first bytes are not those of an accepted format."""


class AttachmentIntake:
    """Receives the files of the `attachments` questions of the questionnaires the bot asks
    (`engine`, the default, and `others`)."""

    def __init__(
        self,
        *,
        engine: Engine,
        others: Sequence[Engine] = (),
        catalogs: Catalogs,
        store: AttachmentStore,
        staff_key: StaffPublicKey,
        limits: FileLimits | None = None,
        day_budget: DayBudget | None = None,
    ) -> None:
        self._catalogs = catalogs
        self.limits = limits or FileLimits()
        # Every questionnaire the bot asks; a draft's state says which one it answers.
        self._screens = ScreenSet([engine, *others], catalogs, self.limits)
        self._store = store
        self._staff_key = staff_key
        self._day = day_budget or DayBudget(self.limits.day_bytes)

    @property
    def asked(self) -> bool:
        """Whether the questionnaire has an attachments question at all."""
        return any(
            isinstance(q, AttachmentsQuestion)
            for engine in self._screens.engines.values()
            for q in engine.questions
        )

    def not_taken(self, draft: DraftHandle | None) -> str | None:
        """The msgid of the notice for a file sent where none is asked, or None when the
        question on screen takes files. A questionnaire that asks for files later says so;
        one that never does says not to send them."""
        if draft is not None:
            state = decode_state(draft.state)
            engine = self._screens.engine(state.questionnaire)
            current = None if state.on_review else engine.question(state.current)
            if current is not None and isinstance(current, AttachmentsQuestion):
                return None
        return texts.NOT_NOW if self.asked else texts.NOT_AN_ANSWER

    async def receive(
        self,
        event: Attachment,
        draft: DraftHandle | None,
        *,
        account: bytes,
        locale: str,
        apply: ApplyChange,
    ) -> Replies:
        """The replies to one file; `account` is the RATE pseudonym (day budget), `locale`
        the language without a draft, `apply` the conversation's `Repository.apply` for
        this event's update id."""
        if draft is None or self.not_taken(draft) is not None:
            # The conversation sends these to `channel_notice` first; kept safe here too.
            notice = Notice(self._catalogs.gettext(locale, texts.NOT_AN_ANSWER))
            return (notice, *_deletion(event, discreet=True))
        state = decode_state(draft.state)
        tr = self._catalogs.translator(state.locale)
        refusal = self._refusal(event, state, account)
        if refusal is not None:
            return self._on_screen(state, event, refusal)
        sealed = await self._seal(event, draft, state, account)
        if isinstance(sealed, str):
            return self._on_screen(state, event, sealed)
        position, summary = sealed

        def decide(handle: DraftHandle) -> Decided[DraftState | None]:
            now = decode_state(handle.state)
            if now.current != state.current or now.on_review or now.files != state.files:
                # The respondent moved on meanwhile: the file is not theirs to add.
                return Decided(None, None)
            counted = replace(now, files=now.files + 1, file_bytes=now.file_bytes + summary.size)
            return Decided(Change(state=encode_state(counted)), counted)

        result = await apply(decide)
        counted = result.decided
        if result.outcome is not Outcome.APPLIED or counted is None:
            # A repeated delivery (the first one stored the file), or a draft that changed or
            # ended: this copy goes, key first.
            await self._store.discard(draft.submission_id, position)
            if result.draft is None:
                return (Notice(tr(texts.NOT_NOW)), *_deletion(event, state.discreet))
            now = decode_state(result.draft.state)
            return (*_deletion(event, now.discreet), self._screens.question(now))
        self._day.spend(account, summary.size)
        note = tr(texts.RECEIVED).format(number=counted.files)
        return self._on_screen(counted, event, note)

    def _refusal(self, event: Attachment, state: DraftState, account: bytes) -> str | None:
        """Why the file is refused before any byte of it is fetched, or None."""
        tr = self._catalogs.translator(state.locale)
        if event.kind not in FileKind.ALL or event.content is None:
            return tr(texts.WRONG_TYPE)
        if event.kind == FileKind.DOCUMENT and not accepted_media_type(event.media_type):
            return tr(texts.WRONG_TYPE)
        return self._over_budget(event.declared_size or 0, state, account, tr)

    def _over_budget(
        self, size: int, state: DraftState, account: bytes, tr: Translate
    ) -> str | None:
        """Why a file of `size` bytes does not fit the draft's or the day's budget, or None."""
        limits = self.limits
        if state.files >= limits.files:
            return tr(texts.TOO_MANY).format(files=limits.files)
        if size > limits.file_bytes:
            return tr(texts.TOO_LARGE).format(size_mb=limits.file_bytes // MB)
        left = limits.draft_bytes - state.file_bytes
        if size > left or left <= 0:
            return tr(texts.NO_ROOM).format(left_mb=max(0, left) // MB)
        day_left = self._day.left(account)
        if size > day_left or day_left <= 0:
            return tr(texts.DAY_LIMIT)
        return None

    async def _seal(
        self, event: Attachment, draft: DraftHandle, state: DraftState, account: bytes
    ) -> tuple[int, SealedSummary] | str:
        """Stream and seal the file: its position and summary, or the note saying why not."""
        tr = self._catalogs.translator(state.locale)
        limits = self.limits
        assert event.content is not None  # checked by `_refusal`
        media_type = PHOTO_MEDIA_TYPE if event.kind == FileKind.PHOTO else event.media_type
        facts = FileFacts(
            event.kind, media_type or "application/octet-stream", event.name, state.current
        )
        room = limits.draft_bytes - state.file_bytes
        max_bytes = min(limits.file_bytes, room, self._day.left(account))
        position = await self._store.next_position(draft.submission_id)
        try:
            summary = await self._store.seal_stream(
                self._staff_key,
                draft.submission_id,
                position,
                facts,
                _checked(event.content()),
                max_bytes=max_bytes,
            )
        except FileTooLarge:
            # The stated size was wrong: say which limit the bytes passed.
            if max_bytes == limits.file_bytes:
                return tr(texts.TOO_LARGE).format(size_mb=limits.file_bytes // MB)
            return tr(texts.NO_ROOM).format(left_mb=max(0, room) // MB)
        except UnexpectedContent:
            return tr(texts.WRONG_TYPE)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the download failed: the network, the channel
            _log.warning("file not received: %s", type(error).__name__)
            return tr(texts.NOT_RECEIVED)
        return position, summary

    def _on_screen(self, state: DraftState, event: Attachment, note: str) -> Replies:
        """The question again with `note`; the respondent's message deleted in discreet
        mode (once sealed, or refused: a refused file is not kept either)."""
        return (*_deletion(event, state.discreet), self._screens.question(state, note=note))


async def _checked(content: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """`content`, refused with `UnexpectedContent` unless its first bytes are an accepted
    format's (a stated type is the sender's word; the bytes are what staff will open)."""
    head = b""
    try:
        async for piece in content:
            if len(head) < SNIFF_BYTES:
                head += piece[: SNIFF_BYTES - len(head)]
                if len(head) >= SNIFF_BYTES and not looks_accepted(head):
                    raise UnexpectedContent
            yield piece
        if len(head) < SNIFF_BYTES and not looks_accepted(head):
            raise UnexpectedContent
    finally:
        # A refused or failed file stops its download now, not when the collector runs.
        close = getattr(content, "aclose", None)
        if close is not None:
            await close()


def _deletion(event: Attachment, discreet: bool) -> tuple[DeleteRespondentMessage, ...]:
    ref = event.message_ref
    return (DeleteRespondentMessage(ref),) if discreet and ref else ()
