"""Property tests over random answer paths through testimonio.yaml."""

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.answers import SKIPPED, AnswerValue, NavigationValue
from flows.engine import Engine
from flows.model import Question
from flows.parsing import (
    Accepted,
    ChoiceInput,
    RawInput,
    Rejected,
    SkipInput,
    TextInput,
    parse_answer,
)
from tests.flows.support import load_testimonio

TESTIMONIO = load_testimonio()
ENGINE = Engine(TESTIMONIO)
QUESTIONS = [q for q in TESTIMONIO.questions() if q.answerable]
TODAY = 2025
MAX_BACKS = 8
START_YEARS: list[dict[str, AnswerValue]] = [{}, {"anio_inicio": 2015}, {"anio_inicio": SKIPPED}]
PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def valid_input(question: Question) -> st.SearchStrategy[RawInput]:
    """Inputs a respondent could plausibly give (some may still be rejected: e.g. years)."""
    codes = [c.code for c in question.all_choices()]
    if question.type == "consent":
        return st.sampled_from(["acepto"] * 5 + ["no_acepto"]).map(lambda c: ChoiceInput((c,)))
    if question.id == "lugar_seguro":
        return st.sampled_from(["si"] * 5 + ["no"]).map(lambda c: ChoiceInput((c,)))
    if question.type == "multi":
        plain = [c.code for c in question.choices if not c.exclusive]
        exclusive = [c.code for c in question.choices if c.exclusive]
        picks = st.lists(st.sampled_from(plain), min_size=1, unique=True).map(tuple)
        if exclusive:
            picks = picks | st.sampled_from(exclusive).map(lambda c: (c,))
        return picks.map(ChoiceInput)
    if question.type in ("single", "yesno", "country", "province"):
        return st.sampled_from(codes).map(lambda c: ChoiceInput((c,)))
    if question.type == "year":
        years = st.integers(1978, TODAY + 1).map(lambda y: TextInput(str(y)))
        return years | st.sampled_from(codes).map(lambda c: ChoiceInput((c,))) if codes else years
    if question.type == "integer":
        return st.integers(-5, 150).map(lambda n: TextInput(str(n)))
    if question.type == "money":
        amounts = st.integers(0, 120_000)
        return st.tuples(amounts, st.sampled_from(["USD", "EUR", "$", "euros", ""])).map(
            lambda pair: TextInput(f"{pair[0]} {pair[1]}".strip())
        )
    return st.text(min_size=1, max_size=60).map(TextInput)


def garbage_input() -> st.SearchStrategy[RawInput]:
    return st.one_of(
        st.text(max_size=300).map(TextInput),
        st.lists(st.text(max_size=20), max_size=4).map(lambda c: ChoiceInput(tuple(c))),
        st.lists(
            st.sampled_from(["si", "no", "_skip", "ninguna", "VE", "sigue", "acepto", "1_6h"]),
            max_size=3,
        ).map(lambda c: ChoiceInput(tuple(c))),
        st.just(SkipInput()),
    )


def routing_view(answers: dict[str, AnswerValue]) -> dict[str, NavigationValue]:
    kept: dict[str, NavigationValue] = {}
    for question_id, value in answers.items():
        routed = ENGINE.routing_value(question_id, value)
        if routed is not None:
            kept[question_id] = routed
    return kept


def walk(data: st.DataObject, answers: dict[str, AnswerValue], start: Question | None) -> int:
    """Answer, skip, go back or type garbage until the end; returns the steps taken."""
    question = start
    backs = 0
    steps = 0
    while question is not None:
        steps += 1
        assert steps < 1000, "a path must end"
        # Only relevant questions are ever asked.
        assert ENGINE.is_relevant(question.id, answers), question.id
        routed = routing_view(answers)
        assert ENGINE.next_question(routed, question.id) == ENGINE.next_question(
            answers, question.id
        )
        if not question.answerable:
            question = ENGINE.next_question(answers, question.id)
            continue
        skip = parse_answer(question, SkipInput(), TODAY, routed)
        if question.type == "consent":
            assert isinstance(skip, Rejected)
        else:
            assert skip == Accepted(SKIPPED)
        action = data.draw(st.sampled_from(["answer"] * 6 + ["skip", "back", "garbage"]))
        if action == "back" and backs < MAX_BACKS:
            backs += 1
            question = ENGINE.previous_question(answers, question.id) or question
            continue
        raw = data.draw(garbage_input() if action == "garbage" else valid_input(question))
        if action == "skip":
            raw = SkipInput()
        result = parse_answer(question, raw, TODAY, routed)
        if isinstance(result, Rejected):
            if not question.skippable:
                continue  # consent: ask again
            result = Accepted(SKIPPED)
        answers[question.id] = result.value
        pruned = ENGINE.prune_answers(answers)
        answers.clear()
        answers.update(pruned)
        question = ENGINE.next_question(answers, question.id)
    return steps


@PROPERTY_SETTINGS
@given(st.data())
def test_every_path_ends_asking_only_relevant_questions(data: st.DataObject) -> None:
    answers: dict[str, AnswerValue] = {}
    walk(data, answers, ENGINE.first_question())
    assert ENGINE.prune(answers) == answers
    assert all(ENGINE.is_relevant(q, answers) for q in answers)


@PROPERTY_SETTINGS
@given(st.data())
def test_back_then_a_different_answer_drops_the_branches_left(data: st.DataObject) -> None:
    answers: dict[str, AnswerValue] = {}
    walk(data, answers, ENGINE.first_question())
    changeable = [
        q
        for q in QUESTIONS
        if q.id in answers and q.id in ENGINE.routing_questions and q.type != "text"
    ]
    if not changeable:
        return
    target = data.draw(st.sampled_from(changeable))
    before = dict(answers)
    raw = data.draw(valid_input(target))
    result = parse_answer(target, raw, TODAY, routing_view(answers))
    new_value: AnswerValue = result.value if isinstance(result, Accepted) else SKIPPED
    if not target.skippable and new_value is SKIPPED:
        return
    changed = {**answers, target.id: new_value}
    after = ENGINE.prune_answers(changed)
    for question_id, value in before.items():
        if question_id == target.id:
            continue
        if ENGINE.is_relevant(question_id, after):
            assert after[question_id] == value  # unaffected answers stay
        else:
            assert question_id not in after  # answers of branches now closed are dropped
    # Continuing from the changed answer walks to the end through relevant questions only.
    walk(data, after, ENGINE.next_question(after, target.id))


@PROPERTY_SETTINGS
@given(st.data())
def test_pruning_is_idempotent_on_arbitrary_answer_sets(data: st.DataObject) -> None:
    answers: dict[str, Any] = {}
    for question in data.draw(st.lists(st.sampled_from(QUESTIONS), unique_by=lambda q: q.id)):
        result = parse_answer(question, data.draw(valid_input(question)), TODAY)
        answers[question.id] = result.value if isinstance(result, Accepted) else SKIPPED
    once = ENGINE.prune(answers)
    assert ENGINE.prune(once) == once
    assert all(ENGINE.is_relevant(q, once) for q in once)
    assert set(once) <= set(answers)


@pytest.mark.parametrize("question", TESTIMONIO.questions(), ids=lambda q: q.id)
@settings(max_examples=25, deadline=None)
@given(raw=garbage_input(), answers=st.sampled_from(START_YEARS))
def test_respondent_input_never_raises(
    question: Question, raw: RawInput, answers: dict[str, AnswerValue]
) -> None:
    result = parse_answer(question, raw, TODAY, answers)
    assert isinstance(result, Accepted | Rejected)
    if isinstance(result, Rejected):
        assert result.message.msgid
        result.message.render()  # every message formats with its own parameters
