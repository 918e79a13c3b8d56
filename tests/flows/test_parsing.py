"""Parsing dispatch: buttons and typed text become answers, or a Spanish message."""

from decimal import Decimal

import pytest

from flows.answers import SKIPPED, Money
from flows.parsing import (
    MSG_CHOOSE,
    MSG_EMPTY_SELECTION,
    MSG_EXCLUSIVE,
    MSG_NO_SKIP_CONSENT,
    MSG_YEAR_BEFORE_START,
    Accepted,
    ChoiceInput,
    ParseResult,
    RawInput,
    Rejected,
    SkipInput,
    TextInput,
    parse_answer,
)
from tests.flows.support import questions

FORM = questions(
    """
    - id: consent
      type: consent
      text: ¿Acepta?
      choices: [{code: acepto, label: Acepto}, {code: no_acepto, label: No acepto}]
    - {id: yn, type: yesno, text: Pregunta}
    - id: vivienda
      type: single
      text: Vivienda
      choices: [{code: adecuadas, label: Adecuadas}, {code: muy_malas, label: Muy malas}]
    - id: reglas
      type: multi
      text: Reglas
      choices:
        - {code: toque_queda, label: Toque de queda}
        - {code: no_conducir, label: No manejar}
        - {code: ninguna, label: Ninguna, exclusive: true}
    - {id: horas, type: integer, text: Horas, min: 0, max: 140}
    - {id: pct, type: percent, text: Porcentaje}
    - {id: nota, type: decimal, text: Nota, min: 0, max: 10}
    - {id: pago, type: money, text: Pago, min: 0, max: 100000, currency: USD}
    - {id: inicio, type: year, text: Inicio, min: 1980}
    - id: fin
      type: year
      text: Fin
      min: 1980
      min_from: inicio
      extra_choices: [{code: sigue, label: Sigue}]
    - id: pais
      type: country
      text: País
      choices: [{code: VE, label: Venezuela}, {code: MX, label: México}]
    - {id: provincia, type: province, text: Provincia}
    - {id: relato, type: text, text: Cuente, max_length: 20}
    - {id: aviso, type: note, text: Gracias}
    """
)


def parse(question_id: str, raw: RawInput, **answers: object) -> ParseResult:
    return parse_answer(FORM.question(question_id), raw, 2025, answers)  # type: ignore[arg-type]


def accepted(question_id: str, raw: RawInput, **answers: object) -> object:
    result = parse(question_id, raw, **answers)
    assert isinstance(result, Accepted), result
    return result.value


def rejected(question_id: str, raw: RawInput, **answers: object) -> Rejected:
    result = parse(question_id, raw, **answers)
    assert isinstance(result, Rejected), result
    return result


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Sí", "si"),
        ("si", "si"),
        ("SI.", "si"),
        ("no", "no"),
        ("No sé", "no_sabe"),
        ("no se", "no_sabe"),
        ("no_sabe", "no_sabe"),
        ("1", "si"),
        ("3", "no_sabe"),
    ],
)
def test_typed_yesno_by_label_code_or_number(text: str, code: str) -> None:
    assert accepted("yn", TextInput(text)) == code


def test_typed_single_by_label_accent_and_case_insensitive() -> None:
    assert accepted("vivienda", TextInput("MUY MALAS")) == "muy_malas"
    assert rejected("vivienda", TextInput("regular")).message.msgid == MSG_CHOOSE
    assert rejected("vivienda", TextInput("7")).message.msgid == MSG_CHOOSE


def test_buttons_must_be_the_questions_own_codes() -> None:
    assert accepted("vivienda", ChoiceInput(("adecuadas",))) == "adecuadas"
    assert rejected("vivienda", ChoiceInput(("si",))).message.msgid == MSG_CHOOSE
    assert rejected("vivienda", ChoiceInput(("adecuadas", "muy_malas"))).message.msgid == MSG_CHOOSE
    assert rejected("vivienda", ChoiceInput(())).message.msgid == MSG_CHOOSE


def test_skip_everywhere_but_consent() -> None:
    for question in FORM.questions():
        result = parse(question.id, SkipInput())
        if question.type == "consent":
            assert isinstance(result, Rejected)
            assert result.message.msgid == MSG_NO_SKIP_CONSENT
        elif question.type != "note":
            assert result == Accepted(SKIPPED)
    assert accepted("yn", ChoiceInput(("_skip",))) is SKIPPED


def test_consent_accepts_its_two_answers() -> None:
    assert accepted("consent", ChoiceInput(("no_acepto",))) == "no_acepto"
    assert accepted("consent", TextInput("acepto")) == "acepto"


def test_multi_codes_in_definition_order_without_duplicates() -> None:
    assert accepted("reglas", ChoiceInput(("no_conducir", "toque_queda", "no_conducir"))) == (
        "toque_queda",
        "no_conducir",
    )
    assert accepted("reglas", TextInput("No manejar, toque de queda")) == (
        "toque_queda",
        "no_conducir",
    )
    assert accepted("reglas", TextInput("1 y 2")) == ("toque_queda", "no_conducir")


def test_multi_exclusive_choice_cannot_be_combined() -> None:
    result = rejected("reglas", ChoiceInput(("ninguna", "toque_queda")))
    assert result.message.msgid == MSG_EXCLUSIVE
    assert result.message.render() == "«Ninguna» no se puede combinar con otras opciones."
    assert accepted("reglas", ChoiceInput(("ninguna",))) == ("ninguna",)


def test_multi_empty_or_unknown_selection() -> None:
    assert rejected("reglas", ChoiceInput(())).message.msgid == MSG_EMPTY_SELECTION
    assert rejected("reglas", ChoiceInput(("otra",))).message.msgid == MSG_CHOOSE
    assert rejected("reglas", TextInput("toque de queda, bailar")).message.msgid == MSG_CHOOSE


def test_numbers_within_their_ranges() -> None:
    assert accepted("horas", TextInput("60")) == 60
    assert isinstance(parse("horas", TextInput("200")), Rejected)
    assert isinstance(parse("horas", TextInput("muchas")), Rejected)
    assert isinstance(parse("horas", ChoiceInput(("60",))), Rejected)
    assert accepted("pct", TextInput("45,5 %")) == Decimal("45.5")
    assert accepted("nota", TextInput("8,5")) == Decimal("8.5")
    assert isinstance(parse("nota", TextInput("11")), Rejected)


def test_money_with_its_default_currency() -> None:
    assert accepted("pago", TextInput("3.000")) == Money(Decimal("3000"), "USD")
    assert accepted("pago", TextInput("3000 euros")) == Money(Decimal("3000"), "EUR")
    result = rejected("pago", TextInput("tres mil"))
    assert result.message.msgid  # a Spanish explanation, from flows.parsers


def test_year_range_extra_choice_and_start_year() -> None:
    assert accepted("inicio", TextInput("2015")) == 2015
    assert isinstance(parse("inicio", TextInput("1975")), Rejected)
    assert isinstance(parse("inicio", TextInput("2026")), Rejected)  # after today_year
    assert accepted("fin", ChoiceInput(("sigue",))) == "sigue"
    assert accepted("fin", TextInput("Sigue")) == "sigue"
    assert accepted("fin", TextInput("2016"), inicio=2015) == 2016
    assert accepted("fin", TextInput("2015"), inicio=2015) == 2015
    before = rejected("fin", TextInput("2014"), inicio=2015)
    assert before.message.msgid == MSG_YEAR_BEFORE_START
    assert before.message.params == {"year": 2015}
    assert accepted("fin", TextInput("2014"), inicio=SKIPPED) == 2014


def test_country_buttons_names_and_suggestions() -> None:
    assert accepted("pais", ChoiceInput(("VE",))) == "VE"
    assert accepted("pais", ChoiceInput(("PE",))) == "PE"  # a suggestion pressed
    assert rejected("pais", ChoiceInput(("ZZ",))).message.msgid == MSG_CHOOSE
    assert accepted("pais", TextInput("mexico")) == "MX"
    assert accepted("pais", TextInput("Perú")) == "PE"
    assert accepted("pais", TextInput("Saudi Arabia")) == "SA"
    unsure = rejected("pais", TextInput("Corea"))
    assert {(c.code, c.label) for c in unsure.suggestions} == {
        ("KR", "Corea del Sur"),
        ("KP", "Corea del Norte"),
    }
    assert rejected("pais", TextInput("Venezula")).suggestions[0].code == "VE"


def test_province_buttons_and_names() -> None:
    assert accepted("provincia", ChoiceInput(("camaguey",))) == "camaguey"
    assert accepted("provincia", TextInput("Camaguey")) == "camaguey"
    assert accepted("provincia", TextInput("santiago")) == "santiago_de_cuba"
    assert isinstance(parse("provincia", TextInput("Madrid")), Rejected)


def test_text_length_limits() -> None:
    assert accepted("relato", TextInput("Me quitaron todo")) == "Me quitaron todo"
    assert isinstance(parse("relato", TextInput("x" * 21)), Rejected)
    assert isinstance(parse("relato", ChoiceInput(("x",))), Rejected)


def test_a_note_takes_no_answer() -> None:
    assert isinstance(parse("aviso", TextInput("ok")), Rejected)
    assert isinstance(parse("aviso", SkipInput()), Rejected)
