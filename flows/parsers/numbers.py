"""Integer, decimal, percent and year answers typed by a respondent."""

from decimal import Decimal
from itertools import islice
from typing import Final

from babel.numbers import format_decimal

from flows.messages import Message
from flows.parsers.folding import MAX_ANSWER_CHARS, fold
from flows.parsers.reading import (
    Problem,
    Reading,
    find_plain_numbers,
    has_number_words,
    read_number,
)

PERCENT_MIN: Final = Decimal(0)
PERCENT_MAX: Final = Decimal(100)


def show_number(value: int | Decimal) -> str:
    """A limit as a respondent reads it in Spanish ("3.000", "1.500,5"); years never grouped."""
    return format_decimal(value, locale="es")


def parse_integer(text: str, lo: int, hi: int) -> int | Message:
    """A whole number between `lo` and `hi`: "60", "aprox. 60", "60 horas", "1.000"."""
    reading = read_number(fold(text))
    if isinstance(reading, Problem):
        return _number_problem(reading, lo, hi)
    value = _signed(reading)
    if value != value.to_integral_value():
        return Message(
            "Escriba un número entero, sin decimales, entre {lo} y {hi}.", _limits(lo, hi)
        )
    if not lo <= value <= hi:
        return Message("Escriba un número entre {lo} y {hi}.", _limits(lo, hi))
    return int(value)


def parse_decimal(text: str, lo: Decimal, hi: Decimal) -> Decimal | Message:
    """A number between `lo` and `hi`, with "," or "." as decimal mark: "8,5", "8.5 horas"."""
    reading = read_number(fold(text))
    if isinstance(reading, Problem):
        return _number_problem(reading, lo, hi)
    value = _signed(reading)
    if not lo <= value <= hi:
        return Message("Escriba un número entre {lo} y {hi}.", _limits(lo, hi))
    return value


def parse_percent(text: str) -> Decimal | Message:
    """A percentage from 0 to 100: "45", "45 %", "45,5%", "45.5", "45 por ciento"."""
    reading = read_number(fold(text))
    if reading is Problem.SEVERAL:
        return Message("Escriba un solo porcentaje, entre 0 y 100.")
    if isinstance(reading, Problem):
        return Message("Escriba el porcentaje con cifras, entre 0 y 100. Por ejemplo: 45.")
    value = _signed(reading)
    if not PERCENT_MIN <= value <= PERCENT_MAX:
        return Message("Escriba un porcentaje entre 0 y 100.")
    return value


def parse_year(text: str, lo: int, hi: int) -> int | Message:
    """A four-digit year between `lo` and `hi`: "2019", "en 2019", "marzo de 2019", "3/2019"."""
    # Years are shown as written ("2019"), never grouped like amounts ("2.019").
    limits: dict[str, str | int] = {"lo": str(lo), "hi": str(hi)}
    folded = fold(text)
    if len(folded) > MAX_ANSWER_CHARS or has_number_words(folded):
        return Message("Escriba el año con cuatro cifras, entre {lo} y {hi}.", limits)
    # A date may come whole ("15/03/2019"): its one four-digit number is the year.
    years = list(islice((n for n in find_plain_numbers(folded) if len(n) == 4), 2))
    if not years:
        return Message("Escriba el año con cuatro cifras, entre {lo} y {hi}.", limits)
    if len(years) > 1:
        return Message("Escriba un solo año, entre {lo} y {hi}.", limits)
    year = int(years[0])
    if not lo <= year <= hi:
        return Message("Escriba un año entre {lo} y {hi}.", limits)
    return year


def _signed(reading: Reading) -> Decimal:
    return -reading.value if reading.negative else reading.value


def _limits(lo: int | Decimal, hi: int | Decimal) -> dict[str, str | int]:
    # Formatting with Babel is the slow part of a rejection: done only when one is due.
    return {"lo": show_number(lo), "hi": show_number(hi)}


def _number_problem(problem: Problem, lo: int | Decimal, hi: int | Decimal) -> Message:
    if problem is Problem.SEVERAL:
        return Message("Escriba un solo número, entre {lo} y {hi}.", _limits(lo, hi))
    return Message("Escriba el número con cifras, entre {lo} y {hi}.", _limits(lo, hi))
