"""Routing questions: what the server may keep readable while a questionnaire is open."""

from flows.answers import ANSWERED, SKIPPED, AnswerValue
from flows.engine import Engine
from tests.flows.support import engine, load_testimonio

FORM = """
- id: consent
  type: consent
  text: ¿Acepta?
  choices: [{code: acepto, label: Acepto}, {code: no_acepto, label: No acepto}]
  stop: {in: [no_acepto], outcome: end, message: Gracias.}
- {id: a, type: yesno, text: Pregunta A}
- {id: inicio, type: year, text: Inicio}
- {id: fin, type: year, text: Fin, min_from: inicio, when: {q: a, in: [si]}}
- {id: t, type: text, text: Cuente}
- {id: cita, type: yesno, text: Cita, when: {q: t, answered: true}}
- {id: secreto, type: text, text: Otra}
"""


def test_routing_set_is_what_conditions_stops_and_min_from_read() -> None:
    assert engine(FORM).routing_questions == {"consent", "a", "inicio", "t"}


def test_routing_value_keeps_values_only_where_needed() -> None:
    flow = engine(FORM)
    assert flow.routing_value("a", "si") == "si"
    assert flow.routing_value("inicio", 2015) == 2015
    assert flow.routing_value("t", "mi historia") is ANSWERED  # never the text itself
    assert flow.routing_value("t", SKIPPED) is SKIPPED
    assert flow.routing_value("secreto", "x") is None


def test_navigation_on_routing_values_alone_matches_full_answers() -> None:
    flow = engine(FORM)
    full: dict[str, AnswerValue] = {
        "consent": "acepto",
        "a": "si",
        "inicio": 2015,
        "fin": 2016,
        "t": "historia",
    }
    kept = {
        qid: kept_value
        for qid, value in full.items()
        if (kept_value := flow.routing_value(qid, value)) is not None
    }
    assert "fin" not in kept and kept["t"] is ANSWERED
    for question in flow.questions:
        assert flow.next_question(kept, question.id) == flow.next_question(full, question.id)
        assert flow.is_relevant(question.id, kept) == flow.is_relevant(question.id, full)


def test_testimonio_routes_on_few_questions_and_keeps_no_free_text() -> None:
    flow = Engine(load_testimonio())
    assert flow.routing_questions == {
        "consentimiento",
        "lugar_seguro",
        "rol",
        "sector",
        "pudo_negarse",
        "anio_inicio",
        "condiciones_distintas",
        "conoce_pago_estado",
        "documentos_retenidos",
        "quiere_salud",
        "necesidad_no_atendida",
        "testimonio",
    }
    assert flow.routing_value("testimonio", "Me quitaron el pasaporte") is ANSWERED
