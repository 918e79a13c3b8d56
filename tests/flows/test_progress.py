"""Progress: the position on the path and an estimate of the questions left."""

from flows.answers import SKIPPED
from flows.model import Question
from tests.flows.support import engine

FORM = """
- {id: a, type: yesno, text: Pregunta A}
- {id: b1, type: yesno, text: Rama 1, when: {q: a, in: [si]}}
- {id: b2, type: yesno, text: Rama 2, when: {q: a, in: [si]}}
- {id: c, type: yesno, text: Pregunta C}
- {id: d, type: yesno, text: Pregunta D, when: {q: c, in: [si]}}
- {id: e, type: text, text: Pregunta E}
"""


def test_at_the_start_every_question_that_may_come_is_counted() -> None:
    progress = engine(FORM).progress({}, current="a")
    assert (progress.position, progress.remaining_estimate) == (1, 5)
    assert progress.total_estimate == 6


def test_the_estimate_shrinks_when_a_branch_is_ruled_out() -> None:
    progress = engine(FORM).progress({"a": "no"}, current="c")
    assert (progress.position, progress.remaining_estimate) == (2, 2)


def test_position_counts_only_the_questions_on_the_path() -> None:
    flow = engine(FORM)
    progress = flow.progress({"a": "si", "b1": "no", "b2": SKIPPED, "c": "no"}, current="e")
    assert (progress.position, progress.remaining_estimate) == (5, 0)


def test_the_estimate_never_grows_along_a_path() -> None:
    flow = engine(FORM)
    answers: dict[str, str] = {}
    totals = []
    question: Question | None = flow.first_question()
    while question is not None:
        totals.append(flow.progress(answers, current=question.id).total_estimate)
        answers[question.id] = "no" if question.type == "yesno" else "x"
        question = flow.next_question(answers, after=question.id)
    assert totals == sorted(totals, reverse=True)
    assert totals[-1] == len(answers)
