"""The channel-neutral conversation: one respondent event in, replies out, one transaction."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Final

from bot import texts
from bot.answer_order import arrived_late, stamped
from bot.callback_data import (
    Action,
    CancelToken,
    ConsentToken,
    DiscreetToken,
    LanguageToken,
    QuestionToken,
    Token,
    WithdrawDraftToken,
    WithdrawReceiptToken,
    decode,
    encode,
)
from bot.checkpoints import Checkpoints
from bot.commands import CommandName, command_named
from bot.completion_cap import DEFAULT_TESTIMONIES_PER_DAY, CompletionCap
from bot.draft_state import DraftState, decode_state, encode_state
from bot.events import (
    Back,
    Choice,
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
from bot.i18n import Catalogs, Plural, locale_for
from bot.pending_withdrawals import PendingWithdrawals
from bot.replies import Closing, DeleteRespondentMessage, Done, Notice, Option, Prompt, Reply
from bot.review import Review
from bot.screens import TYPED_TYPES, Screens, selected_codes
from bot.text_room import TextRoom
from bot.toggle_limit import ToggleLimit
from flows.answers import AnswerValue, NavigationValue, encode_answer
from flows.engine import Engine
from flows.model import Question
from flows.parsing import (
    Accepted,
    ChoiceInput,
    RawInput,
    SkipInput,
    TextInput,
    means_done,
    parse_answer,
)
from storage.pseudonyms import DraftKey, Pseudonyms
from storage.receipts import normalize_receipt
from storage.repository import (
    DEFAULT_DRAFT_TTL,
    AlreadyStartedError,
    Change,
    ChangeResult,
    ConflictError,
    DraftHandle,
    Outcome,
    QuestionnaireRef,
    Repository,
)

DEFAULT_RATE_LIMIT: Final = 60  # events per respondent per minute: generous for a human
_log = logging.getLogger(__name__)

Replies = tuple[Reply, ...]


@dataclass(frozen=True)
class _Act:
    """One thing the respondent did to the question on screen."""

    action: Action
    arg: str = ""
    text: str | None = None
    message_ref: int | None = None  # the respondent's typed message


@dataclass(frozen=True)
class _Decision:
    """What one event does: the change to store and the replies, decided from the draft."""

    change: Change | None
    replies: Replies
    completes: bool = False  # Done follows once the receipt is known
    withdraws: bool = False  # consent withdrawn: delete the draft and its answers
    campaign: str | None = None
    locale: str = "es"
    discreet: bool = True


class Conversation:
    """Turns events into replies for one questionnaire.

    Per event: a rate check (RATE pseudonym), then at most one repository call that loads
    the draft, decides, and stores the sealed answer with the new state (compare-and-swap,
    retried on conflict; an update id seen before changes nothing). A draft past its expiry
    date is never resumed: it is handed to the repository's expiry and treated as absent.

    `campaigns` is the allow-list of registered campaign codes; any other deep-link code is
    dropped silently, so a personal link cannot mark a respondent's submission.
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
        campaigns: frozenset[str] = frozenset(),
        draft_ttl_days: int = DEFAULT_DRAFT_TTL.days,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        toggle_limit: ToggleLimit | None = None,
        testimonies_per_day: int = DEFAULT_TESTIMONIES_PER_DAY,
        pending_withdrawals: PendingWithdrawals | None = None,
    ) -> None:
        self._engine = engine
        self._repository = repository
        self._pseudonyms = pseudonyms
        self._catalogs = catalogs
        self._screens = Screens(engine, catalogs)
        self._checkpoints = Checkpoints(engine, catalogs)
        self._review = Review(engine, catalogs)
        self._bot_username = bot_username
        self._rate_limit = rate_limit
        self._default_locale = default_locale
        self._campaigns = campaigns
        self._draft_ttl_days = draft_ttl_days
        self._clock = clock
        self._toggle_limit = toggle_limit if toggle_limit is not None else ToggleLimit(rate_limit)
        self._completion_cap = CompletionCap(testimonies_per_day, clock)
        self._pending = pending_withdrawals or PendingWithdrawals()
        questionnaire = engine.questionnaire
        self._ref = QuestionnaireRef(questionnaire.id, questionnaire.version, engine.hash)

    # -- public API --------------------------------------------------------------------------

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
            return (*_deletion(typed, discreet=True), Notice(self._guess(respondent, msgid)))

    async def remember_prompt_message(self, respondent: Respondent, message_ref: int) -> None:
        """Record the questionnaire message a channel has just sent, so later prompts edit it.

        Does nothing without a draft. Message ids are unique within a private chat, so the
        negated id serves as this change's update id (Telegram's update ids are positive).
        """
        if message_ref <= 0:
            return
        await self._pseudonyms.warm(respondent.user_id)
        pseudonym = self._pseudonym(respondent)

        def decide(handle: DraftHandle) -> Change | None:
            state = decode_state(handle.state)
            if state.prompt_ref == message_ref:
                return None
            return Change(state=encode_state(replace(state, prompt_ref=message_ref)))

        await self._apply(pseudonym, update_id=-message_ref, decide=decide)

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
        handle = await self._load(self._pseudonym(respondent))
        if handle is None:
            locale = locale_for(respondent.language_code, self._default_locale)
            notice = Notice(self._catalogs.gettext(locale, msgid))
            return (notice, *_deletion(about, discreet=True))
        state = decode_state(handle.state)
        notice = Notice(self._catalogs.gettext(state.locale, msgid))
        return (*self._on_screen(state, notice), *_deletion(about, discreet=state.discreet))

    # -- dispatch ----------------------------------------------------------------------------

    async def _handle(self, respondent: Respondent, event: Event, update_id: int) -> Replies:
        token = decode(event.token) if isinstance(event, Choice) else None
        # A multi-select toggle only redraws the buttons: it stores nothing, not even a count,
        # so it is limited in memory instead of by the database counter.
        is_toggle = isinstance(token, QuestionToken) and token.action is Action.TOGGLE
        if is_toggle:
            within = self._toggle_within_rate(respondent)
        else:
            within = await self._within_rate(respondent)
        if not within:
            # Not read, so not stored; deleted all the same (the draft, unread, cannot say
            # whether discreet mode is off), and the notice says so.
            typed = typed_message(event)
            if typed is None:
                return (Notice(self._guess(respondent, texts.TOO_FAST), transient=True),)
            notice = Notice(self._guess(respondent, texts.TOO_FAST_TYPED), transient=True)
            return (*_deletion(typed, discreet=True), notice)
        if isinstance(event, Start):
            return await self._start(respondent, event.campaign, event.message_ref)
        if isinstance(event, Choice):
            return await self._choice(respondent, token, event.message_ref, update_id)
        if isinstance(event, Text):
            act = _Act(Action.ANSWER, text=event.text, message_ref=event.message_ref)
            return await self._act(respondent, act, update_id, token=None, button_ref=None)
        if isinstance(event, Back | Skip | Submit):
            action = {Back: Action.BACK, Skip: Action.SKIP, Submit: Action.FINISH_TEXT}
            act = _Act(action[type(event)])
            return await self._act(respondent, act, update_id, token=None, button_ref=None)
        return await self._command(respondent, event, update_id)

    async def _start(
        self, respondent: Respondent, campaign: str | None, message_ref: int | None
    ) -> Replies:
        handle, expired = await self._load_noting_expiry(self._pseudonym(respondent))
        if handle is None:
            locale = locale_for(respondent.language_code, self._default_locale)
            # An earlier questionnaire that just expired: say where its answers went.
            kept = (self._kept_notice(respondent, texts.EXPIRED_KEPT),) if expired else ()
            if self._completion_cap.reached(self._rate_pseudonym(respondent)):
                limit = await self._limit_reached(respondent, locale)
                return (*_deletion(message_ref, discreet=True), *kept, Notice(limit))
            return (
                *_deletion(message_ref, discreet=True),
                *kept,
                self._screens.consent(locale, self._registered(campaign), fresh=True),
            )
        state = decode_state(handle.state)
        # On return: where the respondent is, and the safety check, before the question.
        return (
            *_deletion(message_ref, discreet=state.discreet),
            self._checkpoints.resume(state),
        )

    async def _choice(
        self, respondent: Respondent, token: Token | None, ref: int | None, update_id: int
    ) -> Replies:
        if isinstance(token, QuestionToken):
            if token.action is Action.TOGGLE:
                return await self._toggle(respondent, token, ref)
            act = _Act(token.action, token.arg)
            return await self._act(respondent, act, update_id, token=token, button_ref=ref)
        if isinstance(token, ConsentToken):
            return await self._consent(respondent, token, ref, update_id)
        if isinstance(token, LanguageToken):
            return await self._language(respondent, token, ref, update_id)
        if isinstance(token, WithdrawDraftToken):
            return await self._withdraw_draft(respondent, token, ref)
        if isinstance(token, WithdrawReceiptToken):
            return await self._withdraw_receipt(respondent, token.reference, ref)
        if isinstance(token, CancelToken):
            return await self._cancel(respondent, ref)
        if isinstance(token, DiscreetToken):
            return await self._set_discreet(respondent, token, ref, update_id)
        _log.info("event Choice: unknown token")
        return (self._stale(respondent),)

    # -- the question on screen --------------------------------------------------------------

    async def _act(
        self,
        respondent: Respondent,
        act: _Act,
        update_id: int,
        *,
        token: QuestionToken | None,
        button_ref: int | None,
    ) -> Replies:
        pseudonym = self._pseudonym(respondent)
        decisions: list[_Decision] = []

        def decide(handle: DraftHandle) -> Change | None:
            state = decode_state(handle.state)
            if button_ref is not None:
                state = replace(state, prompt_ref=button_ref)
            if token is not None and (
                token.step != state.step or token.question != self._screens.index_of(state.current)
            ):
                # The current screen again: the press may come from a screen whose update
                # was lost (bot/telegram/processor.py), and nothing is stored.
                stored = decode_state(handle.state)
                decision = _Decision(
                    None, (self._stale_in(state.locale), self._screens.question(stored))
                )
            elif act.text is not None and arrived_late(state, act.message_ref):
                late = Notice(self._catalogs.gettext(state.locale, texts.LATE_MESSAGE))
                decision = _Decision(None, (late, self._screens.question(state)))
            else:
                decision = self._decide(state, act)
                decision = replace(
                    decision, change=stamped(state, decision.change, act.message_ref)
                )
            decisions.append(
                replace(
                    decision,
                    campaign=handle.campaign,
                    locale=state.locale,
                    discreet=state.discreet,
                )
            )
            return decision.change

        expired: list[bool] = []
        result = await self._apply(pseudonym, update_id=update_id, decide=decide, expired=expired)
        if result.outcome is Outcome.NO_DRAFT:
            if token is not None:
                return (self._kept_notice(respondent, texts.NOT_OPEN),)
            if act.text is not None and normalize_receipt(act.text) is not None:
                return self._confirm_receipt(respondent, act.text, act.message_ref, None)
            typed = self._typed_consent(respondent, act.text)
            if typed is not None:
                replies = await self._consent(respondent, typed, None, update_id)
                return (*_deletion(act.message_ref, discreet=True), *replies)
            # Nothing is stored, but the text may be sensitive: discreet is the default.
            hint = (
                self._kept_notice(respondent, texts.NOT_OPEN)
                if expired
                else Notice(self._guess(respondent, texts.START_HINT))
            )
            return (*_deletion(act.message_ref, discreet=True), hint)
        if result.outcome is Outcome.DUPLICATE:
            assert result.draft is not None
            state = decode_state(result.draft.state)
            return (
                *_deletion(act.message_ref, discreet=state.discreet),
                self._screens.question(state),
            )
        decision = decisions[-1]
        # Every typed message is deleted once handled in discreet mode, stored or not: a
        # rejected answer's note is shown in the prompt, so nothing is lost by deleting it.
        replies = (*_deletion(act.message_ref, discreet=decision.discreet), *decision.replies)
        if decision.withdraws:
            await self._repository.withdraw_unfinished(pseudonym)
        if decision.completes and result.receipt is not None:
            self._completion_cap.completed(self._rate_pseudonym(respondent))
            replies = (*replies, self._done(result.receipt, decision, button_ref))
        return replies

    def _decide(self, state: DraftState, act: _Act) -> _Decision:
        if state.on_review:
            return self._decide_review(state, act)
        question = self._engine.question(state.current)
        tr = self._catalogs.translator(state.locale)
        if act.action is Action.BACK:
            previous = self._engine.previous_question(state.routing, before=question.id)
            if previous is None or question.type == "consent":
                return _Decision(None, (Notice(tr(texts.NO_EARLIER_QUESTION), transient=True),))
            moved = replace(
                state, current=previous.id, step=state.step + 1, text_parts=0, text_chars=0
            )
            note = self._checkpoints.previous_answer(moved)
            prompt = self._screens.question(moved, note=note)
            return _Decision(Change(state=encode_state(moved)), (prompt,))
        if act.text is not None and means_done(act.text):
            if question.multipart:
                return self._finish(state, question)  # "listo" typed is the button
            if question.type == "multi":
                # The ticks live only in the message (never on the server): keep it as it is.
                hint = Notice(tr(texts.MULTI_DONE_TYPED), transient=True)
                return _Decision(None, (hint,))
        if act.action is Action.SKIP and question.multipart and state.text_parts > 0:
            return _Decision(None, (self._checkpoints.discard_parts(state),))
        if act.action is Action.FINISH_TEXT:
            return self._finish(state, question)
        if act.action is Action.CONTINUE:
            if question.type != "note":
                return _Decision(None, (self._screens.question(state),))
            nxt = self._engine.next_question(state.routing, after=question.id)
            return self._advance(state, nxt, answers=())
        raw = self._raw_input(question, act)
        if raw is None:
            return _Decision(None, (self._stale_in(state.locale),))
        parsed = parse_answer(
            question,
            raw,
            self._clock().year,
            state.routing,
            translate=tr,
            mission_country=_mission_country(self._engine, state.routing),
        )
        if not isinstance(parsed, Accepted):
            note = parsed.message.render(tr)
            prompt = self._screens.question(state, note=note, suggestions=parsed.suggestions)
            return _Decision(None, (prompt,))
        return self._record(state, question, parsed.value, order=act.message_ref)

    def _raw_input(self, question: Question, act: _Act) -> RawInput | None:
        if act.text is not None:
            return TextInput(act.text)
        if act.action in (Action.SKIP, Action.DISCARD):
            return SkipInput()
        if act.action is Action.ANSWER:
            choices = question.all_choices()
            index = int(act.arg)
            return ChoiceInput((choices[index].code,)) if index < len(choices) else None
        if act.action is Action.SUGGESTION:
            # Any question with typed answers may propose readings; its parser decides.
            return ChoiceInput((act.arg,)) if question.type in TYPED_TYPES | {"province"} else None
        if act.action is Action.SUBMIT:
            mask = int(act.arg, 36)
            if question.type != "multi" or mask >= 1 << len(question.choices):
                return None
            return ChoiceInput(selected_codes(question, mask))
        return None

    def _record(
        self, state: DraftState, question: Question, value: AnswerValue, *, order: int | None
    ) -> _Decision:
        routing = dict(state.routing)
        kept = self._engine.routing_value(question.id, value)
        if kept is None:
            routing.pop(question.id, None)
        else:
            routing[question.id] = kept
        multipart = question.multipart and isinstance(value, str)
        record = _answer_record(
            question.id,
            value,
            append=multipart and state.text_parts > 0,
            order=order if multipart else None,
        )
        answered = replace(state, routing=routing)
        if multipart:
            assert isinstance(value, str)
            room = TextRoom(state.text_parts, state.text_chars)
            if not room.fits(len(value)):
                refused = self._screens.question(state, note=self._no_room(state.locale, room))
                return _Decision(None, (refused,))
            stays = replace(
                answered,
                step=state.step + 1,
                text_parts=state.text_parts + 1,
                text_chars=state.text_chars + len(value),
            )
            left = TextRoom(stays.text_parts, stays.text_chars)
            saved = texts.PART_SAVED if left.fits(1) else texts.TEXT_FULL
            note = self._catalogs.gettext(state.locale, saved)
            prompt = self._screens.question(stays, note=note)
            return _Decision(Change(encode_state(stays), (record,)), (prompt,))
        stopped = self._engine.stopped(routing)
        if stopped is not None and stopped.question_id == question.id:
            message = stopped.message.render(self._catalogs.translator(state.locale))
            if stopped.outcome == "end":
                return _Decision(None, (Closing(message, state.prompt_ref),), withdraws=True)
            paused = replace(answered, step=state.step + 1, text_parts=0, text_chars=0)
            # Honest about what happens to a paused draft (docs/security.md).
            kept = self._unfinished_kept(state.locale)
            closing = Closing(f"{message}\n\n{kept}", state.prompt_ref)
            return _Decision(Change(encode_state(paused), (record,)), (closing,))
        nxt = self._engine.next_question(routing, after=question.id)
        return self._advance(answered, nxt, answers=(record,))

    def _finish(self, state: DraftState, question: Question) -> _Decision:
        if not question.multipart:
            note = self._catalogs.gettext(state.locale, texts.TEXT_NEEDED)
            if question.type == "multi":
                note = self._catalogs.gettext(state.locale, texts.MULTI_HINT)
            return _Decision(None, (self._screens.question(state, note=note),))
        if state.text_parts == 0:
            note = self._catalogs.gettext(state.locale, texts.TEXT_NEEDED)
            return _Decision(None, (self._screens.question(state, note=note),))
        nxt = self._engine.next_question(state.routing, after=question.id)
        return self._advance(state, nxt, answers=())

    def _advance(
        self,
        state: DraftState,
        nxt: Question | None,
        *,
        answers: tuple[bytes, ...],
    ) -> _Decision:
        if state.reviewed is not None:
            # Changing an answer from the review: only questions new on the path are asked.
            nxt = self._review.next_to_ask(state, after=state.current)
        if nxt is None:
            # The end: the review before sending (nothing is submitted until "Enviar").
            listed = self._review.listed(state.routing)
            at_review = replace(
                state,
                step=state.step + 1,
                text_parts=0,
                text_chars=0,
                reviewed=listed,
                on_review=True,
            )
            page = self._review.page_of(at_review, state.current)
            prompt = self._review.prompt(at_review, page)
            return _Decision(Change(encode_state(at_review), answers), (prompt,))
        moved = replace(state, current=nxt.id, step=state.step + 1, text_parts=0, text_chars=0)
        prompt = self._screens.question(moved)
        return _Decision(Change(encode_state(moved), answers), (prompt,))

    def _decide_review(self, state: DraftState, act: _Act) -> _Decision:
        """On the review: change one answer, turn the page, or send."""
        if act.action is Action.SEND:
            return _Decision(Change(answers=(), complete=True), (), completes=True)
        if act.action is Action.REVIEW_PAGE:
            return _Decision(None, (self._review.prompt(state, int(act.arg)),))
        if act.action is Action.REVIEW_EDIT:
            question = self._screens.question_at(int(act.arg))
            if question is not None and question.id in (state.reviewed or ()):
                moved = replace(state, current=question.id, step=state.step + 1, on_review=False)
                note = self._checkpoints.previous_answer(moved)
                prompt = self._screens.question(moved, note=note)
                return _Decision(Change(state=encode_state(moved)), (prompt,))
        return _Decision(None, (self._review.prompt(state),))

    def _done(self, receipt: str, decision: _Decision, button_ref: int | None) -> Done:
        prompt_ref = next(
            (r.message_ref for r in decision.replies if isinstance(r, Prompt | Closing)),
            button_ref,
        )
        tr = self._catalogs.translator(decision.locale)
        closing = self._engine.questionnaire.closing or "{receipt}"
        text = tr(closing).replace("{receipt}", receipt)
        link = None
        if self._bot_username:
            link = f"https://t.me/{self._bot_username}"
            campaign = self._registered(decision.campaign)
            if campaign:
                link = f"{link}?start={campaign}"
            text = f"{text}\n\n{tr(texts.SHARE).format(link=link)}"
        return Done(text, receipt, link, prompt_ref)

    # -- buttons outside a question ----------------------------------------------------------

    async def _toggle(
        self, respondent: Respondent, token: QuestionToken, ref: int | None
    ) -> Replies:
        handle = await self._load(self._pseudonym(respondent))
        if handle is None:
            return (self._stale(respondent),)
        state = decode_state(handle.state)
        if ref is not None:
            state = replace(state, prompt_ref=ref)
        question = self._screens.question_at(token.question)
        if (
            question is None
            or question.id != state.current
            or token.step != state.step
            or question.type != "multi"
            or token.mask >= 1 << len(question.choices)
        ):
            return (self._stale_in(state.locale),)
        return (self._screens.question(state, selection=token.mask),)

    async def _consent(
        self, respondent: Respondent, token: ConsentToken, ref: int | None, update_id: int
    ) -> Replies:
        consent = self._engine.first_question()
        if token.choice >= len(consent.choices):
            return (self._stale(respondent),)
        pseudonym = self._pseudonym(respondent)
        code = consent.choices[token.choice].code
        stop = consent.stop
        if stop is not None and stop.outcome == "end" and code in stop.codes:
            if await self._load(pseudonym) is not None:
                return (self._stale(respondent),)
            message = self._catalogs.gettext(token.locale, stop.message)
            return (Closing(message, ref),)  # refused: nothing was ever stored
        initial = DraftState(current=consent.id, locale=token.locale, prompt_ref=ref)
        if await self._load(pseudonym) is None:
            if self._completion_cap.reached(self._rate_pseudonym(respondent)):
                return (Closing(await self._limit_reached(respondent, token.locale), ref),)
            try:
                await self._repository.start_or_resume(
                    pseudonym,
                    questionnaire=self._ref,
                    campaign=self._registered(token.campaign),
                    initial_state=encode_state(initial),
                    started_by=update_id,
                )
            except AlreadyStartedError:
                # Delivered again after the questionnaire it started has ended (a webhook
                # retry, a poll after a crash): the respondent did nothing new.
                _log.info("event Choice: a consent already applied")
                return ()
        as_question = QuestionToken(
            Action.ANSWER, self._screens.index_of(consent.id), 0, str(token.choice)
        )
        act = _Act(Action.ANSWER, as_question.arg)
        return await self._act(respondent, act, update_id, token=as_question, button_ref=ref)

    async def _language(
        self, respondent: Respondent, token: LanguageToken, ref: int | None, update_id: int
    ) -> Replies:
        pseudonym = self._pseudonym(respondent)
        chosen: list[DraftState] = []

        def decide(handle: DraftHandle) -> Change | None:
            state = decode_state(handle.state)
            state = replace(state, locale=token.locale, prompt_ref=ref or state.prompt_ref)
            chosen.append(state)
            return Change(state=encode_state(state))

        result = await self._apply(pseudonym, update_id=update_id, decide=decide)
        if result.outcome is Outcome.NO_DRAFT:
            campaign = self._registered(token.campaign)
            return (self._screens.consent(token.locale, campaign, message_ref=ref),)
        if result.outcome is Outcome.DUPLICATE:
            assert result.draft is not None
            return (self._screens.question(decode_state(result.draft.state)),)
        return (self._screens.question(chosen[-1]),)

    async def _withdraw_draft(
        self, respondent: Respondent, token: WithdrawDraftToken, ref: int | None
    ) -> Replies:
        pseudonym = self._pseudonym(respondent)
        handle = await self._load(pseudonym)
        if handle is None or decode_state(handle.state).step != token.step:
            return (self._stale(respondent),)
        state = decode_state(handle.state)
        await self._repository.withdraw_unfinished(pseudonym)
        _log.info("draft withdrawn")
        text = self._catalogs.gettext(state.locale, texts.DELETED_DRAFT)
        return (Closing(text, ref or state.prompt_ref),)

    async def _withdraw_receipt(
        self, respondent: Respondent, reference: str, ref: int | None
    ) -> Replies:
        receipt_hash = self._pending.take(reference)
        if receipt_hash is None:
            _log.info("withdrawal by receipt: confirmation expired")
            return await self._after_receipt_screen(
                respondent, texts.RECEIPT_CONFIRMATION_EXPIRED, ref
            )
        deleted = await self._repository.withdraw_by_receipt_hash(receipt_hash)
        _log.info("withdrawal by receipt: %s", "done" if deleted else "not found")
        return await self._after_receipt_screen(
            respondent, texts.DELETED_RECEIPT if deleted else texts.RECEIPT_NOT_FOUND, ref
        )

    async def _cancel(self, respondent: Respondent, ref: int | None) -> Replies:
        return await self._after_receipt_screen(respondent, texts.DELETE_CANCELLED, ref)

    async def _after_receipt_screen(
        self, respondent: Respondent, msgid: str, ref: int | None
    ) -> Replies:
        handle = await self._load(self._pseudonym(respondent))
        if handle is None:
            return (Closing(self._guess(respondent, msgid), ref),)
        state = decode_state(handle.state)
        if ref is not None:
            state = replace(state, prompt_ref=ref)
        notice = Notice(self._catalogs.gettext(state.locale, msgid), transient=True)
        return (notice, self._screens.question(state))

    # -- commands ----------------------------------------------------------------------------

    async def _command(self, respondent: Respondent, event: Command, update_id: int) -> Replies:
        name = command_named(event.name)
        if name is CommandName.START:
            return await self._start(respondent, event.args.strip() or None, event.message_ref)
        pseudonym = self._pseudonym(respondent)
        handle = await self._load(pseudonym)
        state = None if handle is None else decode_state(handle.state)
        locale = (
            state.locale
            if state is not None
            else locale_for(respondent.language_code, self._default_locale)
        )
        tr = self._catalogs.translator(locale)
        delete = _deletion(event.message_ref, discreet=state is None or state.discreet)
        if name is CommandName.HELP:
            help_text = Notice(f"{tr(texts.HELP)}\n\n{self._unfinished_kept(locale)}")
            return (*delete, *self._on_screen(state, help_text))
        if name is CommandName.PRIVACY:
            privacy = Notice(f"{tr(texts.PRIVACY)}\n\n{self._unfinished_kept(locale)}")
            return (*delete, *self._on_screen(state, privacy))
        if name is CommandName.LANGUAGE:
            ref = None if state is None else state.prompt_ref
            return (*delete, self._screens.languages(locale, message_ref=ref))
        if name is CommandName.DISCREET:
            if state is None:
                return (*delete, Notice(tr(texts.DISCREET_BEFORE_START)))
            return (*delete, self._checkpoints.discreet(state))
        if name is CommandName.DELETE:
            if event.args.strip():
                return self._confirm_receipt(respondent, event.args, event.message_ref, state)
            if state is None:
                return (*delete, Notice(tr(texts.DELETE_NOTHING)))
            options = (
                Option(tr(texts.DELETE_YES), encode(WithdrawDraftToken(state.step))),
                Option(tr(texts.DELETE_NO), encode(CancelToken())),
            )
            prompt = Prompt(
                tr(texts.DELETE_CONFIRM), options, message_ref=state.prompt_ref, fresh=True
            )
            return (*delete, prompt)
        return (*delete, *self._on_screen(state, Notice(tr(texts.UNKNOWN_COMMAND))))

    def _on_screen(self, state: DraftState | None, *notices: Reply) -> Replies:
        """Notices, and the question on screen again when a questionnaire is open: a channel
        shows the notices inside the questionnaire message (Telegram: above the question, gone
        at the next screen) instead of leaving one more message in the chat."""
        if state is None or not notices:
            return notices
        # With discreet mode off, the command stays in the chat: the question comes below it.
        return (*notices, self._screens.question(state, fresh=not state.discreet))

    async def _set_discreet(
        self, respondent: Respondent, token: DiscreetToken, ref: int | None, update_id: int
    ) -> Replies:
        """/discreto's buttons: set the mode as pressed (never a toggle), then the question."""
        chosen: list[DraftState] = []

        def decide(handle: DraftHandle) -> Change:
            state = replace(decode_state(handle.state), discreet=token.on)
            chosen.append(state)
            return Change(state=encode_state(state))

        result = await self._apply(self._pseudonym(respondent), update_id=update_id, decide=decide)
        if result.outcome is not Outcome.APPLIED:
            return (self._stale(respondent),)
        state = replace(chosen[-1], prompt_ref=ref or chosen[-1].prompt_ref)
        tr = self._catalogs.translator(state.locale)
        notice = Notice(tr(texts.DISCREET_ON if token.on else texts.DISCREET_OFF), transient=True)
        return (notice, self._screens.question(state))

    def _typed_consent(self, respondent: Respondent, text: str | None) -> ConsentToken | None:
        """A typed "acepto", "sí" or "yes" before any draft: the consent button it means.

        The campaign of a deep link travels in the consent buttons only, so a typed consent
        starts without one (counted as no campaign, never as a wrong one).
        """
        if text is None:
            return None
        consent = self._engine.first_question()
        locale = locale_for(respondent.language_code, self._default_locale)
        parsed = parse_answer(
            consent,
            TextInput(text),
            self._clock().year,
            translate=self._catalogs.translator(locale),
        )
        if not isinstance(parsed, Accepted):
            return None
        index = [c.code for c in consent.choices].index(str(parsed.value))
        return ConsentToken(locale, index, None)

    def _confirm_receipt(
        self,
        respondent: Respondent,
        typed: str,
        message_ref: int | None,
        state: DraftState | None,
    ) -> Replies:
        locale = (
            state.locale
            if state is not None
            else locale_for(respondent.language_code, self._default_locale)
        )
        tr = self._catalogs.translator(locale)
        # The receipt was typed into the chat: in discreet mode it must not stay there.
        delete = _deletion(message_ref, discreet=state is None or state.discreet)
        receipt = normalize_receipt(typed)
        if receipt is None:
            return (*delete, *self._on_screen(state, Notice(tr(texts.DELETE_BAD_RECEIPT))))
        # Neither the prompt, which stays in the chat, nor its button holds the receipt.
        reference = self._pending.hold(self._repository.receipt_hash(receipt))
        options = (
            Option(tr(texts.DELETE_RECEIPT_YES), encode(WithdrawReceiptToken(reference))),
            Option(tr(texts.DELETE_NO), encode(CancelToken())),
        )
        ref = None if state is None else state.prompt_ref
        prompt = Prompt(tr(texts.DELETE_RECEIPT_CONFIRM), options, message_ref=ref, fresh=True)
        return (*delete, prompt)

    # -- helpers -----------------------------------------------------------------------------

    def _pseudonym(self, respondent: Respondent) -> DraftKey:
        """Where the respondent's draft may be: its pseudonym under each retained epoch."""
        return self._pseudonyms.draft_key(respondent.user_id)

    def _rate_pseudonym(self, respondent: Respondent) -> bytes:
        """The respondent's RATE pseudonym in the current epoch: what is counted in memory
        only (events, completed testimonies), forgotten with the epoch."""
        return self._pseudonyms.rate(respondent.user_id)

    async def _within_rate(self, respondent: Respondent) -> bool:
        rate = self._rate_pseudonym(respondent)
        return await self._repository.rate_hit(rate, limit=self._rate_limit)

    def _toggle_within_rate(self, respondent: Respondent) -> bool:
        return self._toggle_limit.allow(self._rate_pseudonym(respondent))

    def _registered(self, campaign: str | None) -> str | None:
        """The campaign code if it is registered; anything else is dropped without a word."""
        return campaign if campaign is not None and campaign in self._campaigns else None

    def _unfinished_kept(self, locale: str) -> str:
        text = self._catalogs.ngettext(locale, texts.UNFINISHED_KEPT, self._draft_ttl_days)
        return text.format(days=self._draft_ttl_days)

    def _expired(self, handle: DraftHandle) -> bool:
        return handle.expires_on < self._clock().date()

    async def _load(self, pseudonym: DraftKey) -> DraftHandle | None:
        """The respondent's draft, or None; a draft past its expiry date counts as gone."""
        return (await self._load_noting_expiry(pseudonym))[0]

    async def _load_noting_expiry(self, pseudonym: DraftKey) -> tuple[DraftHandle | None, bool]:
        """`_load`, and whether the draft was found past its expiry (and expired now)."""
        expired: list[bool] = []
        handle = await self._repository.load(pseudonym, expired=expired)
        if handle is not None and self._expired(handle):
            await self._expire()
            return None, True
        return handle, bool(expired)

    def _kept_notice(self, respondent: Respondent, plural: Plural) -> Notice:
        """A notice about unfinished answers kept as an incomplete testimony."""
        locale = locale_for(respondent.language_code, self._default_locale)
        text = self._catalogs.ngettext(locale, plural, self._draft_ttl_days)
        return Notice(text.format(days=self._draft_ttl_days))

    async def _apply(
        self,
        pseudonym: DraftKey,
        *,
        update_id: int,
        decide: Callable[[DraftHandle], Change | None],
        expired: list[bool] | None = None,
    ) -> ChangeResult:
        """`Repository.apply`, except that an expired draft is not changed (a change would
        push its expiry date forward) but expired, and the outcome is NO_DRAFT (`expired`,
        if given, then holds True)."""
        expired = [] if expired is None else expired

        def decide_unless_expired(handle: DraftHandle) -> Change | None:
            if self._expired(handle):
                expired.append(True)
                return None
            return decide(handle)

        result = await self._repository.apply(
            pseudonym, update_id=update_id, decide=decide_unless_expired
        )
        if expired:  # seen here first: the repository has not expired it yet
            await self._expire()
            return ChangeResult(Outcome.NO_DRAFT, None, expired=True)
        if result.expired:
            expired.append(True)
        return result

    async def _expire(self) -> None:
        count = await self._repository.expire_drafts()
        _log.info("expired drafts: %d", count)

    def _guess(self, respondent: Respondent, msgid: str) -> str:
        locale = locale_for(respondent.language_code, self._default_locale)
        return self._catalogs.gettext(locale, msgid)

    def _stale(self, respondent: Respondent) -> Notice:
        return Notice(self._guess(respondent, texts.STALE), transient=True)

    def _stale_in(self, locale: str) -> Notice:
        return Notice(self._catalogs.gettext(locale, texts.STALE), transient=True)

    async def _limit_reached(self, respondent: Respondent, locale: str) -> str:
        """The kind refusal at the cap on completed testimonies; the first one of the day is
        counted in the database, without anything that says whose (`oclep-admin stats`)."""
        if self._completion_cap.first_refusal(self._rate_pseudonym(respondent)):
            await self._repository.count_testimony_limit_refusal()
        count = self._completion_cap.per_day
        text = self._catalogs.ngettext(locale, texts.TESTIMONY_LIMIT_REACHED, count)
        return text.format(count=count)

    def _no_room(self, locale: str, room: TextRoom) -> str:
        if room.parts_left == 0:
            return self._catalogs.gettext(locale, texts.TEXT_FULL)
        text = self._catalogs.ngettext(locale, texts.TEXT_PART_TOO_LONG, room.chars_left)
        return text.format(chars=room.chars_left)


def _deletion(message_ref: int | None, *, discreet: bool) -> tuple[DeleteRespondentMessage, ...]:
    return (DeleteRespondentMessage(message_ref),) if discreet and message_ref else ()


def _answer_record(
    question_id: str, value: AnswerValue, *, append: bool, order: int | None = None
) -> bytes:
    """The plaintext of one sealed answer record (docs/architecture.md); `order` (a text
    part's message id) lets staff read parts in the order typed, whatever order they came."""
    record: dict[str, object] = {"q": question_id, "v": encode_answer(value)}
    if append:
        record["append"] = True
    if order is not None:
        record["o"] = order
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode()


def _mission_country(engine: Engine, routing: Mapping[str, NavigationValue]) -> str | None:
    """The country answer, when the draft keeps it readable; else currency words are asked."""
    for question in engine.questions:
        value = routing.get(question.id)
        if question.type == "country" and isinstance(value, str):
            return value
    return None
