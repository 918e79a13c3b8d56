"""The respondent's acts on the question on screen: answers, moves, consents, ticks.

The part of the conversation (`bot/conversation.py`) that changes a draft through
`Repository.apply`, with what follows once the change is stored: this sitting's memory,
the report an investigator is filing, the daily cap, and the thanks with the receipt.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot import texts
from bot.answer_memory import AnswerMemory, Ticks
from bot.callback_data import Action, ConsentToken, QuestionToken
from bot.completion_cap import CompletionCap
from bot.draft_state import decode_state
from bot.events import Respondent
from bot.opening import Opening
from bot.question_flow import QuestionFlow
from bot.replies import Notice, Prompt, Reply, deletion
from bot.served import ScreenSet
from bot.step import Act, Step
from bot.withdrawal import Withdrawal
from bot.wording import Wording
from storage.pseudonyms import DraftKey, Pseudonyms
from storage.receipts import normalize_receipt
from storage.repository import Decided, DraftHandle, Outcome, Repository

Replies = tuple[Reply, ...]


class Answering:
    """Applies acts to the respondent's draft, one questionnaire flow per questionnaire."""

    def __init__(
        self,
        repository: Repository,
        pseudonyms: Pseudonyms,
        wording: Wording,
        screens: ScreenSet,
        memory: AnswerMemory,
        *,
        opening: Opening,
        withdrawal: Withdrawal,
        cap: CompletionCap,
        clock: Callable[[], datetime],
    ) -> None:
        self._repository = repository
        self._pseudonyms = pseudonyms
        self._wording = wording
        self._screens = screens
        self._memory = memory
        self._opening = opening
        self._withdrawal = withdrawal
        self._cap = cap
        self._flows = {
            qid: QuestionFlow(
                each,
                wording,
                screens.of(qid),
                screens.checkpoints(qid),
                memory,
                clock=clock,
            )
            for qid, each in screens.engines.items()
        }
        # Accounts filing an investigator's report or interview now, and which one: their
        # flood limit is counted per report, not per account (in memory, like the limit).
        self._reports: dict[bytes, bytes] = {}

    def report_of(self, rate: bytes) -> bytes:
        """The report or interview the account with this RATE pseudonym is filing; empty
        for none."""
        return self._reports.get(rate, b"")

    async def consent(
        self, respondent: Respondent, token: ConsentToken, ref: int | None, update_id: int
    ) -> Replies:
        """A consent pressed (or typed): the draft opened, and the press as its answer."""
        key = self._pseudonym(respondent)
        opened = await self._opening.consent(respondent, key, token, ref, update_id=update_id)
        if not isinstance(opened, str):
            return opened
        # The draft is open: the press answers the consent question, as its button would.
        screens = self._screens.of(opened)
        consent = screens.index_of(self._screens.engine(opened).first_question().id)
        as_question = QuestionToken(Action.ANSWER, consent, 0, str(token.choice))
        act = Act(Action.ANSWER, as_question.arg)
        return await self.act(respondent, act, update_id, token=as_question, button_ref=ref)

    async def act(
        self,
        respondent: Respondent,
        act: Act,
        update_id: int,
        *,
        token: QuestionToken | None,
        button_ref: int | None,
    ) -> Replies:
        """One act on the question on screen, decided and stored in one transaction."""
        pseudonym = self._pseudonym(respondent)

        def decide(handle: DraftHandle) -> Decided[Step]:
            flow = self._flow_of(handle.questionnaire.id)
            step = flow.on_draft(handle, act, token=token, button_ref=button_ref)
            return Decided(step.change, step)

        result = await self._repository.apply(pseudonym, update_id=update_id, decide=decide)
        if result.outcome is Outcome.NO_DRAFT:
            return await self._without_draft(respondent, act, update_id, token, result.expired)
        if result.outcome is Outcome.DUPLICATE or result.decided is None:
            assert result.draft is not None
            state = decode_state(result.draft.state)
            return (
                *deletion(act.message_ref, discreet=state.discreet),
                self._screens.question(state),
            )
        step = result.decided
        rate = self._pseudonyms.rate(respondent.user_id)
        self._remember(step, rate, applied=result.outcome is Outcome.APPLIED)
        # Every typed message is deleted once handled in discreet mode, stored or not: a
        # rejected answer's note is shown in the prompt, so nothing is lost by deleting it.
        replies = (*deletion(act.message_ref, discreet=step.discreet), *step.replies)
        if step.withdraws:
            await self._repository.withdraw_unfinished(pseudonym)
        if step.completes and result.receipt is not None:
            replies = (*replies, self._completed(step, rate, result.receipt, button_ref))
        return replies

    def _remember(self, step: Step, rate: bytes, *, applied: bool) -> None:
        """This sitting's memory of the draft, and the report being filed, once the step is
        stored: kept while the draft is open, forgotten when it ends."""
        if step.completes or step.withdraws:
            self._memory.forget(step.draft)
            self._reports.pop(rate, None)
        elif applied:
            self._memory.keep(step.draft, step.kept)
            if step.investigator:
                self._reports[rate] = step.draft

    def _completed(self, step: Step, rate: bytes, receipt: str, button_ref: int | None) -> Reply:
        """The thanks with the receipt, the testimony counted against the daily cap."""
        if not step.investigator:  # an investigator files many reports in a day
            self._cap.completed(rate)
        return self._flow_of(step.questionnaire).done(
            receipt, step, button_ref, self._opening.share_link(step.investigator)
        )

    async def _without_draft(
        self,
        respondent: Respondent,
        act: Act,
        update_id: int,
        token: QuestionToken | None,
        expired: bool,
    ) -> Replies:
        """An act with no questionnaire open: a receipt or a consent typed, or a hint."""
        locale = self._wording.locale(respondent)
        if token is not None:
            return (self._wording.kept_notice(locale, texts.NOT_OPEN),)
        if act.text is not None and normalize_receipt(act.text) is not None:
            return await self._withdrawal.ask_receipt(act.text, act.message_ref, None, locale)
        typed = self._opening.typed_consent(respondent, act.text)
        if typed is not None:
            replies = await self.consent(respondent, typed, None, update_id)
            return (*deletion(act.message_ref, discreet=True), *replies)
        # Nothing is stored, but the text may be sensitive: discreet is the default.
        hint = (
            self._wording.kept_notice(locale, texts.NOT_OPEN)
            if expired
            else Notice(self._wording.text(locale, texts.START_HINT))
        )
        return (*deletion(act.message_ref, discreet=True), hint)

    async def toggle(
        self, respondent: Respondent, token: QuestionToken, ref: int | None
    ) -> Replies:
        """A multi-select box ticked or unticked: the buttons redrawn, nothing stored."""
        draft = (await self._repository.load(self._pseudonym(respondent))).draft
        if draft is None:
            return (self._wording.stale(self._wording.locale(respondent)),)
        state = decode_state(draft.state)
        reply = self._flow_of(draft.questionnaire.id).toggle(state, token, ref)
        if isinstance(reply, Prompt):  # drawn: "listo" typed now submits these ticks
            self._memory.tick(draft.submission_id, Ticks(state.current, state.step, token.mask))
        return (reply,)

    def _flow_of(self, questionnaire: str) -> QuestionFlow:
        return self._flows.get(questionnaire) or self._flows[self._screens.default]

    def _pseudonym(self, respondent: Respondent) -> DraftKey:
        return self._pseudonyms.draft_key(respondent.user_id)
