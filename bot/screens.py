"""Questions turned into prompts: translated texts, buttons with their tokens, progress."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot import texts
from bot.attachment_limits import FileLimits
from bot.attachment_texts import guide as attachment_guide
from bot.callback_data import (
    Action,
    ConsentToken,
    LanguageToken,
    QuestionToken,
    encode,
    mask_arg,
)
from bot.draft_state import DraftState
from bot.i18n import Catalogs, Translate
from bot.replies import Option, Progress, Prompt, Reply
from bot.review import Review
from bot.text_room import TextRoom
from flows.engine import Engine
from flows.model import Choice, Question

# Types where typing is the main way to answer (buttons, if any, are shortcuts).
TYPED_TYPES = frozenset(
    {"integer", "hours", "decimal", "percent", "money", "year", "country", "text"}
)


@dataclass(frozen=True)
class _Face:
    """A question's translated text (with its help line), attachment guide and labels."""

    text: str
    guide: str | None
    labels: tuple[str, ...]  # of `Question.all_choices()`, in order
    done: str
    continue_: str
    skip: str
    back: str


class _Buttons:
    """The options of one question's screen, built in the order they are shown."""

    def __init__(self, index: int, step: int, face: _Face) -> None:
        self._index = index
        self._step = step
        self._face = face
        self.options: list[Option] = []
        self._suggested: set[str] = set()

    def _add(self, label: str, action: Action, arg: str = "") -> None:
        token = encode(QuestionToken(action, self._index, self._step, arg))
        self.options.append(Option(label, token))

    def suggested(self, suggestions: Sequence[Choice], tr: Translate) -> None:
        """Each suggestion once, first; a suggestion that is also one of the question's own
        buttons is shown once, as the suggestion."""
        unique = {choice.code: choice for choice in reversed(suggestions)}
        for choice in [unique.pop(c.code) for c in suggestions if c.code in unique]:
            self._add(tr(choice.label), Action.SUGGESTION, choice.code)
            self._suggested.add(choice.code)

    def for_question(self, question: Question, selection: int) -> tuple[int, ...] | None:
        """The question's own buttons and navigation; the ticked options of a multi."""
        selected = None
        if question.type == "multi":
            selected = self._multi(question, selection)
        elif question.type == "note":
            self._add(self._face.continue_, Action.CONTINUE)
        else:
            self._choices(question)
        if question.skippable:
            self._add(self._face.skip, Action.SKIP)
            self._add(self._face.back, Action.BACK)
        return selected

    def _multi(self, question: Question, selection: int) -> tuple[int, ...]:
        selected: tuple[int, ...] = ()
        for i in range(len(question.choices)):
            ticked = bool(selection >> i & 1)
            if ticked:
                selected += (len(self.options),)
            label = (texts.SELECTED_MARK if ticked else "") + self._face.labels[i]
            self._add(label, Action.TOGGLE, mask_arg(toggled(question, selection, i)))
        self._add(self._face.done, Action.SUBMIT, mask_arg(selection))
        return selected

    def _choices(self, question: Question) -> None:
        for i, choice in enumerate(question.all_choices()):
            if choice.code not in self._suggested:
                self._add(self._face.labels[i], Action.ANSWER, str(i))
        if question.multipart or question.type == "attachments":
            self._add(self._face.done, Action.FINISH_TEXT)


class Screens:
    """Renders the questionnaire message for one engine and the catalogs."""

    def __init__(
        self, engine: Engine, catalogs: Catalogs, file_limits: FileLimits | None = None
    ) -> None:
        self._engine = engine
        self._catalogs = catalogs
        self._file_limits = file_limits or FileLimits()
        self._index = {question.id: i for i, question in enumerate(engine.questions)}
        self._review = Review(engine, catalogs)
        # Per (question, locale): the translated texts and labels, the same for every draft
        # (bounded by the questionnaire's size times the locales).
        self._faces: dict[tuple[str, str], _Face] = {}

    def index_of(self, question_id: str) -> int:
        """The question's index in engine order (carried by tokens)."""
        return self._index[question_id]

    def question_at(self, index: int) -> Question | None:
        """The question at a token's index, or None for an index out of range."""
        questions = self._engine.questions
        return questions[index] if 0 <= index < len(questions) else None

    def question(
        self,
        state: DraftState,
        *,
        note: str | None = None,
        selection: int = 0,
        suggestions: Sequence[Choice] = (),
        fresh: bool = False,
    ) -> Prompt:
        """The prompt of the question on screen in `state` (or the review, when it is shown)."""
        if state.on_review:
            return replace(self._review.prompt(state, note=note), fresh=fresh)
        question = self._engine.question(state.current)
        face = self._face(question, state.locale)
        buttons = _Buttons(self._index[question.id], state.step, face)
        buttons.suggested(suggestions, self._catalogs.translator(state.locale))
        selected = buttons.for_question(question, selection)
        return Prompt(
            text=self._text(question, face, state),
            options=tuple(buttons.options),
            progress=self._progress(state) if question.type != "consent" else None,
            accepts_text=question.type in TYPED_TYPES,
            selected=selected,
            note=note,
            message_ref=state.prompt_ref,
            fresh=fresh,
        )

    def _face(self, question: Question, locale: str) -> _Face:
        """What the question shows in `locale` whatever the draft, translated once."""
        face = self._faces.get((question.id, locale))
        if face is None:
            tr = self._catalogs.translator(locale)
            text = tr(question.text)
            help_text = question.help or (texts.MULTI_HINT if question.type == "multi" else None)
            if help_text:
                text = f"{text}\n\n{tr(help_text)}"
            guide = None
            if question.type == "attachments":
                guide = attachment_guide(tr, self._file_limits)
            face = _Face(
                text=text,
                guide=guide,
                labels=tuple(tr(choice.label) for choice in question.all_choices()),
                done=tr(texts.DONE),
                continue_=tr(texts.CONTINUE),
                skip=tr(texts.SKIP),
                back=tr(texts.BACK),
            )
            self._faces[(question.id, locale)] = face
        return face

    def _text(self, question: Question, face: _Face, state: DraftState) -> str:
        text = face.text
        if question.multipart:
            text = f"{text}\n{self._room(state)}".rstrip()
        if face.guide is not None:
            text = f"{text}\n\n{face.guide}"
        return text

    def on_screen(self, state: DraftState | None, *notices: Reply) -> tuple[Reply, ...]:
        """Notices, and the question on screen again when a questionnaire is open: a channel
        shows the notices inside the questionnaire message (Telegram: above the question, gone
        at the next screen) instead of leaving one more message in the chat."""
        if state is None or not notices:
            return notices
        # With discreet mode off, the command stays in the chat: the question comes below it.
        return (*notices, self.question(state, fresh=not state.discreet))

    def consent(
        self,
        locale: str,
        campaign: str | None,
        *,
        message_ref: int | None = None,
        fresh: bool = False,
    ) -> Prompt:
        """The consent question before any draft exists: the campaign rides in the tokens."""
        tr = self._catalogs.translator(locale)
        question = self._engine.first_question()
        options = [
            Option(tr(choice.label), encode(ConsentToken(locale, i, campaign)))
            for i, choice in enumerate(question.choices)
        ]
        other = "en" if locale == "es" else "es"
        switch = texts.SWITCH_TO_ENGLISH if other == "en" else texts.SWITCH_TO_SPANISH
        options.append(Option(switch, encode(LanguageToken(other, campaign))))
        return Prompt(
            text=tr(question.text),
            options=tuple(options),
            message_ref=message_ref,
            fresh=fresh,
        )

    def languages(
        self, locale: str, *, message_ref: int | None, campaign: str | None = None
    ) -> Prompt:
        """The /idioma picker."""
        options = tuple(
            Option(name, encode(LanguageToken(code, campaign)))
            for code, name in texts.LANGUAGE_NAMES.items()
        )
        return Prompt(
            text=self._catalogs.gettext(locale, texts.CHOOSE_LANGUAGE),
            options=options,
            message_ref=message_ref,
            fresh=True,
        )

    def _room(self, state: DraftState) -> str:
        """What a multi-part text may still take, said from the first part on; nothing once
        it is full (the note says so)."""
        room = TextRoom(state.text_parts, state.text_chars)
        if not room.fits(1):
            return ""
        text = self._catalogs.ngettext(state.locale, texts.TEXT_ROOM, room.parts_left)
        return text.format(parts=room.parts_left, chars=room.chars_left)

    def _progress(self, state: DraftState) -> Progress:
        progress = self._engine.progress(state.routing, current=state.current)
        label = self._catalogs.ngettext(
            state.locale, texts.PROGRESS, progress.total_estimate
        ).format(position=progress.position, total=progress.total_estimate)
        return Progress(progress.position, progress.total_estimate, label)


def toggled(question: Question, mask: int, index: int) -> int:
    """The selection after pressing choice `index`: an exclusive choice ("ninguna") clears the
    others, any other choice clears the exclusive ones."""
    bit = 1 << index
    if mask & bit:
        return mask & ~bit
    if question.choices[index].exclusive:
        return bit
    exclusive = sum(1 << i for i, c in enumerate(question.choices) if c.exclusive)
    return (mask & ~exclusive) | bit


def selected_codes(question: Question, mask: int) -> tuple[str, ...]:
    """The codes a selection bitmask names, in definition order."""
    return tuple(c.code for i, c in enumerate(question.choices) if mask >> i & 1)
