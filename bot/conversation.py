"""The channel-neutral conversation: one respondent event in, replies out, one transaction.

A thin service: it counts the event against the flood limit, loads the draft once (or lets
`Repository.apply` load and lock it), and hands the deciding to the acts on the question on
screen (`bot/answering.py`, which runs `bot/question_flow.py`), the commands
(`bot/command_replies.py`) and the withdrawals (`bot/withdrawal.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Final

from bot import attachment_texts, texts
from bot.answer_memory import AnswerMemory
from bot.answering import Answering
from bot.attachment_intake import AttachmentIntake
from bot.callback_data import (
    Action,
    CancelToken,
    ConsentToken,
    DiscreetToken,
    LanguageToken,
    QuestionToken,
    SetAsideToken,
    Token,
    WithdrawDraftToken,
    WithdrawReceiptToken,
    decode,
)
from bot.command_replies import CommandReplies
from bot.commands import CommandName, command_named
from bot.completion_cap import DEFAULT_TESTIMONIES_PER_DAY, CompletionCap
from bot.draft_state import DraftState, decode_state, encode_state
from bot.events import (
    Attachment,
    Back,
    ButtonPress,
    Command,
    Event,
    MessageRef,
    Respondent,
    Skip,
    Start,
    Submit,
    Text,
    typed_message,
)
from bot.i18n import Catalogs
from bot.opening import Opening
from bot.pending_withdrawals import PendingWithdrawals, WithdrawalReferences
from bot.preferences import Preferences
from bot.rate_limit import DEFAULT_PER_MINUTE, RateLimit, ToggleLimit
from bot.replies import Notice, Reply, deletion
from bot.served import ScreenSet
from bot.step import Act
from bot.withdrawal import Withdrawal
from bot.wording import Wording
from flows.engine import Engine
from storage.access_codes import AccessCodes, RevokedCode
from storage.pseudonyms import DraftKey, Pseudonyms
from storage.repository import (
    DEFAULT_DRAFT_TTL,
    Change,
    ChangeResult,
    ConflictError,
    Decided,
    DraftHandle,
    Found,
    Repository,
)

DEFAULT_RATE_LIMIT: Final = DEFAULT_PER_MINUTE
_log = logging.getLogger(__name__)

Replies = tuple[Reply, ...]
_TYPED_ACTIONS: Final = {Back: Action.BACK, Skip: Action.SKIP, Submit: Action.FINISH_TEXT}


class Conversation:
    """Turns events into replies, for the questionnaire each respondent's draft answers.

    Per event: a rate check (RATE pseudonym, in memory), then at most one draft load or one
    `Repository.apply`, which loads the locked draft, decides, and stores the sealed answers
    with the new state in one transaction (an update id seen before changes nothing). A
    draft past its expiry date is never resumed: the repository expires it and says so.

    `engine` is what a bare /start opens (the testimony); `engines` the others an access
    code may open; `access` the registered codes (`bot/opening.py`; None: every /start opens
    the testimony without a campaign).
    """

    def __init__(
        self,
        *,
        engine: Engine,
        repository: Repository,
        pseudonyms: Pseudonyms,
        catalogs: Catalogs,
        bot_username: str | None = None,
        rate_limit: int = DEFAULT_RATE_LIMIT,
        default_locale: str = "es",
        engines: Sequence[Engine] = (),
        access: AccessCodes | None = None,
        draft_ttl_days: int = DEFAULT_DRAFT_TTL.days,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        toggle_limit: ToggleLimit | None = None,
        testimonies_per_day: int = DEFAULT_TESTIMONIES_PER_DAY,
        pending_withdrawals: WithdrawalReferences | None = None,
        answer_memory: AnswerMemory | None = None,
        attachments: AttachmentIntake | None = None,
    ) -> None:
        self._repository = repository
        self._pseudonyms = pseudonyms
        self._wording = Wording(
            catalogs, default_locale=default_locale, draft_ttl_days=draft_ttl_days
        )
        self._screens = ScreenSet(
            [engine, *engines], catalogs, None if attachments is None else attachments.limits
        )
        self._attachments = attachments
        # This sitting's answers, in memory only, to show them back (bot/answer_memory.py).
        self._memory = answer_memory or AnswerMemory(clock)
        self._withdrawal = Withdrawal(
            repository, self._wording, self._screens, pending_withdrawals or PendingWithdrawals()
        )
        self._commands = CommandReplies(
            self._wording,
            self._screens,
            self._screens.checkpoints(self._screens.default),
            self._withdrawal,
        )
        self._cap = CompletionCap(testimonies_per_day, clock)
        self._opening = Opening(
            self._screens,
            repository,
            pseudonyms,
            self._wording,
            self._cap,
            access=access,
            clock=clock,
            bot_username=bot_username,
        )
        self._answering = Answering(
            repository,
            pseudonyms,
            self._wording,
            self._screens,
            self._memory,
            opening=self._opening,
            withdrawal=self._withdrawal,
            cap=self._cap,
            clock=clock,
        )
        self._preferences = Preferences(repository, self._wording, self._screens)
        self._rate_limit = RateLimit(rate_limit, toggles=toggle_limit)

    async def handle(self, respondent: Respondent, event: Event, *, update_id: int) -> Replies:
        """The replies to one event; never raises on respondent input."""
        _log.debug("event %s", type(event).__name__)
        await self._pseudonyms.warm(respondent.user_id)
        try:
            return await self._handle(respondent, event, update_id)
        except ConflictError:
            _log.warning("event %s: draft kept changing", type(event).__name__)
            # Unread, so the draft's setting is unknown: discreet, the default, is the safe one.
            typed = typed_message(event)
            msgid = texts.TRY_AGAIN if typed is None else texts.TRY_AGAIN_TYPED
            return (*deletion(typed, discreet=True), Notice(self._guess(respondent, msgid)))

    async def remember_prompt_message(self, respondent: Respondent, message_ref: int) -> None:
        """Record the questionnaire message a channel has just sent, so later prompts edit it.

        Does nothing without a draft. Message ids are unique within a private chat, so the
        negated id serves as this change's update id (Telegram's update ids are positive).
        """
        if message_ref <= 0:
            return
        await self._pseudonyms.warm(respondent.user_id)

        def decide(handle: DraftHandle) -> Decided[None]:
            state = decode_state(handle.state)
            if state.prompt_ref == message_ref:
                return Decided(None, None)
            remembered = replace(state, prompt_ref=message_ref)
            return Decided(Change(state=encode_state(remembered)), None)

        pseudonym = self._pseudonym(respondent)
        await self._repository.apply(pseudonym, update_id=-message_ref, decide=decide)

    async def channel_notice(
        self, respondent: Respondent, msgid: str, *, about: MessageRef | None = None
    ) -> Replies:
        """A channel's own text (a msgid in the catalogs) for a respondent in their private chat.

        The text comes in the respondent's language: the one of their draft (chosen with
        /idioma), else the channel's language hint. `about` is the respondent's message the
        text answers (a photo, a location...): its deletion is asked for in discreet mode, the
        default before a draft exists, as for every message the respondent sends.
        """
        await self._pseudonyms.warm(respondent.user_id)
        state = await self._state(respondent)
        notice = Notice(self._wording.text(self._wording.locale(respondent, state), msgid))
        if state is None:
            return (notice, *deletion(about, discreet=True))
        return (*self._screens.on_screen(state, notice), *deletion(about, discreet=state.discreet))

    async def _handle(self, respondent: Respondent, event: Event, update_id: int) -> Replies:
        token = decode(event.token) if isinstance(event, ButtonPress) else None
        if not self._within_rate(respondent, token):
            # Not read, so not stored; deleted all the same (the draft, unread, cannot say
            # whether discreet mode is off), and the notice says so.
            typed = typed_message(event)
            msgid = texts.TOO_FAST if typed is None else texts.TOO_FAST_TYPED
            notice = Notice(self._guess(respondent, msgid), transient=True)
            return (*deletion(typed, discreet=True), notice)
        if isinstance(event, Attachment):
            return await self._attachment(respondent, event, update_id)
        if isinstance(event, Start):
            key = self._pseudonym(respondent)
            payload = event.campaign
            return await self._opening.start(
                respondent, key, payload, event.message_ref, update_id=update_id
            )
        if isinstance(event, ButtonPress):
            return await self._choice(respondent, token, event.message_ref, update_id)
        if isinstance(event, Text):
            act = Act(Action.ANSWER, text=event.text, message_ref=event.message_ref)
            return await self._answering.act(
                respondent, act, update_id, token=None, button_ref=None
            )
        if isinstance(event, Back | Skip | Submit):
            act = Act(_TYPED_ACTIONS[type(event)])
            return await self._answering.act(
                respondent, act, update_id, token=None, button_ref=None
            )
        return await self._command(respondent, event, update_id)

    async def _attachment(
        self, respondent: Respondent, event: Attachment, update_id: int
    ) -> Replies:
        """A photo or document: bot/attachment_intake.py decides, on the draft as it stands."""
        pseudonym = self._pseudonym(respondent)
        intake = self._attachments
        draft = (await self._repository.load(pseudonym)).draft
        msgid = attachment_texts.NOT_AN_ANSWER if intake is None else intake.not_taken(draft)
        if msgid is not None or intake is None:
            # Not downloaded: the hint, on screen, the message deleted in discreet mode.
            hint = msgid or attachment_texts.NOT_AN_ANSWER
            return await self.channel_notice(respondent, hint, about=event.message_ref)

        async def apply(
            decide: Callable[[DraftHandle], Decided[DraftState | None]],
        ) -> ChangeResult[DraftState | None]:
            return await self._repository.apply(pseudonym, update_id=update_id, decide=decide)

        return await intake.receive(
            event,
            draft,
            account=self._pseudonyms.rate(respondent.user_id),
            locale=self._wording.locale(respondent),
            apply=apply,
        )

    def _within_rate(self, respondent: Respondent, token: Token | None) -> bool:
        # A multi-select toggle only redraws the buttons: it stores nothing, so it has a
        # budget of its own and does not eat the answers'.
        rate = self._pseudonyms.rate(respondent.user_id)
        rate += self._answering.report_of(rate)
        if isinstance(token, QuestionToken) and token.action is Action.TOGGLE:
            return self._rate_limit.allow_toggle(rate)
        return self._rate_limit.allow_event(rate)

    async def _choice(
        self, respondent: Respondent, token: Token | None, ref: int | None, update_id: int
    ) -> Replies:
        if isinstance(token, QuestionToken):
            if token.action is Action.TOGGLE:
                return await self._answering.toggle(respondent, token, ref)
            act = Act(token.action, token.arg)
            return await self._answering.act(
                respondent, act, update_id, token=token, button_ref=ref
            )
        if isinstance(token, ConsentToken):
            return await self._answering.consent(respondent, token, ref, update_id)
        key = self._pseudonym(respondent)
        if isinstance(token, LanguageToken):
            replies = await self._preferences.language(key, token, ref, update_id)
            return replies if replies is not None else await self._consent_in(token, ref)
        if isinstance(token, SetAsideToken):
            replies, closed = await self._opening.set_aside(respondent, key, token, ref)
            if closed is not None:
                self._memory.forget(closed)
            return replies
        if isinstance(token, DiscreetToken):
            locale = self._wording.locale(respondent)
            return await self._preferences.discreet(key, token, ref, update_id, locale)
        if isinstance(token, WithdrawDraftToken | WithdrawReceiptToken | CancelToken):
            return await self._withdraw(respondent, token, ref)
        _log.info("event ButtonPress: unknown token")
        return (self._stale(respondent),)

    async def _withdraw(
        self,
        respondent: Respondent,
        token: WithdrawDraftToken | WithdrawReceiptToken | CancelToken,
        ref: int | None,
    ) -> Replies:
        draft = (await self._repository.load(self._pseudonym(respondent))).draft
        state = None if draft is None else decode_state(draft.state)
        locale = self._wording.locale(respondent, state)
        if isinstance(token, WithdrawDraftToken):
            if draft is not None:
                self._memory.forget(draft.submission_id)
            key = self._pseudonym(respondent)
            return await self._withdrawal.withdraw_draft(key, state, token, ref, locale)
        if isinstance(token, WithdrawReceiptToken):
            return await self._withdrawal.withdraw_receipt(token.reference, ref, state, locale)
        return self._withdrawal.cancel(ref, state, locale)

    async def _command(self, respondent: Respondent, event: Command, update_id: int) -> Replies:
        name = command_named(event.name)
        if name is CommandName.START:
            payload = event.args.strip() or None
            key = self._pseudonym(respondent)
            return await self._opening.start(
                respondent, key, payload, event.message_ref, update_id=update_id
            )
        state = await self._state(respondent)
        return await self._commands.reply(
            name, event, state, self._wording.locale(respondent, state)
        )

    async def _consent_in(self, token: LanguageToken, ref: int | None) -> Replies:
        """The consent screen again in the language picked, for what the link opened."""
        entry = await self._opening.entry_of_token(token.grant)
        if entry is None:
            return (self._wording.stale(token.locale),)
        if isinstance(entry, RevokedCode):
            return (Notice(self._wording.text(token.locale, texts.LINK_REVOKED)),)
        return (self._opening.consent_screen(entry, token.locale, message_ref=ref),)

    def _pseudonym(self, respondent: Respondent) -> DraftKey:
        """Where the respondent's draft may be: its pseudonym under each retained epoch."""
        return self._pseudonyms.draft_key(respondent.user_id)

    async def _state(self, respondent: Respondent) -> DraftState | None:
        """The respondent's draft state, read once for an event that stores nothing."""
        return _state_of(await self._repository.load(self._pseudonym(respondent)))

    def _guess(self, respondent: Respondent, msgid: str) -> str:
        """A text in the language the channel suggests, for an event whose draft is unread."""
        return self._wording.text(self._wording.locale(respondent), msgid)

    def _stale(self, respondent: Respondent) -> Notice:
        return self._wording.stale(self._wording.locale(respondent))


def _state_of(found: Found) -> DraftState | None:
    return None if found.draft is None else decode_state(found.draft.state)
