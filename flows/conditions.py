"""Evaluation of conditions against answers (and derived figures), in three-valued logic."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import Enum
from typing import Final, TypeAlias

from flows.answers import Answered, NavigationValue, Skipped
from flows.model import (
    AllOf,
    AnyOf,
    Compare,
    Condition,
    FigureCompare,
    FigurePresent,
    InCodes,
    IsAnswered,
    Not,
    NotInCodes,
)


# A lookup says, for a question id, its value; None when it has none; PENDING when the
# answer may still come (used to estimate what is left, never to route).
class Pending(Enum):
    PENDING = "pending"


PENDING: Final = Pending.PENDING
QuestionLookup: TypeAlias = Callable[[str], NavigationValue | Pending | None]
# For a figure id: (state, value) as computed so far by flows.derive.
FigureLookup: TypeAlias = Callable[[str], tuple[str, Decimal | int | None]]


def holds(
    condition: Condition,
    answers: Mapping[str, NavigationValue],
    figures: FigureLookup | None = None,
) -> bool:
    """Two-valued reading used for routing: an atom on a skipped or missing answer is false."""
    return evaluate(condition, answers.get, figures) is True


def evaluate(
    condition: Condition,
    lookup: QuestionLookup,
    figures: FigureLookup | None = None,
) -> bool | None:
    """Kleene three-valued evaluation: None only when an atom's question is PENDING."""
    # Dispatch on the exact type, most frequent first: this runs for every question on
    # every navigation step.
    kind = type(condition)
    if kind is InCodes or kind is NotInCodes:
        assert isinstance(condition, InCodes | NotInCodes)
        value = lookup(condition.q)
        if isinstance(value, str):
            found = value in condition.codes
        elif isinstance(value, tuple):
            found = any(code in condition.codes for code in value)
        elif value is None or isinstance(value, Skipped | Answered):
            return False
        elif isinstance(value, Pending):
            return None
        else:
            found = False  # a number, for a year question with extra choices
        return found if kind is InCodes else not found
    if kind is AllOf or kind is AnyOf:
        assert isinstance(condition, AllOf | AnyOf)
        decisive = kind is AnyOf  # True decides an any, False decides an all
        undecided = False
        for item in condition.items:
            result = evaluate(item, lookup, figures)
            if result is decisive:
                return decisive
            undecided = undecided or result is None
        return None if undecided else not decisive
    if kind is Not:
        assert isinstance(condition, Not)
        inner = evaluate(condition.item, lookup, figures)
        return None if inner is None else not inner
    if isinstance(condition, FigurePresent | FigureCompare):
        if figures is None:
            return False
        state, number = figures(condition.figure)
        if isinstance(condition, FigurePresent):
            return (state == "present") == condition.present
        return number is not None and condition.holds(Decimal(number))
    assert isinstance(condition, IsAnswered | Compare)
    value = lookup(condition.q)
    if isinstance(value, Pending):
        return None
    if isinstance(condition, IsAnswered):
        given = value is not None and not isinstance(value, Skipped)
        return given == condition.answered
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return False
    return condition.holds(Decimal(value))
