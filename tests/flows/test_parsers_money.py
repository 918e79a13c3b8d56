"""Money answers: amounts with digits, both ways of grouping thousands, many currency names."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.answers import Money
from flows.messages import Message
from flows.parsers import MLC, parse_money

LO = Decimal(0)
HI = Decimal(1_000_000)


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("3000", "3000", "USD"),
        ("3.000", "3000", "USD"),
        ("3,000", "3000", "USD"),
        ("3,000 USD", "3000", "USD"),
        ("$3000", "3000", "USD"),
        ("$ 3000", "3000", "USD"),
        ("3000 euros", "3000", "EUR"),
        ("US$ 1.500,50", "1500.50", "USD"),
        ("1,500.50", "1500.50", "USD"),
        ("1.500,50", "1500.50", "USD"),
        ("1 500", "1500", "USD"),
        ("1 500,50 €", "1500.50", "EUR"),
        ("3000 dólares", "3000", "USD"),
        ("3000 dolares", "3000", "USD"),
        ("3000 Dólar", "3000", "USD"),
        ("€ 200", "200", "EUR"),
        ("€200", "200", "EUR"),
        ("200 EUR", "200", "EUR"),
        ("200eur", "200", "EUR"),
        ("5.000 pesos cubanos", "5000", "CUP"),
        ("5000 CUP", "5000", "CUP"),
        ("5000 moneda nacional", "5000", "CUP"),
        ("$500 MN", "500", "CUP"),  # "$" gives way to a named currency
        ("120 MLC", "120", MLC),
        ("300 cuc", "300", "CUC"),
        ("2000 reales", "2000", "BRL"),
        ("R$ 2000", "2000", "BRL"),
        ("1000 bolívares", "1000", "VES"),
        ("8000 pesos mexicanos", "8000", "MXN"),
        ("3500 QAR", "3500", "QAR"),
        ("qar 3500", "3500", "QAR"),
        ("1000 AOA al mes", "1000", "AOA"),
        ("aprox. 3000 USD al mes", "3000", "USD"),
        ("3,5", "3.5", "USD"),
        ("0", "0", "USD"),
        ("3 mil", "3000", "USD"),
        ("1,5 mil cup", "1500", "CUP"),
        ("٣٠٠٠ USD", "3000", "USD"),
    ],
)
def test_money_accepted(text: str, amount: str, currency: str) -> None:
    assert parse_money(text, LO, HI) == Money(Decimal(amount), currency)


def test_money_without_currency_uses_the_default() -> None:
    assert parse_money("3000", LO, HI, default_currency="EUR") == Money(Decimal(3000), "EUR")
    assert parse_money("3000 USD", LO, HI, default_currency="EUR") == Money(Decimal(3000), "USD")


@pytest.mark.parametrize(
    ("text", "msgid"),
    [
        ("tres mil", "Escriba la cantidad con números, por ejemplo: 3000 o 3000 USD."),
        ("tres mil dólares", "Escriba la cantidad con números, por ejemplo: 3000 o 3000 USD."),
        ("3k", "Escriba la cantidad con números, por ejemplo: 3000 o 3000 USD."),
        ("two thousand", "Escriba la cantidad con números, por ejemplo: 3000 o 3000 USD."),
        ("", "Escriba la cantidad con números, por ejemplo: 3000 o 3000 USD."),
        ("no sé", "Escriba la cantidad con números, por ejemplo: 3000 o 3000 USD."),
        ("1.50.0", "Escriba la cantidad con números, por ejemplo: 3000 o 3000 USD."),
        ("2000-3000", "Escriba una sola cantidad, por ejemplo: 3000 USD."),
        ("3000 USD y 200 EUR", "Escriba una sola cantidad, por ejemplo: 3000 USD."),
        ("3000 USD EUR", "Escriba una sola moneda, por ejemplo: 3000 USD."),
        ("-300", "La cantidad no puede ser negativa. Escriba, por ejemplo: 3000 USD."),
        ("- 300 USD", "La cantidad no puede ser negativa. Escriba, por ejemplo: 3000 USD."),
        ("5000 pesos", "¿Qué pesos? Escriba la moneda, por ejemplo: 5000 CUP o 5000 MXN."),
        ("2000000", "Escriba una cantidad entre {lo} y {hi}."),
    ],
)
def test_money_rejected_with_spanish_message(text: str, msgid: str) -> None:
    result = parse_money(text, LO, HI)
    assert isinstance(result, Message)
    assert result.msgid == msgid


def test_money_range_message_states_the_limits() -> None:
    result = parse_money("50 USD", Decimal(100), Decimal(50000))
    assert isinstance(result, Message)
    assert result.render() == "Escriba una cantidad entre 100 y 50.000."


def test_messages_do_not_echo_the_answer() -> None:
    # Respondent text never travels inside a message: it may end up in logs or screenshots.
    result = parse_money("9999999 USD", LO, HI)
    assert isinstance(result, Message)
    assert all("9999999" not in str(value) for value in result.params.values())


_SPANISH = {"thousands": ".", "decimal": ","}
_ENGLISH = {"thousands": ",", "decimal": "."}
_SPACED = {"thousands": " ", "decimal": ","}


def _format(amount: Decimal, style: dict[str, str], grouped: bool) -> str:
    text = f"{amount:,.2f}" if grouped else f"{amount:.2f}"
    whole, _, cents = text.partition(".")
    whole = whole.replace(",", style["thousands"])
    if cents == "00" and grouped:
        return whole  # "3.000", "3,000", "3 000"
    return whole + style["decimal"] + cents


@settings(max_examples=200, deadline=None)
@given(
    amount=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False),
    style=st.sampled_from([_SPANISH, _ENGLISH, _SPACED]),
    grouped=st.booleans(),
    wrap=st.sampled_from(["{}", "{} USD", "US$ {}", "${}", "{} euros", "€ {}", "{} MLC", "{}cup"]),
)
def test_money_round_trips_formatted_amounts(
    amount: Decimal, style: dict[str, str], grouped: bool, wrap: str
) -> None:
    text = wrap.format(_format(amount, style, grouped))
    result = parse_money(text, Decimal(0), Decimal(10**9))
    assert isinstance(result, Money), text
    assert result.amount == amount, text
