"""Integer, decimal, percent and year answers as respondents type them."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.messages import Message
from flows.parsers import parse_decimal, parse_integer, parse_percent, parse_year


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("60", 60),
        ("  60  ", 60),
        ("aprox. 60", 60),
        ("unos 60", 60),
        ("60 horas", 60),
        ("60horas a la semana", 60),
        ("0", 0),
        ("168", 168),
        ("60.0", 60),
        ("٦٠", 60),  # Arabic-Indic digits
        ("６０", 60),  # full-width digits
    ],
)
def test_integer_accepted(text: str, expected: int) -> None:
    assert parse_integer(text, 0, 168) == expected


@pytest.mark.parametrize(
    ("text", "msgid"),
    [
        ("", "Escriba el número con cifras, entre {lo} y {hi}."),
        ("   ", "Escriba el número con cifras, entre {lo} y {hi}."),
        ("sesenta", "Escriba el número con cifras, entre {lo} y {hi}."),
        ("sesenta horas", "Escriba el número con cifras, entre {lo} y {hi}."),
        ("8 y media", "Escriba el número con cifras, entre {lo} y {hi}."),
        ("veintiocho", "Escriba el número con cifras, entre {lo} y {hi}."),
        ("no sé", "Escriba el número con cifras, entre {lo} y {hi}."),
        ("1.50.0", "Escriba el número con cifras, entre {lo} y {hi}."),
        ("2 o 3", "Escriba un solo número, entre {lo} y {hi}."),
        ("50-60", "Escriba un solo número, entre {lo} y {hi}."),
        ("8,5", "Escriba un número entero, sin decimales, entre {lo} y {hi}."),
        ("169", "Escriba un número entre {lo} y {hi}."),
        ("-5", "Escriba un número entre {lo} y {hi}."),
        ("1.000", "Escriba un número entre {lo} y {hi}."),
    ],
)
def test_integer_rejected_with_spanish_message(text: str, msgid: str) -> None:
    result = parse_integer(text, 0, 168)
    assert isinstance(result, Message)
    assert result.msgid == msgid
    assert "0" in result.render() and "168" in result.render()


def test_integer_limits_are_shown_as_spanish_numbers() -> None:
    result = parse_integer("5", 10, 20000)
    assert isinstance(result, Message)
    assert result.render() == "Escriba un número entre 10 y 20.000."


def test_integer_thousands_and_negative_when_range_allows() -> None:
    assert parse_integer("1.000", 0, 5000) == 1000
    assert parse_integer("2,500", 0, 5000) == 2500
    assert parse_integer("1 500", 0, 5000) == 1500
    assert parse_integer("-5", -10, 10) == -5
    assert parse_integer("- 5", -10, 10) == -5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8,5", Decimal("8.5")),
        ("8.5", Decimal("8.5")),
        ("8,5 horas", Decimal("8.5")),
        (",5", Decimal("0.5")),
        ("12", Decimal(12)),
        ("1.500,5", Decimal("1500.5")),
        ("1,500.5", Decimal("1500.5")),
    ],
)
def test_decimal_accepted(text: str, expected: Decimal) -> None:
    assert parse_decimal(text, Decimal(0), Decimal(2000)) == expected


def test_decimal_range_message_shows_decimal_comma() -> None:
    result = parse_decimal("30", Decimal("0.5"), Decimal("24.5"))
    assert isinstance(result, Message)
    assert result.render() == "Escriba un número entre 0,5 y 24,5."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45", Decimal(45)),
        ("45 %", Decimal(45)),
        ("45%", Decimal(45)),
        ("45,5%", Decimal("45.5")),
        ("45.5", Decimal("45.5")),
        ("45 por ciento", Decimal(45)),
        ("0", Decimal(0)),
        ("100 %", Decimal(100)),
        ("aprox. 80%", Decimal(80)),
    ],
)
def test_percent_accepted(text: str, expected: Decimal) -> None:
    assert parse_percent(text) == expected


@pytest.mark.parametrize(
    ("text", "msgid"),
    [
        ("101", "Escriba un porcentaje entre 0 y 100."),
        ("-5%", "Escriba un porcentaje entre 0 y 100."),
        ("la mitad", "Escriba el porcentaje con cifras, entre 0 y 100. Por ejemplo: 45."),
        (
            "cincuenta por ciento",
            "Escriba el porcentaje con cifras, entre 0 y 100. Por ejemplo: 45.",
        ),
        ("", "Escriba el porcentaje con cifras, entre 0 y 100. Por ejemplo: 45."),
        ("70 u 80", "Escriba un solo porcentaje, entre 0 y 100."),
    ],
)
def test_percent_rejected(text: str, msgid: str) -> None:
    result = parse_percent(text)
    assert isinstance(result, Message)
    assert result.msgid == msgid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019", 2019),
        (" 2019 ", 2019),
        ("en 2019", 2019),
        ("marzo de 2019", 2019),
        ("15/03/2019", 2019),
        ("2019.", 2019),
        ("1959", 1959),
    ],
)
def test_year_accepted(text: str, expected: int) -> None:
    assert parse_year(text, 1959, 2026) == expected


@pytest.mark.parametrize(
    ("text", "msgid"),
    [
        ("19", "Escriba el año con cuatro cifras, entre {lo} y {hi}."),
        ("2.019", "Escriba el año con cuatro cifras, entre {lo} y {hi}."),
        ("dos mil diecinueve", "Escriba el año con cuatro cifras, entre {lo} y {hi}."),
        ("", "Escriba el año con cuatro cifras, entre {lo} y {hi}."),
        ("2018 o 2019", "Escriba un solo año, entre {lo} y {hi}."),
        ("1958", "Escriba un año entre {lo} y {hi}."),
        ("2027", "Escriba un año entre {lo} y {hi}."),
    ],
)
def test_year_rejected(text: str, msgid: str) -> None:
    result = parse_year(text, 1959, 2026)
    assert isinstance(result, Message)
    assert result.msgid == msgid


def test_year_limits_are_not_grouped_like_amounts() -> None:
    result = parse_year("1900", 1959, 2026)
    assert isinstance(result, Message)
    assert result.render() == "Escriba un año entre 1959 y 2026."


def _group(number: int, mark: str) -> str:
    return f"{number:,}".replace(",", mark)


@settings(max_examples=150, deadline=None)
@given(
    number=st.integers(min_value=0, max_value=10**9),
    mark=st.sampled_from([".", ",", " ", ""]),
    unit=st.sampled_from(["", " horas", " personas", " aprox."]),
)
def test_integer_round_trips_grouped_numbers(number: int, mark: str, unit: str) -> None:
    assert parse_integer(_group(number, mark) + unit, 0, 10**9) == number


@settings(max_examples=150, deadline=None)
@given(
    value=st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False),
    decimal_mark=st.sampled_from([".", ","]),
)
def test_decimal_round_trips_either_decimal_mark(value: Decimal, decimal_mark: str) -> None:
    text = f"{value:.2f}".replace(".", decimal_mark)
    assert parse_decimal(text, Decimal(0), Decimal(10**6)) == value


@settings(max_examples=100, deadline=None)
@given(
    year=st.integers(min_value=1000, max_value=9999), before=st.sampled_from(["", "en ", "año "])
)
def test_year_reads_any_four_digit_year(year: int, before: str) -> None:
    result = parse_year(f"{before}{year}", 1959, 2026)
    if 1959 <= year <= 2026:
        assert result == year
    else:
        assert isinstance(result, Message)
