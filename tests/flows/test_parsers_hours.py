"""Weekly hours: a day's hours × days, a labelled weekly total or a confirmation; never a bound."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.messages import Message
from flows.parsers import Confirm, parse_weekly_hours
from flows.parsers.hours import MSG_BOUND, MSG_DAY_OR_WEEK, MSG_SEVERAL, MSG_WHICH_DAYS

_DAYS_ES = ["lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"]


@pytest.mark.parametrize(
    ("text", "weekly"),
    [
        ("de lunes a sábado 10 horas diarias", 60),
        ("de lunes a sabado 10 horas diarias", 60),
        ("lunes a viernes 8 horas al dia", 40),
        ("10 horas diarias de lunes a sabado", 60),
        ("12 horas, 6 dias", 72),
        ("12h 6 dias", 72),
        ("6 dias de 12 horas", 72),
        ("todos los dias 12 horas", 84),
        ("de lunes a lunes 14 horas", 98),  # Cuban for "every day, no rest"
        ("sin dias libres, 11 horas", 77),
        ("60 horas a la semana", 60),
        ("60 horas semanales", 60),
        ("unas 60 hrs x semana", 60),
        ("mas o menos 50 horas a la semana", 50),
        ("10 hours a day monday to friday", 50),
        ("48 hours a week", 48),
        ("0 horas a la semana", 0),
    ],
)
def test_hours_read_exactly(text: str, weekly: int) -> None:
    assert parse_weekly_hours(text) == weekly


@pytest.mark.parametrize(
    ("text", "proposed"),
    [
        ("60", 60),
        ("unas 60", 60),
        ("60 horas", 60),
        ("aprox 72 h", 72),
        ("8,5 horas diarias 5 dias", 43),
    ],
)
def test_bare_totals_and_rounded_products_are_confirmed(text: str, proposed: int) -> None:
    result = parse_weekly_hours(text)
    assert isinstance(result, Confirm)
    assert result.options == (proposed,)
    assert result.message.render() == (
        f"¿Unas {proposed} horas por semana? Pulse el botón, o escriba las horas al día y los días."
    )


@pytest.mark.parametrize(
    ("text", "msgid"),
    [
        ("mucho, más de 12 horas", MSG_BOUND),
        ("mas de 12", MSG_BOUND),
        ("hasta 14 horas", MSG_BOUND),
        ("entre 10 y 12", MSG_BOUND),
        ("more than 12 hours", MSG_BOUND),
        ("12 horas diarias", MSG_WHICH_DAYS),
        ("8 horas", MSG_DAY_OR_WEEK),
        ("10 o 12 horas, 6 dias", MSG_SEVERAL),
        ("de 7 a 7", MSG_SEVERAL),
        ("10x6", MSG_SEVERAL),
    ],
)
def test_bounds_and_half_answers_are_asked_again(text: str, msgid: str) -> None:
    result = parse_weekly_hours(text)
    assert isinstance(result, Message)
    assert result.msgid == msgid
    assert result.render()


@settings(max_examples=200, deadline=None)
@given(
    per_day=st.integers(0, 24),
    pair=st.lists(st.integers(0, 6), min_size=2, max_size=2, unique=True).map(sorted),
    daily=st.sampled_from(["horas diarias", "horas al dia", "h por dia", "horas cada dia"]),
    days_first=st.booleans(),
)
def test_hours_a_day_times_a_weekday_span(
    per_day: int, pair: list[int], daily: str, days_first: bool
) -> None:
    # Two distinct days: "de lunes a lunes" is the Cuban "every day" (tested above).
    first, last = pair
    days = f"de {_DAYS_ES[first]} a {_DAYS_ES[last]}"
    hours = f"{per_day} {daily}"
    text = f"{days} {hours}" if days_first else f"{hours} {days}"
    assert parse_weekly_hours(text) == per_day * (last - first + 1)


@settings(max_examples=200, deadline=None)
@given(per_day=st.integers(0, 24), days=st.integers(1, 7), sep=st.sampled_from([", ", " ", " y "]))
def test_hours_and_a_day_count(per_day: int, days: int, sep: str) -> None:
    assert parse_weekly_hours(f"{per_day} horas{sep}{days} dias") == per_day * days


@settings(max_examples=200, deadline=None)
@given(total=st.integers(25, 168), unit=st.sampled_from(["", " horas", " h", " hrs"]))
def test_an_unlabelled_total_is_only_proposed(total: int, unit: str) -> None:
    result = parse_weekly_hours(f"{total}{unit}")
    assert isinstance(result, Confirm)
    assert result.options == (total,)


@settings(max_examples=200, deadline=None)
@given(
    bound=st.sampled_from(["mas de", "más de", "menos de", "hasta", "al menos", "mucho,"]),
    number=st.integers(0, 200),
    tail=st.sampled_from(["", " horas", " horas diarias", " horas a la semana", " h, 6 dias"]),
)
def test_a_bound_is_never_recorded_as_a_figure(bound: str, number: int, tail: str) -> None:
    result = parse_weekly_hours(f"{bound} {number}{tail}")
    assert isinstance(result, Message)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=120) | st.text(alphabet="0123456789 ,.xhdiasemnlu", max_size=40))
def test_any_text_gives_a_bounded_figure_a_proposal_or_a_message(text: str) -> None:
    result = parse_weekly_hours(text, 140)
    if isinstance(result, int):
        assert 0 <= result <= 140
    elif isinstance(result, Confirm):
        assert all(0 <= option <= 140 for option in result.options)
        assert result.message.render()
    else:
        assert result.render()
