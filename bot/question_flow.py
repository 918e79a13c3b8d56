"""The question on screen: what one act of the respondent does to the draft (no I/O).

`QuestionFlow.on_draft` is the body of the conversation's `decide`: it runs inside the
repository's transaction on the locked draft, and returns a `Step`, the change to store
with the replies that follow once it is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from bot import attachment_texts, texts
from bot.answer_memory import AnswerMemory
from bot.answer_order import arrived_late, stamped
from bot.answer_record import answer_record
from bot.callback_data import Action, QuestionToken, mask_arg
from bot.checkpoints import Checkpoints
from bot.draft_state import DraftState, decode_state, encode_state
from bot.multipart_answer import MultipartAnswer
from bot.replies import Closing, Done, Notice, Prompt, Reply
from bot.review import Review
from bot.screens import Screens, selected_codes
from bot.step import Act, Step
from bot.wording import Wording
from flows.answers import AnswerValue, NavigationValue
from flows.engine import Engine
from flows.model import (
    AttachmentsQuestion,
    ConsentQuestion,
    CountryQuestion,
    MultiQuestion,
    NoteQuestion,
    NumericQuestion,
    ProvinceQuestion,
    Question,
    TextQuestion,
)
from flows.parsing import (
    Accepted,
    ChoiceInput,
    RawInput,
    SkipInput,
    TextInput,
    means_done,
    parse_answer,
)
from storage.repository import Change, DraftHandle

Replies = tuple[Reply, ...]


class QuestionFlow:
    """Answers, moves back and forth, the review and the end, for one questionnaire."""

    def __init__(
        self,
        engine: Engine,
        wording: Wording,
        screens: Screens,
        checkpoints: Checkpoints,
        memory: AnswerMemory,
        *,
        clock: Callable[[], datetime],
    ) -> None:
        self._engine = engine
        self._memory = memory
        self._wording = wording
        self._screens = screens
        self._checkpoints = checkpoints
        self._review = Review(engine, wording.catalogs)
        self._parts = MultipartAnswer(wording, screens)
        self._clock = clock

    def on_draft(
        self,
        handle: DraftHandle,
        act: Act,
        *,
        token: QuestionToken | None,
        button_ref: int | None,
    ) -> Step:
        """The step `act` takes on the draft as stored (its screen, its message order)."""
        stored = decode_state(handle.state)
        draft = handle.submission_id
        state = replace(
            stored,
            prompt_ref=stored.prompt_ref if button_ref is None else button_ref,
            recalled=self._memory.answers(draft),
            ticked=self._memory.ticks(draft),
        )
        if token is not None and (
            token.step != state.step or token.question != self._screens.index_of(state.current)
        ):
            # The current screen again: the press may come from a screen whose update
            # was lost (bot/telegram/processor.py), and nothing is stored.
            step = Step(None, (self._wording.stale(state.locale), self._screens.question(stored)))
        elif act.text is not None and arrived_late(state, act.message_ref):
            late = Notice(self._wording.text(state.locale, texts.LATE_MESSAGE))
            step = Step(None, (late, self._screens.question(state)))
        else:
            step = self.decide(state, act)
            step = replace(step, change=stamped(state, step.change, act.message_ref))
        return replace(
            step,
            campaign=handle.campaign,
            locale=state.locale,
            discreet=state.discreet,
            draft=draft,
            questionnaire=handle.questionnaire.id,
            investigator=state.investigator,
            interview=state.interview,
        )

    def decide(self, state: DraftState, act: Act) -> Step:
        """The step `act` takes from `state`."""
        if state.on_review:
            return self._decide_review(state, act)
        question = self._engine.question(state.current)
        if act.action is Action.BACK:
            return self._back(state, question)
        return self._not_an_answer(state, question, act) or self._answer(state, question, act)

    def _not_an_answer(self, state: DraftState, question: Question, act: Act) -> Step | None:
        """The acts that answer nothing: "listo" (typed or pressed), skipping a multi-part
        text already begun, "Continuar" under a note."""
        if isinstance(question, AttachmentsQuestion):
            step = self._attachments_act(state, question, act)
            if step is not None:
                return step
        if act.text is not None and means_done(act.text):
            return self._typed_done(state, question)
        return self._moving_on(state, question, act)

    def _moving_on(self, state: DraftState, question: Question, act: Act) -> Step | None:
        """The buttons that leave or redraw a question without answering it; None when
        the act answers it (a skip too: the skip is recorded as the answer)."""
        if act.action is Action.SKIP and question.multipart and state.text_parts > 0:
            return Step(None, (self._checkpoints.discard_parts(state),))
        if act.action is Action.FINISH_TEXT:
            return self._finish(state, question)
        if act.action is Action.CONTINUE:
            return self._continue(state, question)
        if act.action is Action.RESUME:
            # From a checkpoint: the question itself, a note included (never past it).
            return Step(None, (self._screens.question(state),))
        return None

    def _attachments_act(
        self, state: DraftState, question: AttachmentsQuestion, act: Act
    ) -> Step | None:
        # «Listo» records how many files were sealed (bot/attachment_intake.py).
        if act.action is Action.FINISH_TEXT or (act.text is not None and means_done(act.text)):
            return self._record(state, question, state.files, order=None)
        if act.action is Action.SKIP and state.files:
            note = self._wording.text(state.locale, attachment_texts.SKIP_WITH_FILES)
            return Step(None, (self._screens.question(state, note=note.format(files=state.files)),))
        return None

    def toggle(self, state: DraftState, token: QuestionToken, ref: int | None) -> Reply:
        """A multi-select box ticked or unticked: the buttons again, nothing stored (the
        ticks live in the tokens only)."""
        if ref is not None:
            state = replace(state, prompt_ref=ref)
        question = self._screens.question_at(token.question)
        if (
            question is None
            or question.id != state.current
            or token.step != state.step
            or not isinstance(question, MultiQuestion)
            or token.mask >= 1 << len(question.choices)
        ):
            return self._wording.stale(state.locale)
        return self._screens.question(state, selection=token.mask)

    def done(self, receipt: str, step: Step, button_ref: int | None, link: str | None) -> Done:
        """The thanks with the receipt, once the completing step is stored; `link` is the
        bot link to pass on, if the channel has one."""
        prompt_ref = next(
            (r.message_ref for r in step.replies if isinstance(r, Prompt | Closing)),
            button_ref,
        )
        tr = self._wording.translator(step.locale)
        closing = self._engine.questionnaire.closing or "{receipt}"
        if step.interview:
            # Said to the interviewer, for the interviewee, who keeps the receipt.
            closing = texts.INTERVIEW_DONE
        text = tr(closing).replace("{receipt}", receipt)
        if link is not None:
            text = f"{text}\n\n{tr(texts.SHARE).format(link=link)}"
        return Done(text, receipt, link, prompt_ref)

    def _back(self, state: DraftState, question: Question) -> Step:
        previous = self._engine.previous_question(state.routing, before=question.id)
        if previous is None or isinstance(question, ConsentQuestion):
            text = self._wording.text(state.locale, texts.NO_EARLIER_QUESTION)
            return Step(None, (Notice(text, transient=True),))
        moved = replace(state, current=previous.id, step=state.step + 1, text_parts=0, text_chars=0)
        note = self._checkpoints.previous_answer(moved)
        return Step(Change(state=encode_state(moved)), (self._screens.question(moved, note=note),))

    def _typed_done(self, state: DraftState, question: Question) -> Step | None:
        """ "listo" typed: the «Listo» button of a multi-part text, or of a multi-select
        with the ticks last drawn on its screen; without them, a hint."""
        if question.multipart:
            return self._finish(state, question)
        if isinstance(question, MultiQuestion):
            ticked = state.ticked
            if ticked is not None and (ticked.question_id, ticked.step) == (
                question.id,
                state.step,
            ):
                return self._answer(state, question, Act(Action.SUBMIT, mask_arg(ticked.mask)))
            # The ticks live in the message and were not drawn by this process (a restart,
            # another worker): nothing to submit; the message stays as it is.
            hint = self._wording.text(state.locale, texts.MULTI_DONE_TYPED)
            return Step(None, (Notice(hint, transient=True),))
        return None

    def _continue(self, state: DraftState, question: Question) -> Step:
        if not isinstance(question, NoteQuestion):
            return Step(None, (self._screens.question(state),))
        nxt = self._engine.next_question(state.routing, after=question.id)
        return self._advance(state, nxt, answers=())

    def _answer(self, state: DraftState, question: Question, act: Act) -> Step:
        raw = _raw_input(question, act)
        if raw is None:
            return Step(None, (self._wording.stale(state.locale),))
        tr = self._wording.translator(state.locale)
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
            return Step(None, (prompt,))
        return self._record(state, question, parsed.value, order=act.message_ref)

    def _record(
        self, state: DraftState, question: Question, value: AnswerValue, *, order: int | None
    ) -> Step:
        routing = dict(state.routing)
        kept = self._engine.routing_value(question.id, value)
        if kept is None:
            routing.pop(question.id, None)
        else:
            routing[question.id] = kept
        answered = replace(state, routing=routing)
        if question.multipart and isinstance(value, str):
            return self._parts.record(state, answered, question, value, order=order)
        record = answer_record(question.id, value, append=False)
        stopped = self._engine.stopped(routing)
        if stopped is not None and stopped.question_id == question.id:
            message = stopped.message.render(self._wording.translator(state.locale))
            if stopped.outcome == "end":
                return Step(None, (Closing(message, state.prompt_ref),), withdraws=True)
            paused = replace(answered, step=state.step + 1, text_parts=0, text_chars=0)
            # Honest about what happens to a paused draft (docs/security.md).
            kept = self._wording.unfinished_kept(state.locale)
            closing = Closing(f"{message}\n\n{kept}", state.prompt_ref)
            change = Change(encode_state(paused), (record,))
            return Step(change, (closing,), kept={question.id: value})
        nxt = self._engine.next_question(routing, after=question.id)
        step = self._advance(answered, nxt, answers=(record,))
        return replace(step, kept={question.id: value})

    def _finish(self, state: DraftState, question: Question) -> Step:
        if not question.multipart or state.text_parts == 0:
            hint = texts.MULTI_HINT if isinstance(question, MultiQuestion) else texts.TEXT_NEEDED
            note = self._wording.text(state.locale, hint)
            return Step(None, (self._screens.question(state, note=note),))
        nxt = self._engine.next_question(state.routing, after=question.id)
        return self._advance(state, nxt, answers=())

    def _advance(
        self,
        state: DraftState,
        nxt: Question | None,
        *,
        answers: tuple[bytes, ...],
    ) -> Step:
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
            return Step(Change(encode_state(at_review), answers), (prompt,))
        moved = replace(state, current=nxt.id, step=state.step + 1, text_parts=0, text_chars=0)
        prompt = self._screens.question(moved)
        return Step(Change(encode_state(moved), answers), (prompt,))

    def _decide_review(self, state: DraftState, act: Act) -> Step:
        """On the review: change one answer, turn the page, or send."""
        if act.action is Action.SEND:
            return Step(Change(answers=(), complete=True), (), completes=True)
        if act.action is Action.REVIEW_PAGE:
            return Step(None, (self._review.prompt(state, int(act.arg)),))
        if act.action is Action.REVIEW_EDIT:
            question = self._screens.question_at(int(act.arg))
            if question is not None and question.id in (state.reviewed or ()):
                moved = replace(state, current=question.id, step=state.step + 1, on_review=False)
                note = self._checkpoints.previous_answer(moved)
                prompt = self._screens.question(moved, note=note)
                return Step(Change(state=encode_state(moved)), (prompt,))
        return Step(None, (self._review.prompt(state),))


def _mission_country(engine: Engine, routing: Mapping[str, NavigationValue]) -> str | None:
    """The country answer, when the draft keeps it readable; else currency words are asked."""
    for question in engine.questions:
        value = routing.get(question.id)
        if isinstance(question, CountryQuestion) and isinstance(value, str):
            return value
    return None


def _raw_input(question: Question, act: Act) -> RawInput | None:
    """The input a button press or a typed text stands for; None for a press that is stale
    or does not fit the question."""
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
        suggests = isinstance(
            question, NumericQuestion | CountryQuestion | ProvinceQuestion | TextQuestion
        )
        return ChoiceInput((act.arg,)) if suggests else None
    if act.action is Action.SUBMIT:
        mask = int(act.arg, 36)
        if not isinstance(question, MultiQuestion) or mask >= 1 << len(question.choices):
            return None
        return ChoiceInput(selected_codes(question, mask))
    return None
