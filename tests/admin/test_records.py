"""Final records: pruning and figures read the definition as the engine's rules say.

`final_record` prunes with one pass that keeps answers as it decides relevance, and derives
with each shared `applies_when` decided once per submission: both are checked here against
the plain definitions (`Engine.is_relevant`, `flows.conditions.holds`) on arbitrary answer
sets of the shipped questionnaire, read from sealed-record plaintexts as the reader gives them.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from admin_cli.records import DefinitionCatalog, final_record
from flows.answers import SKIPPED, AnswerValue, Money, encode_answer
from flows.conditions import holds
from flows.derive import Figure
from flows.engine import Engine
from flows.model import Question
from storage.reader import DecryptedSubmission, RecordDecoder, SubmissionMeta
from storage.repository import QuestionnaireRef
from tests.flows.support import load_testimonio

TESTIMONIO = load_testimonio()
ENGINE = Engine(TESTIMONIO)
CATALOG = DefinitionCatalog([TESTIMONIO])
ANSWERABLE = [q for q in ENGINE.questions if q.answerable]


def _values(question: Question) -> st.SearchStrategy[AnswerValue]:
    """Any value the question could hold, and some it should not (a stale or odd record).
    Mostly choice codes: those are what conditions test, so branches open and close."""
    codes = [c.code for c in question.all_choices()] or ["x"]
    return st.one_of(
        st.sampled_from(codes),
        st.sampled_from(codes),
        st.sampled_from(codes),
        st.lists(st.sampled_from(codes), min_size=1, max_size=3, unique=True).map(tuple),
        st.just(SKIPPED),
        st.integers(-5, 3000),
        st.decimals(-10, 200, places=2),
        st.builds(Money, st.decimals(0, 9000, places=2), st.sampled_from(["USD", "EUR", "CUP"])),
        st.text(max_size=12),
    )


@st.composite
def _answer_records(draw: st.DrawFn) -> list[bytes]:
    """A submission's answer records: questions in any order, some answered twice."""
    asked = draw(st.lists(st.sampled_from(ANSWERABLE), max_size=80))
    return [
        json.dumps(
            {"q": q.id, "v": encode_answer(draw(_values(q)))},
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode()
        for q in asked
    ]


def _submission(records: list[bytes], decoder: RecordDecoder) -> DecryptedSubmission:
    meta = SubmissionMeta(
        id=bytes(16),
        status="complete",
        created_on=date(2025, 3, 1),
        completed_on=date(2025, 3, 2),
        campaign=None,
        questionnaire=QuestionnaireRef(TESTIMONIO.id, TESTIMONIO.version, ENGINE.hash),
        key_id=bytes(8),
        answer_count=len(records),
    )
    return DecryptedSubmission(meta, tuple(records), decoder)


PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DECODER = RecordDecoder()  # shared, as across one read


@PROPERTY
@given(_answer_records())
def test_pruning_keeps_exactly_the_relevant_answers_in_questionnaire_order(
    records: list[bytes],
) -> None:
    submission = _submission(records, DECODER)
    given_answers = submission.answers
    expected = {
        q.id: given_answers[q.id]
        for q in ENGINE.questions
        if q.answerable and q.id in given_answers and ENGINE.is_relevant(q.id, given_answers)
    }
    kept = final_record(submission, CATALOG).answers
    assert list(kept.items()) == list(expected.items())
    assert ENGINE.prune(kept) == kept


@PROPERTY
@given(_answer_records())
def test_a_figure_is_not_applicable_exactly_when_its_condition_fails(
    records: list[bytes],
) -> None:
    record = final_record(_submission(records, DECODER), CATALOG)
    figures = record.figures

    def lookup(figure_id: str) -> tuple[str, Decimal | int | None]:
        # Only figures above the one asking (checked at load time), all final by now.
        return figures[figure_id].state, figures[figure_id].value

    assert list(figures) == [i.id for i in TESTIMONIO.indicators]
    for indicator in TESTIMONIO.indicators:
        when = indicator.applies_when
        applies = when is None or holds(when, record.answers, lookup)
        assert (figures[indicator.id] == Figure("not_applicable")) is not applies, indicator.id
