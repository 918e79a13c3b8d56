"""Version 3 of testimonio: documents as evidence, one health screen instead of three, and
paths within the limits with the documents and the review counted."""

import re

import pytest

from flows.answers import SKIPPED, AnswerValue, NavigationValue
from flows.derive import derive, source_questions
from flows.engine import Engine
from flows.loader import definition_hash
from flows.paths import REVIEW_SCREENS, estimated_minutes, path_lengths
from flows.shipped import load_shipped
from tests.flows.support import load_testimonio, load_testimonio_v2, load_testimonio_v3
from tests.flows.test_testimonio_v2 import HEALTH_ROLES, MISSION_ROLES, V1_HASH, V2_HASH

V3 = load_testimonio_v3()
ENGINE = Engine(V3)
LENGTHS = path_lengths(ENGINE, "rol")
ROLES = (*MISSION_ROLES, *HEALTH_ROLES)
# Version 2's Sí/No questions that `salud_situaciones` asks as one, with the code each became.
MERGED = {
    "llevar_insumos": "insumos_propios",
    "mercado_informal": "mercado_informal",
    "cirugia_suspendida": "cirugia_suspendida",
}
FIGURE_OF = {
    "insumos_propios": "salud_insumos_propios",
    "mercado_informal": "salud_mercado_informal",
    "cirugia_suspendida": "salud_cirugia_suspendida",
}


def test_v3_is_what_the_bot_asks_and_has_its_own_hash() -> None:
    assert (V3.id, V3.version) == ("testimonio", 3)
    assert definition_hash(load_shipped()) == definition_hash(V3)
    assert definition_hash(V3) not in (V1_HASH, V2_HASH)
    assert definition_hash(load_testimonio()) == V1_HASH
    assert definition_hash(load_testimonio_v2()) == V2_HASH


def test_paths_with_documents_and_review_are_at_most_45_and_health_at_most_15() -> None:
    longest = {row.group: row.longest for row in LENGTHS}
    assert all(longest[role] <= 45 for role in MISSION_ROLES), longest
    assert all(longest[role] <= 15 for role in HEALTH_ROLES), longest
    # The review is in those numbers, and so is the documents screen (next test).
    assert REVIEW_SCREENS == 1


def _walk(answers: dict[str, NavigationValue]) -> list[str]:
    """The questions shown, answering each from `answers` (else a plain answer)."""
    shown: list[str] = []
    given: dict[str, NavigationValue] = {}
    question = ENGINE.next_question(given, None)
    while question is not None:
        shown.append(question.id)
        given[question.id] = answers.get(question.id, "x")
        question = ENGINE.next_question(given, question.id)
    return shown


@pytest.mark.parametrize("role", [*ROLES, SKIPPED])
@pytest.mark.parametrize("testimony", ["texto", SKIPPED])
def test_documents_are_asked_of_every_role_after_the_testimony_and_permission(
    role: NavigationValue, testimony: NavigationValue
) -> None:
    shown = _walk(
        {
            "consentimiento": "acepto",
            "lugar_seguro": "si",
            "rol": role,
            "quiere_salud": "si",
            "testimonio": testimony,
        }
    )
    assert shown[-1] == "adjuntos"
    assert V3.question("adjuntos").type == "attachments"
    before = shown[shown.index("testimonio") + 1 : -1]
    assert before == (["cita_permitida"] if testimony == "texto" else [])


def test_consent_states_the_time_measured_from_the_paths() -> None:
    text = V3.question("consentimiento").text
    minutes = [int(n) for n in re.findall(r"unos (\d+) minutos", text)]
    assert minutes == [
        estimated_minutes(LENGTHS, MISSION_ROLES),
        estimated_minutes(LENGTHS, HEALTH_ROLES),
    ]


def test_the_bridge_question_says_how_many_health_questions_follow() -> None:
    """ "(Unas N preguntas más.)": the most a mission respondent is asked after "Sí"."""
    health = {q.id for q in next(m for m in V3.modules if m.id == "salud").questions}
    counted = max(
        len(
            [
                q
                for q in _walk(
                    {
                        "consentimiento": "acepto",
                        "lugar_seguro": "si",
                        "rol": role,
                        "quiere_salud": "si",
                        "necesidad_no_atendida": "si",
                    }
                )
                if q in health
            ]
        )
        for role in MISSION_ROLES
    )
    text = V3.question("quiere_salud").text
    assert re.findall(r"Unas (\d+) preguntas más", text) == [str(counted)]
    assert counted == 5  # was 7 in version 2: three Sí/No questions became one screen


def test_the_three_health_questions_became_one_multi_select() -> None:
    question = V3.question("salud_situaciones")
    assert question.type == "multi" and question.skippable
    codes = {c.code: c for c in question.choices}
    assert set(MERGED.values()) < set(codes)
    assert codes["ninguna"].label == "Nada de esto" and codes["ninguna"].exclusive
    assert codes["no_sabe"].label == "No sé" and codes["no_sabe"].exclusive
    ids = {q.id for q in V3.questions()}
    assert not ids & set(MERGED)
    v2_ids = {q.id for q in load_testimonio_v2().questions()}
    assert set(MERGED) <= v2_ids


HEALTH_BASE: dict[str, AnswerValue] = {
    "consentimiento": "acepto",
    "lugar_seguro": "si",
    "rol": "paciente_cuba",
    "necesidad_no_atendida": "si",
}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (("insumos_propios",), {"insumos_propios": "present"}),
        (
            ("mercado_informal", "cirugia_suspendida"),
            {"mercado_informal": "present", "cirugia_suspendida": "present"},
        ),
        (
            ("insumos_propios", "mercado_informal", "cirugia_suspendida"),
            dict.fromkeys(MERGED.values(), "present"),
        ),
        (("ninguna",), {}),
        (("no_sabe",), {}),  # asked, could not say: absent, not unknown
        (SKIPPED, dict.fromkeys(MERGED.values(), "unknown")),
        (None, dict.fromkeys(MERGED.values(), "unknown")),  # never reached
    ],
)
def test_health_figures_from_the_multi_select(
    answer: AnswerValue | None, expected: dict[str, str]
) -> None:
    """A code ticked is present; a code not ticked on an answered screen is absent ("not
    reported"); a skipped or unreached screen leaves all three unknown."""
    answers = dict(HEALTH_BASE)
    if answer is not None:
        answers["salud_situaciones"] = answer
    figures = derive(V3, answers)
    for code, figure_id in FIGURE_OF.items():
        assert figures[figure_id].state == expected.get(code, "absent"), figure_id


@pytest.mark.parametrize(
    ("v2_answers", "v3_answer"),
    [
        (
            {"llevar_insumos": "si", "mercado_informal": "no", "cirugia_suspendida": "no"},
            ("insumos_propios",),
        ),
        (
            {"llevar_insumos": "no", "mercado_informal": "si", "cirugia_suspendida": "si"},
            ("mercado_informal", "cirugia_suspendida"),
        ),
        (
            {"llevar_insumos": "no", "mercado_informal": "no", "cirugia_suspendida": "no"},
            ("ninguna",),
        ),
        (
            {
                "llevar_insumos": "no_sabe",
                "mercado_informal": "no_sabe",
                "cirugia_suspendida": "no_sabe",
            },
            ("no_sabe",),
        ),
    ],
)
def test_the_same_situations_give_the_same_figures_in_v2_and_v3(
    v2_answers: dict[str, AnswerValue], v3_answer: AnswerValue
) -> None:
    v2 = derive(load_testimonio_v2(), {**HEALTH_BASE, **v2_answers})
    v3 = derive(V3, {**HEALTH_BASE, "salud_situaciones": v3_answer})
    for figure_id in FIGURE_OF.values():
        assert v2[figure_id].state == v3[figure_id].state, figure_id


def test_documents_feed_no_figure() -> None:
    sources = source_questions(V3)
    assert not any("adjuntos" in questions for questions in sources.values())
