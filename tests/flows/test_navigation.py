"""Next, back, module conditions and stops, on small inline questionnaires."""

from flows.answers import SKIPPED
from flows.engine import Engine
from tests.flows.support import engine, form

BRANCH = """
- {id: a, type: yesno, text: Pregunta A}
- {id: b, type: integer, text: Pregunta B, when: {q: a, in: [si]}}
- {id: c, type: text, text: Pregunta C}
"""


def test_first_question_then_the_branch_when_its_condition_holds() -> None:
    flow = engine(BRANCH)
    assert flow.first_question().id == "a"
    assert flow.next_question({"a": "si"}, after="a").id == "b"  # type: ignore[union-attr]
    assert flow.next_question({"a": "si", "b": 3}, after="b").id == "c"  # type: ignore[union-attr]
    assert flow.next_question({"a": "si", "b": 3, "c": "x"}, after="c") is None


def test_the_branch_is_skipped_when_its_condition_fails() -> None:
    flow = engine(BRANCH)
    assert flow.next_question({"a": "no"}, after="a").id == "c"  # type: ignore[union-attr]


def test_a_condition_on_a_skipped_question_is_false() -> None:
    flow = engine(BRANCH)
    assert flow.next_question({"a": SKIPPED}, after="a").id == "c"  # type: ignore[union-attr]
    assert not flow.is_relevant("b", {"a": SKIPPED})


def test_back_goes_to_the_previous_relevant_question() -> None:
    flow = engine(BRANCH)
    assert flow.previous_question({"a": "no"}, before="c").id == "a"  # type: ignore[union-attr]
    assert flow.previous_question({"a": "si", "b": 1}, before="c").id == "b"  # type: ignore[union-attr]
    assert flow.previous_question({}, before="a") is None


def test_module_condition_applies_to_every_question_in_it() -> None:
    flow = Engine(
        form(
            """
            modules:
              - id: m0
                title: M0
                questions:
                  - id: rol
                    type: single
                    text: Rol
                    choices: [{code: x, label: X}, {code: y, label: Y}]
              - id: m1
                title: M1
                when: {q: rol, in: [x]}
                questions:
                  - {id: p, type: yesno, text: Pregunta P}
                  - {id: q, type: yesno, text: Pregunta Q}
              - id: m2
                title: M2
                questions: [{id: fin, type: text, text: Fin}]
            """
        )
    )
    assert flow.next_question({"rol": "y"}, after="rol").id == "fin"  # type: ignore[union-attr]
    assert flow.next_question({"rol": "x", "p": "no"}, after="p").id == "q"  # type: ignore[union-attr]


def test_answered_condition() -> None:
    flow = engine(
        """
        - {id: t, type: text, text: Cuente}
        - {id: cita, type: yesno, text: Cita, when: {q: t, answered: true}}
        """
    )
    assert flow.is_relevant("cita", {"t": "hola"})
    assert not flow.is_relevant("cita", {"t": SKIPPED})
    assert not flow.is_relevant("cita", {})


def test_multi_in_means_any_selected_code_and_not_in_means_none() -> None:
    flow = engine(
        """
        - id: m
          type: multi
          text: Varias
          choices:
            - {code: a, label: A}
            - {code: b, label: B}
            - {code: ninguna, label: Ninguna, exclusive: true}
        - {id: any_a, type: yesno, text: Con a, when: {q: m, in: [a]}}
        - {id: not_ninguna, type: yesno, text: Sin ninguna, when: {q: m, not_in: [ninguna]}}
        """
    )
    assert flow.is_relevant("any_a", {"m": ("a", "b")})
    assert not flow.is_relevant("any_a", {"m": ("b",)})
    assert flow.is_relevant("not_ninguna", {"m": ("b",)})
    assert not flow.is_relevant("not_ninguna", {"m": ("ninguna",)})
    assert not flow.is_relevant("not_ninguna", {"m": SKIPPED})


def test_comparisons_and_combinators() -> None:
    flow = engine(
        """
        - {id: h, type: integer, text: Horas}
        - {id: y, type: yesno, text: Pregunta Y}
        - id: z
          type: yesno
          text: Pregunta Z
          when:
            any:
              - {q: h, gt: 60}
              - all: [{q: h, gte: 40}, {not: {q: y, in: [si]}}]
        """
    )
    assert flow.is_relevant("z", {"h": 61, "y": "si"})
    assert not flow.is_relevant("z", {"h": 60, "y": "si"})
    assert flow.is_relevant("z", {"h": 40, "y": "no"})
    assert not flow.is_relevant("z", {"h": 39, "y": "no"})
    assert not flow.is_relevant("z", {"y": "no"})


STOPS = """
- id: consent
  type: consent
  text: ¿Acepta?
  choices: [{code: acepto, label: Acepto}, {code: no_acepto, label: No acepto}]
  stop: {in: [no_acepto], outcome: end, message: Gracias.}
- id: seguro
  type: single
  text: ¿Seguro?
  choices: [{code: si, label: Sí}, {code: "no", label: "No"}]
  stop: {in: ["no"], outcome: pause, message: Vuelva luego.}
- {id: a, type: yesno, text: Pregunta A}
"""


def test_no_acepto_ends_the_questionnaire() -> None:
    flow = engine(STOPS)
    answers = {"consent": "no_acepto"}
    assert flow.next_question(answers, after="consent") is None
    stopped = flow.stopped(answers)
    assert stopped is not None
    assert (stopped.question_id, stopped.outcome, stopped.message.msgid) == (
        "consent",
        "end",
        "Gracias.",
    )
    assert not flow.is_relevant("a", answers)


def test_an_unsafe_place_pauses_the_questionnaire() -> None:
    flow = engine(STOPS)
    answers = {"consent": "acepto", "seguro": "no"}
    assert flow.next_question(answers, after="seguro") is None
    stopped = flow.stopped(answers)
    assert stopped is not None and stopped.outcome == "pause"
    resumed = {"consent": "acepto", "seguro": "si"}
    assert flow.stopped(resumed) is None
    assert flow.next_question(resumed, after="seguro").id == "a"  # type: ignore[union-attr]
