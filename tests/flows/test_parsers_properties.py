"""Whatever a respondent types, no parser raises, and each call stays fast."""

import time
from collections.abc import Callable
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from flows.answers import Money
from flows.messages import Message
from flows.parsers import (
    Confirm,
    CountryMatch,
    ProvinceMatch,
    check_text,
    match_country,
    match_province,
    parse_decimal,
    parse_integer,
    parse_money,
    parse_percent,
    parse_year,
)

# Arbitrary Unicode, and a denser mix of what numbers and amounts are made of.
_ANSWERS = st.one_of(
    st.text(max_size=300),
    st.text(alphabet="0123456789.,-−$€ %/usdeurpomilcUSD\u00a0\u202f٣", max_size=40),
)


def _render_ok(message: Message) -> None:
    # Every placeholder has its parameter: rendering must not raise either.
    assert message.render()


@settings(max_examples=300, deadline=None)
@given(text=_ANSWERS)
def test_number_parsers_never_raise(text: str) -> None:
    for result in (
        parse_integer(text, 0, 168),
        parse_decimal(text, Decimal("0.5"), Decimal(24)),
        parse_percent(text),
        parse_year(text, 1959, 2026),
    ):
        if isinstance(result, Message):
            _render_ok(result)
        else:
            assert isinstance(result, int | Decimal)


@settings(max_examples=300, deadline=None)
@given(text=_ANSWERS)
def test_money_never_raises_and_never_gives_a_negative_amount(text: str) -> None:
    result = parse_money(text, Decimal(0), Decimal(10**6))
    readings = result.options if isinstance(result, Confirm) else (result,)
    for reading in readings:
        if isinstance(reading, Money):
            assert Decimal(0) <= reading.amount <= Decimal(10**6)
            assert reading.currency.isupper() and len(reading.currency) == 3
        else:
            _render_ok(reading)
    if isinstance(result, Confirm):
        _render_ok(result.message)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300))
def test_place_matchers_never_raise(text: str) -> None:
    for match in (match_country(text), match_country(text, "en"), match_province(text)):
        assert isinstance(match, CountryMatch | ProvinceMatch)
        assert (match.code is None) == (match.message is not None)
        assert len(match.suggestions) <= 5
        if match.message is not None:
            _render_ok(match.message)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300), lengths=st.tuples(st.integers(0, 50), st.integers(0, 400)))
def test_check_text_never_raises(text: str, lengths: tuple[int, int]) -> None:
    result = check_text(text, *lengths)
    if isinstance(result, Message):
        _render_ok(result)
    else:
        assert lengths[0] <= len(result) <= lengths[1]
        assert result == result.strip()


def test_calls_stay_well_under_a_millisecond() -> None:
    answers = [
        "US$ 1.500,50",
        "tres mil",
        "aprox. 60 horas",
        "Venezuala",
        "trabajé en la República Bolivariana de Venezuela desde 2015",
        "x" * 300,
        "1 " * 150,
        "Santigo",
    ]
    calls: list[Callable[[str], object]] = [
        lambda text: parse_money(text, Decimal(0), Decimal(10**6)),
        lambda text: parse_integer(text, 0, 168),
        lambda text: parse_year(text, 1959, 2026),
        match_country,
        match_province,
    ]
    for call in calls:  # warm-up: the name indexes are built on first use
        call("x")
    rounds = 20
    start = time.perf_counter()
    for _ in range(rounds):
        for call in calls:
            for text in answers:
                call(text)
    average = (time.perf_counter() - start) / (rounds * len(calls) * len(answers))
    # Measured ~0.1 ms on a laptop; the bound leaves room for slow CI machines.
    assert average < 0.001
