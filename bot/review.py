"""The review before sending: the questions answered, each with a button to change it.

The server holds no key that opens an answer: only routing answers stay readable in the draft
(docs/security.md). So the review lists every question on the respondent's path and shows the
answer where the draft holds it (the role, the sector, a Sí/No that routes...); any other
answer is sealed to the staff key and shown as "guardada". Each question has a button to
change it. Changing an answer runs relevance again: questions that become relevant are asked,
questions already listed are not asked again, and the review comes back. "Enviar" submits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from bot import texts
from bot.callback_data import Action, QuestionToken, encode
from bot.draft_state import DraftState
from bot.i18n import Catalogs, Translate
from bot.replies import Option, Prompt
from bot.shown_answers import shown_in_state
from flows.answers import NavigationValue
from flows.engine import Engine
from flows.model import Question

PAGE_SIZE: Final = 10
_QUESTION_CHARS: Final = 90  # of each question's text in the list; the buttons carry numbers


class Review:
    """Which questions the review lists, and its pages."""

    def __init__(self, engine: Engine, catalogs: Catalogs) -> None:
        self._engine = engine
        self._catalogs = catalogs
        self._index = {question.id: i for i, question in enumerate(engine.questions)}

    def listed(self, routing: Mapping[str, NavigationValue]) -> tuple[str, ...]:
        """The questions on the path that can be changed (consent and safety check are not)."""
        relevant = self._engine.relevant_ids(routing)
        return tuple(
            question.id
            for question in self._engine.questions
            if question.answerable and question.stop is None and question.id in relevant
        )

    def next_to_ask(self, state: DraftState, after: str) -> Question | None:
        """After a changed answer: the next question newly on the path, or None (review)."""
        seen = set(state.reviewed or ())
        question = self._engine.next_question(state.routing, after=after)
        while question is not None and question.id in seen:
            question = self._engine.next_question(state.routing, after=question.id)
        return question

    def page_of(self, state: DraftState, question_id: str) -> int:
        """The page that lists a question (to come back to after changing it)."""
        listed = state.reviewed or ()
        return listed.index(question_id) // PAGE_SIZE if question_id in listed else 0

    def prompt(self, state: DraftState, page: int = 0, *, note: str | None = None) -> Prompt:
        """One page of the review, with "Enviar" on every page."""
        tr = self._catalogs.translator(state.locale)
        listed = state.reviewed or ()
        pages = max(1, -(-len(listed) // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        here = self._index[state.current]

        def token(action: Action, arg: str = "") -> str:
            return encode(QuestionToken(action, here, state.step, arg))

        lines = [tr(texts.REVIEW_TITLE)]
        options: list[Option] = []
        for number, question_id in enumerate(listed, start=1):
            if (number - 1) // PAGE_SIZE != page:
                continue
            question = self._engine.question(question_id)
            lines.append(
                f"{number}. {_short(tr(question.text))}\n   {self._shown(question, state, tr)}"
            )
            label = tr(texts.REVIEW_CHANGE).format(n=number)
            options.append(Option(label, token(Action.REVIEW_EDIT, str(self._index[question_id]))))
        if page > 0:
            options.append(
                Option(tr(texts.REVIEW_PREVIOUS), token(Action.REVIEW_PAGE, str(page - 1)))
            )
        if page < pages - 1:
            options.append(Option(tr(texts.REVIEW_NEXT), token(Action.REVIEW_PAGE, str(page + 1))))
        options.append(Option(tr(texts.SEND), token(Action.SEND)))
        return Prompt("\n\n".join(lines), tuple(options), message_ref=state.prompt_ref, note=note)

    def _shown(self, question: Question, state: DraftState, tr: Translate) -> str:
        shown = shown_in_state(question, state, tr)
        return tr(texts.REVIEW_SEALED) if shown is None else shown


def _short(text: str) -> str:
    first = text.split("\n", 1)[0]
    return first if len(first) <= _QUESTION_CHARS else first[: _QUESTION_CHARS - 1] + "…"
