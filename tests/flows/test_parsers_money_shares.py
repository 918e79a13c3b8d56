"""Money answers that are shares, or in currency words several mission countries share."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.answers import Money
from flows.messages import Message
from flows.parsers import Confirm, parse_money
from flows.parsers.money import AMBIGUOUS_BY_COUNTRY, MSG_SHARE

LO = Decimal(0)
HI = Decimal(100_000)
_RIAL_WORDS = ["riales", "rial", "riyales", "riyal"]
_RIAL_COUNTRIES = dict(AMBIGUOUS_BY_COUNTRY["?rial"])


@pytest.mark.parametrize(
    "text",
    [
        "el 25% del salario",
        "25 %",
        "25%",
        "la mitad",
        "la mitad del salario",
        "un tercio",
        "25 por ciento",
        "25 porciento",
        "half",
        "50 percent",
        "una parte del pago",
    ],
)
def test_a_share_is_never_money(text: str) -> None:
    result = parse_money(text, LO, HI)
    assert isinstance(result, Message)
    assert result.msgid == MSG_SHARE


@settings(max_examples=200, deadline=None)
@given(
    number=st.integers(0, 100),
    form=st.sampled_from(
        ["{n}%", "{n} %", "el {n}% del salario", "{n} por ciento", "como el {n}%"]
    ),
    currency=st.sampled_from(["", " usd", " del sueldo", " de lo que pagaban"]),
)
def test_any_share_is_asked_again(number: int, form: str, currency: str) -> None:
    result = parse_money(form.format(n=number) + currency, LO, HI)
    assert isinstance(result, Message)
    assert result.msgid == MSG_SHARE


@settings(max_examples=200, deadline=None)
@given(
    amount=st.integers(0, 99_999),
    word=st.sampled_from(_RIAL_WORDS),
    country=st.sampled_from(sorted(_RIAL_COUNTRIES)),
    before=st.booleans(),
)
def test_rials_follow_the_mission_country(
    amount: int, word: str, country: str, before: bool
) -> None:
    text = f"{word} {amount}" if before else f"{amount} {word}"
    assert parse_money(text, LO, HI, country=country) == Money(
        Decimal(amount), _RIAL_COUNTRIES[country]
    )


@settings(max_examples=200, deadline=None)
@given(
    amount=st.integers(0, 99_999),
    word=st.sampled_from(_RIAL_WORDS),
    country=st.none() | st.sampled_from(["VE", "BR", "AO", "KW", "DZ", "MX"]),
)
def test_rials_without_a_rial_country_are_asked(
    amount: int, word: str, country: str | None
) -> None:
    result = parse_money(f"{amount} {word}", LO, HI, country=country)
    assert isinstance(result, Confirm)
    assert {option.currency for option in result.options} == set(_RIAL_COUNTRIES.values())
    assert {option.amount for option in result.options} == {Decimal(amount)}


@settings(max_examples=200, deadline=None)
@given(
    amount=st.integers(0, 99_999),
    named=st.sampled_from(
        [
            ("rial qatari", "QAR"),
            ("riales saudies", "SAR"),
            ("rial omani", "OMR"),
            ("bolivares", "VES"),
            ("reales", "BRL"),
            ("kwanzas", "AOA"),
            ("dinar argelino", "DZD"),
            ("dinares kuwaities", "KWD"),
            ("rands", "ZAR"),
            ("euros", "EUR"),
            ("usd", "USD"),
            ("bolivianos", "BOB"),
            ("quetzales", "GTQ"),
            ("lempiras", "HNL"),
            ("cordobas", "NIO"),
        ]
    ),
    country=st.none() | st.sampled_from(["QA", "SA", "VE", "BO", "AO", "KW"]),
)
def test_a_named_currency_wins_over_the_country(
    amount: int, named: tuple[str, str], country: str | None
) -> None:
    word, code = named
    assert parse_money(f"{amount} {word}", LO, HI, country=country) == Money(Decimal(amount), code)


@settings(max_examples=200, deadline=None)
@given(thousands=st.integers(1, 99), currency=st.sampled_from(["usd", "cup", "euros", "mlc"]))
def test_mil_multiplies_by_a_thousand(thousands: int, currency: str) -> None:
    result = parse_money(f"{thousands} mil {currency}", LO, HI)
    assert isinstance(result, Money)
    assert result.amount == thousands * 1000


def test_dollar_sign_in_a_peso_country_is_asked() -> None:
    result = parse_money("$500", LO, HI, country="MX")
    assert isinstance(result, Confirm)
    assert [m.currency for m in result.options] == ["USD", "MXN"]
    assert parse_money("$500", LO, HI, country="VE") == Money(Decimal(500), "USD")
