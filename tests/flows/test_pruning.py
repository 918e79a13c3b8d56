"""Changing an answer drops the answers of branches that are no longer relevant."""

from flows.answers import SKIPPED, AnswerValue
from tests.flows.support import engine

NESTED = """
- {id: a, type: yesno, text: Pregunta A}
- {id: b, type: yesno, text: Pregunta B, when: {q: a, in: [si]}}
- {id: c, type: integer, text: Pregunta C, when: {q: b, in: [si]}}
- {id: d, type: text, text: Pregunta D}
- {id: n, type: note, text: Nota}
"""


def test_changing_an_answer_drops_the_dependent_branch_and_its_sub_branch() -> None:
    flow = engine(NESTED)
    answers: dict[str, AnswerValue] = {"a": "no", "b": "si", "c": 4, "d": "texto"}
    assert flow.prune(answers) == {"a": "no", "d": "texto"}


def test_relevant_answers_are_kept_in_questionnaire_order() -> None:
    flow = engine(NESTED)
    answers: dict[str, AnswerValue] = {"d": "texto", "c": 4, "b": "si", "a": "si"}
    assert list(flow.prune(answers)) == ["a", "b", "c", "d"]


def test_skipped_answers_are_kept_and_route_as_false() -> None:
    flow = engine(NESTED)
    assert flow.prune({"a": "si", "b": SKIPPED, "c": 4}) == {"a": "si", "b": SKIPPED}


def test_unknown_ids_and_notes_are_dropped() -> None:
    flow = engine(NESTED)
    assert flow.prune({"a": "no", "zzz": "x", "n": "x"}) == {"a": "no"}


def test_pruning_is_idempotent() -> None:
    flow = engine(NESTED)
    once = flow.prune({"a": "no", "b": "si", "c": 4})
    assert flow.prune(once) == once


def test_a_stale_answer_never_routes() -> None:
    # c's stale answer must not make anything after it relevant once b is gone.
    flow = engine(NESTED + "- {id: e, type: yesno, text: Pregunta E, when: {q: c, gte: 1}}\n")
    assert not flow.is_relevant("e", {"a": "no", "b": "si", "c": 4})
    assert flow.is_relevant("e", {"a": "si", "b": "si", "c": 4})


def test_relevant_ids_are_the_questions_is_relevant_accepts() -> None:
    flow = engine(NESTED)
    for answers in ({}, {"a": "no"}, {"a": "si"}, {"a": "si", "b": "si"}, {"a": "si", "b": "no"}):
        expected = {q.id for q in flow.questions if flow.is_relevant(q.id, answers)}
        assert flow.relevant_ids(answers) == expected
    assert flow.relevant_ids({"a": "si", "b": "si"}) == {"a", "b", "c", "d", "n"}
    assert flow.relevant_ids({"a": "no"}) == {"a", "d", "n"}
