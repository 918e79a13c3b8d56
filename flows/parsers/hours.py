"""Working hours in a normal week, typed as hours a day and days a week, or as a weekly total.

People say how long their day was and which days they worked ("de lunes a sábado 10 horas
diarias"), rarely a weekly total. A bare number may be either, so it is confirmed, never
guessed: "60" asks "¿Unas 60 horas por semana?"; "10 horas diarias" asks for the days. Bounds
("más de 12", "hasta 14") and ranges ("10 o 12") are not a figure, so they are asked again.
"""

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from flows.messages import Message
from flows.parsers.confirm import Confirm
from flows.parsers.folding import MAX_ANSWER_CHARS, fold
from flows.parsers.numbers import show_number
from flows.parsers.reading import Problem, Reading, find_numbers, has_number_words

HOURS_PER_WEEK_MAX: Final = 7 * 24
_DAY_HOURS_MAX: Final = Decimal(24)

_WEEKDAYS: Final = {
    "lunes": 1,
    "martes": 2,
    "miercoles": 3,
    "jueves": 4,
    "viernes": 5,
    "sabado": 6,
    "domingo": 7,
    "monday": 1,
    "tuesday": 2,
    "wednesday": 3,
    "thursday": 4,
    "friday": 5,
    "saturday": 6,
    "sunday": 7,
}
_DAY_NAME: Final = "|".join(_WEEKDAYS)
_WEEKDAY_SPAN: Final = re.compile(
    rf"(?:(?:de|from) )?({_DAY_NAME}) (?:a|al|hasta|to|through|-) ?({_DAY_NAME})"
)
# "de lunes a lunes" is Cuban for "every day, no rest"; so are the others.
_EVERY_DAY: Final = re.compile(
    r"todos los dias|toda la semana|de lunes a lunes|sin (?:dias? )?(?:libres?|descanso)"
    r"|cada dia de la semana|every ?day|7 days a week|seven days a week"
)
_DAYS_COUNT: Final = re.compile(r"(?<![0-9.,])([0-9]+) ?(?:dias?|days?|d)(?![a-z])")
_PER_DAY: Final = re.compile(
    r"(?:al|por|cada|x|a|/|each|per|a) ?(?:dia|day)(?![a-z])|diari[oa]s?|daily|(?<![a-z])hrs? ?/ ?d"
)
_PER_WEEK: Final = re.compile(
    r"(?:a la|por|cada|x|a|/|each|per|la|in a) ?(?:semana|week)(?![a-z])|semanal(?:es)?|weekly"
)
# Words that make a number a bound or a guess at a bound, not an answer.
_BOUND: Final = re.compile(
    r"(?<![a-z])(?:mas de|mas que|menos de|menos que|hasta|al menos|por lo menos|minimo|maximo"
    r"|mucho|muchas|muchisimas|entre|more than|over|less than|under|up to|at least|a lot)(?![a-z])"
)
_APPROXIMATELY: Final = re.compile(r"(?<![a-z])(?:mas o menos|more or less)(?![a-z])")

MSG_HOW: Final = (
    "Escriba cuántas horas trabajaba en un día normal y cuántos días a la semana, "
    "por ejemplo: «10 horas, 6 días»."
)
MSG_BOUND: Final = (
    "«Más de» o «hasta» no nos dice cuántas horas. Escriba un número aproximado de horas "
    "al día y los días a la semana, por ejemplo: «13 horas, 6 días»."
)
MSG_SEVERAL: Final = (
    "Escriba un solo número aproximado de horas al día y los días a la semana, "
    "por ejemplo: «11 horas, 6 días»."
)
MSG_WHICH_DAYS: Final = (
    "¿Cuántos días a la semana trabajaba {hours} horas? Escriba, por ejemplo: "
    "«{hours} horas, 6 días»."
)
MSG_DAY_OR_WEEK: Final = (
    "¿{hours} horas al día o a la semana? Escriba, por ejemplo: «{hours} horas al día, "
    "6 días» o «{hours} horas a la semana»."
)
MSG_CONFIRM_WEEK: Final = (
    "¿Unas {hours} horas por semana? Pulse el botón, o escriba las horas al día y los días."
)
MSG_DAYS_RANGE: Final = "Una semana tiene 7 días: escriba de 1 a 7 días."
MSG_DAY_RANGE: Final = "Un día tiene 24 horas: escriba de 0 a 24 horas al día."
MSG_WEEK_RANGE: Final = "Escriba un número de horas a la semana entre 0 y {hi}."


def parse_weekly_hours(text: str, hi: int = HOURS_PER_WEEK_MAX) -> int | Message | Confirm[int]:
    """Hours worked in a normal week; a `Confirm` when the reading needs the respondent's yes."""
    folded = fold(text)
    if len(folded) > MAX_ANSWER_CHARS or has_number_words(folded):
        return Message(MSG_HOW)
    folded = _APPROXIMATELY.sub(" ", folded)
    if _BOUND.search(folded):
        return Message(MSG_BOUND)
    days = _days(folded)
    if isinstance(days, Message):
        return days
    count, rest = days
    numbers = list(find_numbers(rest))
    if not numbers:
        return Message(MSG_HOW)
    if len(numbers) > 1 or any(isinstance(n, Problem) for n in numbers):
        return Message(MSG_SEVERAL)
    (reading,) = numbers
    assert isinstance(reading, Reading)
    if reading.negative:
        return Message(MSG_HOW)
    hours = reading.value
    after = rest[reading.end :]
    weekly = (
        _PER_WEEK.search(after) is not None or _PER_WEEK.search(rest[: reading.start]) is not None
    )
    daily = _PER_DAY.search(after) is not None
    if weekly and not daily:
        return _week(hours, hi, confirmed=True)
    if count is None:
        if daily or hours <= _DAY_HOURS_MAX:
            shown = {"hours": _show(hours)}
            return Message(MSG_WHICH_DAYS if daily else MSG_DAY_OR_WEEK, shown)
        return _week(hours, hi, confirmed=False)
    if hours > _DAY_HOURS_MAX:
        return Message(MSG_DAY_RANGE)
    return _week(hours * count, hi, confirmed=True)


def _days(folded: str) -> tuple[int | None, str] | Message:
    """Days worked a week, if the answer says, and the answer without that part."""
    every = _EVERY_DAY.search(folded)
    if every is not None:
        return 7, folded[: every.start()] + " " + folded[every.end() :]
    span = _WEEKDAY_SPAN.search(folded)
    if span is not None:
        first, last = _WEEKDAYS[span[1]], _WEEKDAYS[span[2]]
        count = last - first + 1 if last >= first else last - first + 8
        return count, folded[: span.start()] + " " + folded[span.end() :]
    counted = list(_DAYS_COUNT.finditer(folded))
    if len(counted) > 1:
        return Message(MSG_SEVERAL)
    if counted:
        count = int(counted[0][1])
        if not 1 <= count <= 7:
            return Message(MSG_DAYS_RANGE)
        match = counted[0]
        return count, folded[: match.start()] + " " + folded[match.end() :]
    return None, folded


def _week(hours: Decimal, hi: int, *, confirmed: bool) -> int | Message | Confirm[int]:
    if not 0 <= hours <= hi:
        return Message(MSG_WEEK_RANGE, {"hi": hi})
    whole = int(hours.to_integral_value(ROUND_HALF_UP))
    if confirmed and whole == hours:
        return whole
    # A rounded total or an unlabelled number is shown back before it is recorded.
    return Confirm(Message(MSG_CONFIRM_WEEK, {"hours": whole}), (whole,))


def _show(value: Decimal) -> str:
    return show_number(value)
