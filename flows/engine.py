"""Navigation through a questionnaire: next, back, relevance, pruning, progress, routing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

from flows.answers import ANSWERED, AnswerValue, NavigationValue, Skipped
from flows.conditions import PENDING, Compiled, Pending, compile_condition
from flows.loader import definition_hash
from flows.messages import Message
from flows.model import (
    AllOf,
    Condition,
    IsAnswered,
    Question,
    Questionnaire,
    YearQuestion,
    condition_atoms,
    condition_questions,
)


@dataclass(frozen=True)
class PathProgress:
    """Where the respondent is: 1-based position and an estimate of the questions left."""

    position: int
    remaining_estimate: int

    @property
    def total_estimate(self) -> int:
        return self.position + self.remaining_estimate


@dataclass(frozen=True)
class Stopped:
    """An answer that ends (`end`) or pauses (`pause`) the questionnaire, with its message."""

    question_id: str
    outcome: Literal["end", "pause"]
    message: Message


_Value = TypeVar("_Value", bound=NavigationValue)
# A question reduced to what relevance needs: id, compiled `when`, answerable, stop codes.
_CompiledQuestion = tuple[str, Compiled | None, bool, frozenset[str]]
# A module reduced to its compiled `when` and its compiled questions, in order.
_CompiledModule = tuple[Compiled | None, tuple[_CompiledQuestion, ...]]


class Engine:
    """Pure navigation over one questionnaire; every method takes the answers given so far.

    Relevance is computed in one pass in questionnaire order: a question is relevant when
    no earlier answer stopped the questionnaire and its module's and its own `when` hold on
    the answers of the *relevant* earlier questions. Answers left on branches that are no
    longer relevant therefore never route, and `prune` drops them. Conditions refer only to
    earlier questions, so navigation needs only the routing answers (`routing_questions`).
    """

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.questionnaire = questionnaire
        self.hash = definition_hash(questionnaire)
        self.questions: tuple[Question, ...] = questionnaire.questions()
        self._index = {q.id: i for i, q in enumerate(self.questions)}
        self._conditions: tuple[Condition | None, ...] = tuple(
            _combined(questionnaire.module_of(q.id).when, q.when) for q in self.questions
        )
        self._value_needed, self._answered_only = self._routing_sets()
        self._compiled_conditions: tuple[Compiled | None, ...] = tuple(
            None if c is None else compile_condition(c) for c in self._conditions
        )
        # Relevance runs several times per event over every question: dispatch on each
        # condition's shape once here rather than on every evaluation.
        self._compiled_modules: tuple[_CompiledModule, ...] = tuple(
            (
                None if module.when is None else compile_condition(module.when),
                tuple(
                    (
                        q.id,
                        None if q.when is None else compile_condition(q.when),
                        q.answerable,
                        frozenset() if q.stop is None else frozenset(q.stop.codes),
                    )
                    for q in module.questions
                ),
            )
            for module in questionnaire.modules
        )
        self.routing_questions: frozenset[str] = self._value_needed | self._answered_only

    # -- lookups ---------------------------------------------------------------------------

    def question(self, question_id: str) -> Question:
        """The question with this id; KeyError if none."""
        return self.questions[self._index[question_id]]

    # -- navigation ------------------------------------------------------------------------

    def first_question(self) -> Question:
        """The first question every respondent sees."""
        found = self.next_question({}, after=None)
        assert found is not None, "a questionnaire's first question has no condition to fail"
        return found

    def next_question(
        self, answers: Mapping[str, NavigationValue], after: str | None
    ) -> Question | None:
        """The next relevant question after `after` (None: from the start); None at the end."""
        start = -1 if after is None else self._index[after]
        relevant = self._relevant_ids(answers)
        for question in self.questions[start + 1 :]:
            if question.id in relevant:
                return question
        return None

    def previous_question(
        self, answers: Mapping[str, NavigationValue], before: str
    ) -> Question | None:
        """The relevant question before `before`, for "Atrás"; None at the first one."""
        relevant = self._relevant_ids(answers)
        for question in reversed(self.questions[: self._index[before]]):
            if question.id in relevant:
                return question
        return None

    def is_relevant(self, question_id: str, answers: Mapping[str, NavigationValue]) -> bool:
        """Whether the question is on the respondent's path given the answers."""
        return question_id in self._relevant_ids(answers)

    def relevant_ids(self, answers: Mapping[str, NavigationValue]) -> frozenset[str]:
        """The questions on the respondent's path given the answers (`is_relevant` for many
        questions at once: one pass over the questionnaire instead of one per question)."""
        return frozenset(self._relevant_ids(answers))

    def stopped(self, answers: Mapping[str, NavigationValue]) -> Stopped | None:
        """The stop (end or pause) an answer on the path triggered, if any."""
        effective = self.prune(answers)
        for question in self.questions:
            stop = question.stop
            value = effective.get(question.id)
            if stop is not None and isinstance(value, str) and value in stop.codes:
                return Stopped(question.id, stop.outcome, Message(stop.message))
        return None

    def prune(self, answers: Mapping[str, NavigationValue]) -> dict[str, NavigationValue]:
        """The answers of relevant questions only (in questionnaire order); idempotent."""
        return self._pruned(answers)

    def prune_answers(self, answers: Mapping[str, AnswerValue]) -> dict[str, AnswerValue]:
        """`prune` for complete answers (no routing placeholders), keeping the precise type."""
        return self._pruned(answers)

    def progress(self, answers: Mapping[str, NavigationValue], current: str) -> PathProgress:
        """Position of `current` on the path and how many questions may still follow.

        The estimate counts every later question that is not ruled out yet: a condition on a
        question still to come counts as possibly true, so the estimate only shrinks.
        """
        relevant = self._relevant_ids(answers)
        here = self._index[current]
        position = 1 + sum(1 for q in self.questions[:here] if q.id in relevant)
        possible: set[str] = set()

        def lookup(question_id: str) -> NavigationValue | Pending | None:
            if self._index[question_id] >= here and question_id not in answers:
                return PENDING if question_id in possible or question_id == current else None
            return answers.get(question_id) if question_id in relevant else None

        for index in range(here + 1, len(self.questions)):
            question = self.questions[index]
            condition = self._compiled_conditions[index]
            if condition is None or condition(lookup, None) is not False:
                possible.add(question.id)
        return PathProgress(position=position, remaining_estimate=len(possible))

    # -- routing ---------------------------------------------------------------------------

    def routing_value(self, question_id: str, value: NavigationValue) -> NavigationValue | None:
        """What the server may keep readable for navigation: the value, ANSWERED, or nothing.

        A question only ever tested with `answered:` (such as the free-text testimony) is
        kept as ANSWERED, never its content; a question no condition reads is not kept.
        """
        if question_id in self._value_needed:
            return value
        if question_id in self._answered_only:
            return value if isinstance(value, Skipped) else ANSWERED
        return None

    # -- internals -------------------------------------------------------------------------

    def _relevant_ids(self, answers: Mapping[str, NavigationValue]) -> set[str]:
        relevant: set[str] = set()
        effective: dict[str, NavigationValue] = {}
        read = effective.get  # conditions read the answers of relevant questions only
        for module_when, questions in self._compiled_modules:
            # A module's condition reads only questions before the module: evaluate it once.
            if module_when is not None and module_when(read, None) is not True:
                continue
            for question_id, when, answerable, stop_codes in questions:
                if when is not None and when(read, None) is not True:
                    continue
                relevant.add(question_id)
                value = answers.get(question_id)
                if value is None or not answerable:
                    continue
                effective[question_id] = value
                if isinstance(value, str) and value in stop_codes:
                    return relevant  # nothing after an answer that ends or pauses
        return relevant

    def _pruned(self, answers: Mapping[str, _Value]) -> dict[str, _Value]:
        # The relevance pass of `_relevant_ids`, keeping the answers as it goes: a report
        # prunes every submission, and one pass costs half of relevance then a filter. The
        # kept answers are exactly the effective ones conditions read (a compiled condition
        # reads a missing answer and a None alike), in questionnaire order.
        kept: dict[str, _Value] = {}
        read = kept.get
        for module_when, questions in self._compiled_modules:
            if module_when is not None and module_when(read, None) is not True:
                continue
            for question_id, when, answerable, stop_codes in questions:
                if not answerable or question_id not in answers:
                    continue
                if when is not None and when(read, None) is not True:
                    continue
                value = kept[question_id] = answers[question_id]
                if isinstance(value, str) and value in stop_codes:
                    return kept  # nothing after an answer that ends or pauses
        return kept

    def _routing_sets(self) -> tuple[frozenset[str], frozenset[str]]:
        value_needed: set[str] = set()
        answered_only: set[str] = set()
        for question, condition in zip(self.questions, self._conditions, strict=True):
            if question.stop is not None:
                value_needed.add(question.id)
            if isinstance(question, YearQuestion) and question.min_from is not None:
                value_needed.add(question.min_from)
            if condition is None:
                continue
            for atom in condition_atoms(condition):
                target = condition_questions(atom)
                if not target:
                    continue
                (answered_only if isinstance(atom, IsAnswered) else value_needed).add(target[0])
        return frozenset(value_needed), frozenset(answered_only - value_needed)


def _combined(module_when: Condition | None, question_when: Condition | None) -> Condition | None:
    if module_when is None:
        return question_when
    if question_when is None:
        return module_when
    return AllOf.model_validate({"all": [module_when, question_when]})
