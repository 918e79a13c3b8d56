"""Wording rules of issue 11, checked on every questionnaire the bot asks.

The testimony's own checks (relatives, ranges, role paths) are in test_testimonio_v2.py and the
field report's in test_informe_campo.py; these hold for both.
"""

import pytest

from flows.model import Questionnaire
from flows.shipped import SERVED_DEFINITIONS, load_served

SERVED = dict(zip(SERVED_DEFINITIONS, load_served(), strict=True))


@pytest.fixture(params=SERVED_DEFINITIONS)
def questionnaire(request: pytest.FixtureRequest) -> Questionnaire:
    return SERVED[request.param]


def test_no_se_stays_distinct_from_prefiero_no_responder(questionnaire: Questionnaire) -> None:
    """Wherever "No sé" is offered, "Prefiero no responder" is offered too: they differ."""
    unskippable = [
        question.id
        for question in questionnaire.questions()
        if question.choice("no_sabe") is not None and not question.skippable
    ]
    assert unskippable == []


def test_questions_without_a_skip_offer_only_their_own_answers(
    questionnaire: Questionnaire,
) -> None:
    """`skip: false` is for Sí/No questions (safety, permission to quote): no "No sé" there."""
    fixed = [q for q in questionnaire.questions() if q.type != "consent" and not q.skippable]
    assert fixed, "the safety check at least"
    assert [q.id for q in fixed if q.choice("no_sabe") is not None] == []


def test_no_question_text_suggests_an_answer_by_example(questionnaire: Questionnaire) -> None:
    """Examples of how to type an amount live in `help`, never in the question itself."""
    leading = [q.id for q in questionnaire.questions() if "por ejemplo" in q.text.lower()]
    assert leading == []


def test_every_question_mark_is_opened_and_closed(questionnaire: Questionnaire) -> None:
    unbalanced = [q.id for q in questionnaire.questions() if q.text.count("¿") != q.text.count("?")]
    assert unbalanced == []


def test_every_multi_question_says_several_may_be_ticked(questionnaire: Questionnaire) -> None:
    silent = [
        q.id
        for q in questionnaire.questions()
        if q.type == "multi" and "(Puede marcar" not in q.text
    ]
    assert silent == []
