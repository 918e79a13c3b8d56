"""Realistic typed answers, as Cubans type them on a phone, and what each one becomes.

Each row is (question, typed text, expected outcome). Outcomes:
- `ok(value)`: recorded as this exact value;
- `ASK`: refused with a message, nothing recorded (the respondent types again);
- `confirm(code, ...)`: refused with buttons for these readings; only a press records one.
The English rows use the real English catalog: an English label typed is matched too.
"""

from decimal import Decimal
from typing import Any

import pytest

from bot.i18n import Catalogs
from flows.answers import SKIPPED, Money
from flows.model import Question
from flows.parsing import (
    Accepted,
    ChoiceInput,
    Rejected,
    TextInput,
    means_done,
    parse_answer,
)
from tests.flows.support import questions

YEAR = 2026
_FORM = questions(
    """
    - id: consentimiento
      type: consent
      text: ¿Acepta participar?
      choices:
        - {code: acepto, label: Acepto}
        - {code: no_acepto, label: No acepto}
    - {id: sino, type: yesno, text: "¿Sí o no?"}
    - id: sector
      type: single
      text: ¿Sector?
      choices:
        - {code: salud, label: Salud}
        - {code: construccion, label: Construcción}
        - {code: otro, label: Otro}
    - id: profesion
      type: single
      text: ¿Profesión?
      choices:
        - {code: medico, label: Médico o médica}
        - {code: enfermeria, label: Enfermería}
    - id: restricciones
      type: multi
      text: ¿Reglas?
      choices:
        - {code: toque_queda, label: Toque de queda}
        - {code: permiso_salir, label: Permiso para salir}
        - {code: ninguna, label: Ninguna, exclusive: true}
    - {id: horas_semana, type: hours, text: "¿Horas?", min: 0, max: 140}
    - id: estipendio_mes
      type: money
      text: ¿Cuánto?
      min: 0
      max: 100000
      currency: USD
      extra_choices:
        - {code: no_sabe, label: No sé}
    - {id: anio_inicio, type: year, text: "¿Año?", min: 1980}
    - id: anio_fin
      type: year
      text: ¿Fin?
      min: 1980
      min_from: anio_inicio
      extra_choices:
        - {code: sigue, label: Sigue}
    - id: pais
      type: country
      text: "¿País?"
      choices: [{code: VE, label: Venezuela}, {code: QA, label: Catar}]
    - {id: provincia, type: province, text: "¿Provincia?"}
    - {id: testimonio, type: text, text: Cuente, max_length: 4096, multipart: true}
    """
)
_EN = Catalogs.load().translator("en")
ASK = ("ask",)


def ok(value: Any) -> tuple[str, Any]:
    return ("ok", value)


def confirm(*codes: str) -> tuple[str, tuple[str, ...]]:
    return ("confirm", codes)


def usd(amount: str, currency: str = "USD") -> Money:
    return Money(Decimal(amount), currency)


ROWS: list[tuple[str, str, tuple[Any, ...]]] = [
    # consent: the button's word, and the other ways people say yes or no
    ("consentimiento", "acepto", ok("acepto")),
    ("consentimiento", "Acepto", ok("acepto")),
    ("consentimiento", "sí", ok("acepto")),
    ("consentimiento", "si", ok("acepto")),
    ("consentimiento", "Si.", ok("acepto")),
    ("consentimiento", "yes", ok("acepto")),
    ("consentimiento", "ok", ok("acepto")),
    ("consentimiento", "de acuerdo", ok("acepto")),
    ("consentimiento", "no", ok("no_acepto")),
    ("consentimiento", "No acepto", ok("no_acepto")),
    ("consentimiento", "quizas", ASK),
    ("consentimiento", "hola", ASK),
    ("consentimiento", "aceto", ASK),  # a typo is not consent
    # yes / no
    ("sino", "si", ok("si")),
    ("sino", "sí", ok("si")),
    ("sino", "SI", ok("si")),
    ("sino", "Si!", ok("si")),
    ("sino", "no", ok("no")),
    ("sino", "No.", ok("no")),
    ("sino", "no se", ok("no_sabe")),
    ("sino", "no sé", ok("no_sabe")),
    ("sino", "1", ok("si")),
    ("sino", "2", ok("no")),
    ("sino", "yes", ok("si")),
    ("sino", "Yes", ok("si")),
    ("sino", "I don't know", ok("no_sabe")),
    ("sino", "sip", ASK),
    ("sino", "a veces", ASK),
    ("sino", "si y no", ASK),
    ("sino", "4", ASK),
    # single choices, Spanish and English labels
    ("sector", "salud", ok("salud")),
    ("sector", "Salud", ok("salud")),
    ("sector", "construccion", ok("construccion")),
    ("sector", "CONSTRUCCION", ok("construccion")),
    ("sector", "Construction", ok("construccion")),
    ("sector", "health", ok("salud")),
    ("sector", "2", ok("construccion")),
    ("sector", "otro", ok("otro")),
    ("sector", "contruccion", ASK),  # a typo is asked again, never guessed
    ("sector", "medicina", ASK),
    ("profesion", "medico o medica", ok("medico")),
    ("profesion", "doctor", ok("medico")),
    ("profesion", "enfermeria", ok("enfermeria")),
    ("profesion", "medico", ok("medico")),  # the code, as typed
    # multi
    ("restricciones", "toque de queda", ok(("toque_queda",))),
    ("restricciones", "toque de queda, permiso para salir", ok(("toque_queda", "permiso_salir"))),
    ("restricciones", "1 y 2", ok(("toque_queda", "permiso_salir"))),
    ("restricciones", "1,2", ok(("toque_queda", "permiso_salir"))),
    ("restricciones", "ninguna", ok(("ninguna",))),
    ("restricciones", "ninguna, toque de queda", ASK),
    ("restricciones", "todas", ASK),
    ("restricciones", "listo", ASK),  # the bot treats it as the button (means_done)
    # hours
    ("horas_semana", "de lunes a sábado 10 horas diarias", ok(60)),
    ("horas_semana", "de lunes a sabado 10 horas diarias", ok(60)),
    ("horas_semana", "lunes a viernes 8 horas", ok(40)),
    ("horas_semana", "12 horas 6 dias", ok(72)),
    ("horas_semana", "12h, 6 dias", ok(72)),
    ("horas_semana", "todos los dias 12 horas", ok(84)),
    ("horas_semana", "de lunes a lunes 14 horas", ok(98)),
    ("horas_semana", "60 horas a la semana", ok(60)),
    ("horas_semana", "48 horas semanales", ok(48)),
    ("horas_semana", "unas 60 hrs x semana", ok(60)),
    ("horas_semana", "10 hours a day monday to saturday", ok(60)),
    ("horas_semana", "60", confirm("h60")),
    ("horas_semana", "unas 60", confirm("h60")),
    ("horas_semana", "70 horas", confirm("h70")),
    ("horas_semana", "8,5 horas diarias 5 dias", confirm("h43")),
    ("horas_semana", "mucho, más de 12 horas", ASK),
    ("horas_semana", "mas de 12", ASK),
    ("horas_semana", "hasta 16 horas", ASK),
    ("horas_semana", "12 horas diarias", ASK),
    ("horas_semana", "8 horas", ASK),
    ("horas_semana", "10 o 12", ASK),
    ("horas_semana", "muchisimas", ASK),
    ("horas_semana", "doce horas", ASK),
    ("horas_semana", "200 horas a la semana", ASK),
    ("horas_semana", "20 horas diarias, 9 dias", ASK),
    ("horas_semana", "", ASK),
    # money
    ("estipendio_mes", "300", ok(usd("300"))),
    ("estipendio_mes", "300 usd", ok(usd("300"))),
    ("estipendio_mes", "300 USD", ok(usd("300"))),
    ("estipendio_mes", "300usd", ok(usd("300"))),
    ("estipendio_mes", "$300", ok(usd("300"))),
    ("estipendio_mes", "300$", ok(usd("300"))),
    ("estipendio_mes", "300 dolares", ok(usd("300"))),
    ("estipendio_mes", "300 dólares", ok(usd("300"))),
    ("estipendio_mes", "1.200", ok(usd("1200"))),
    ("estipendio_mes", "1,200", ok(usd("1200"))),
    ("estipendio_mes", "1200", ok(usd("1200"))),
    ("estipendio_mes", "1 200 usd", ok(usd("1200"))),
    ("estipendio_mes", "3 mil", ok(usd("3000"))),
    ("estipendio_mes", "3mil usd", ok(usd("3000"))),
    ("estipendio_mes", "mil cup", ok(usd("1000", "CUP"))),
    ("estipendio_mes", "5 mil pesos cubanos", ok(usd("5000", "CUP"))),
    ("estipendio_mes", "2500 cup", ok(usd("2500", "CUP"))),
    ("estipendio_mes", "2500 moneda nacional", ok(usd("2500", "CUP"))),
    ("estipendio_mes", "120 mlc", ok(usd("120", "MLC"))),
    ("estipendio_mes", "200 euros", ok(usd("200", "EUR"))),
    ("estipendio_mes", "200 eur", ok(usd("200", "EUR"))),
    ("estipendio_mes", "aprox 250 usd al mes", ok(usd("250"))),
    ("estipendio_mes", "unos 250", ok(usd("250"))),
    ("estipendio_mes", "1500 reales", ok(usd("1500", "BRL"))),
    ("estipendio_mes", "R$ 1500", ok(usd("1500", "BRL"))),
    ("estipendio_mes", "30000 bolivares", ok(usd("30000", "VES"))),
    ("estipendio_mes", "30000 bolos", ok(usd("30000", "VES"))),
    ("estipendio_mes", "20000 kwanzas", ok(usd("20000", "AOA"))),
    ("estipendio_mes", "3000 rial qatari", ok(usd("3000", "QAR"))),
    ("estipendio_mes", "3000 riales saudies", ok(usd("3000", "SAR"))),
    ("estipendio_mes", "3000 QAR", ok(usd("3000", "QAR"))),
    ("estipendio_mes", "3000 sar", ok(usd("3000", "SAR"))),
    ("estipendio_mes", "300 dinares kuwaities", ok(usd("300", "KWD"))),
    ("estipendio_mes", "8000 pesos mexicanos", ok(usd("8000", "MXN"))),
    ("estipendio_mes", "no se", ok("no_sabe")),
    ("estipendio_mes", "No sé", ok("no_sabe")),
    (
        "estipendio_mes",
        "1200 riales",
        confirm("QAR1200", "SAR1200", "OMR1200", "IRR1200", "YER1200"),
    ),
    (
        "estipendio_mes",
        "1200 riyales",
        confirm("QAR1200", "SAR1200", "OMR1200", "IRR1200", "YER1200"),
    ),
    ("estipendio_mes", "300 bs", confirm("VES300", "BOB300")),
    ("estipendio_mes", "el 25% del salario", ASK),
    ("estipendio_mes", "25 %", ASK),
    ("estipendio_mes", "25%", ASK),
    ("estipendio_mes", "la mitad", ASK),
    ("estipendio_mes", "como la mitad del salario", ASK),
    ("estipendio_mes", "5000 pesos", ASK),
    ("estipendio_mes", "entre 200 y 300", ASK),
    ("estipendio_mes", "200-300", ASK),
    ("estipendio_mes", "trescientos", ASK),
    ("estipendio_mes", "poco", ASK),
    ("estipendio_mes", "nada", ASK),
    ("estipendio_mes", "-300", ASK),
    ("estipendio_mes", "300 usd y 100 euros", ASK),
    ("estipendio_mes", "1.50.0", ASK),
    ("estipendio_mes", "200000", ASK),
    # years
    ("anio_inicio", "2019", ok(2019)),
    ("anio_inicio", "en 2019", ok(2019)),
    ("anio_inicio", "marzo de 2019", ok(2019)),
    ("anio_inicio", "3/2019", ok(2019)),
    ("anio_inicio", "19", ASK),
    ("anio_inicio", "1975", ASK),
    ("anio_inicio", "2030", ASK),
    ("anio_inicio", "hace 3 años", ASK),
    ("anio_inicio", "2018 o 2019", ASK),
    ("anio_fin", "sigue", ok("sigue")),
    ("anio_fin", "Sigue", ok("sigue")),
    ("anio_fin", "still going on", ok("sigue")),
    ("anio_fin", "2022", ok(2022)),
    # countries
    ("pais", "venezuela", ok("VE")),
    ("pais", "Venezuela", ok("VE")),
    ("pais", "catar", ok("QA")),
    ("pais", "qatar", ok("QA")),
    ("pais", "arabia saudita", ok("SA")),
    ("pais", "Arabia", ok("SA")),
    ("pais", "mexico", ok("MX")),
    ("pais", "brasil", ok("BR")),
    ("pais", "angola", ok("AO")),
    ("pais", "argelia", ok("DZ")),
    ("pais", "kuwait", ok("KW")),
    ("pais", "xyzland", ASK),
    # provinces
    ("provincia", "holguin", ok("holguin")),
    ("provincia", "Holguín", ok("holguin")),
    ("provincia", "la habana", ok("la_habana")),
    ("provincia", "habana", ok("la_habana")),
    ("provincia", "camaguey", ok("camaguey")),
    ("provincia", "santiago de cuba", ok("santiago_de_cuba")),
    ("provincia", "pinar del rio", ok("pinar_del_rio")),
    ("provincia", "isla de la juventud", ok("isla_de_la_juventud")),
    ("provincia", "madrid", ASK),
    # testimony
    ("testimonio", "Me trataron muy mal.", ok("Me trataron muy mal.")),
    ("testimonio", "   ", ASK),
    ("testimonio", "x" * 4096, ok("x" * 4096)),
]


def _outcome(question: Question, text: str) -> tuple[Any, ...]:
    answers = {"anio_inicio": 2015}
    result = parse_answer(question, TextInput(text), YEAR, answers, translate=_EN)
    if isinstance(result, Accepted):
        return ok(result.value)
    assert isinstance(result, Rejected)
    assert result.message.render()
    if result.suggestions and question.type in ("hours", "money"):
        return confirm(*(choice.code for choice in result.suggestions))
    return ASK


def test_the_table_is_large_enough() -> None:
    assert len(ROWS) >= 150
    assert len({(q, text) for q, text, _ in ROWS}) == len(ROWS)


@pytest.mark.parametrize(("question_id", "text", "expected"), ROWS)
def test_typed_answer(question_id: str, text: str, expected: tuple[Any, ...]) -> None:
    assert _outcome(_FORM.question(question_id), text) == expected


@pytest.mark.parametrize(
    ("question_id", "code", "value"),
    [
        ("horas_semana", "h60", 60),
        ("estipendio_mes", "QAR1200", Money(Decimal(1200), "QAR")),
        ("estipendio_mes", "SAR1500_5", Money(Decimal("1500.5"), "SAR")),
    ],
)
def test_a_confirmation_button_records_its_reading(question_id: str, code: str, value: Any) -> None:
    question = _FORM.question(question_id)
    assert parse_answer(question, ChoiceInput((code,)), YEAR) == Accepted(value)


@pytest.mark.parametrize("code", ["h141", "QAR200001", "h", "QAR", "qar1200", "XX"])
def test_a_confirmation_code_out_of_bounds_is_refused(code: str) -> None:
    for question_id in ("horas_semana", "estipendio_mes"):
        result = parse_answer(_FORM.question(question_id), ChoiceInput((code,)), YEAR)
        assert isinstance(result, Rejected)


def test_rials_follow_the_mission_country_when_known() -> None:
    question = _FORM.question("estipendio_mes")
    result = parse_answer(question, TextInput("1200 riales"), YEAR, mission_country="QA")
    assert result == Accepted(Money(Decimal(1200), "QAR"))


@pytest.mark.parametrize(
    ("text", "done"),
    [
        ("listo", True),
        ("Listo.", True),
        ("LISTO", True),
        ("ya", True),
        ("done", True),
        ("Done!", True),
        ("termine", True),
        ("ya esta", True),
        ("listo, eso es todo y mas", False),
        ("Me trataron muy mal.\nListo.", False),
        ("no", False),
        ("", False),
    ],
)
def test_done_words(text: str, done: bool) -> None:
    assert means_done(text) is done


def test_skip_is_skip_everywhere_but_consent() -> None:
    for question in _FORM.questions():
        result = parse_answer(question, ChoiceInput(("_skip",)), YEAR)
        assert result == Accepted(SKIPPED) if question.skippable else isinstance(result, Rejected)
