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
    Bounds,
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
# A condition compiled for the routing reading: (answers, figures) -> holds.
Predicate: TypeAlias = Callable[[Mapping[str, NavigationValue], FigureLookup | None], bool]


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


def compile_condition(condition: Condition) -> Predicate:
    """A function equal to `holds(condition, answers, figures)`, dispatching on the shape of
    the condition once instead of on every call: for callers that read thousands of answer
    sets with one questionnaire (exports and reports)."""
    kind = type(condition)
    if kind is InCodes or kind is NotInCodes:
        assert isinstance(condition, InCodes | NotInCodes)
        return _in_codes(condition.q, frozenset(condition.codes), inside=kind is InCodes)
    if kind is AllOf or kind is AnyOf:
        assert isinstance(condition, AllOf | AnyOf)
        return _combined(tuple(compile_condition(i) for i in condition.items), kind is AnyOf)
    if kind is Not:
        assert isinstance(condition, Not)
        inner = compile_condition(condition.item)
        return lambda answers, figures: not inner(answers, figures)
    if isinstance(condition, FigurePresent):
        return _figure_present(condition.figure, condition.present)
    if isinstance(condition, FigureCompare):
        return _figure_within(condition.figure, _bounds(condition))
    if isinstance(condition, IsAnswered):
        return _is_answered(condition.q, condition.answered)
    assert isinstance(condition, Compare)
    return _number_within(condition.q, _bounds(condition))


def _in_codes(question: str, codes: frozenset[str], *, inside: bool) -> Predicate:
    def in_codes(answers: Mapping[str, NavigationValue], _: FigureLookup | None) -> bool:
        value = answers.get(question)
        if isinstance(value, str):
            return (value in codes) is inside
        if isinstance(value, tuple):
            return codes.isdisjoint(value) is not inside
        if value is None or isinstance(value, Skipped | Answered):
            return False
        return not inside  # a number, for a year question with extra choices

    return in_codes


def _combined(items: tuple[Predicate, ...], any_of: bool) -> Predicate:
    # Plain loops: a generator for all()/any() costs about as much as the atoms it runs.
    def every(answers: Mapping[str, NavigationValue], figures: FigureLookup | None) -> bool:
        for item in items:  # noqa: SIM110 - see above
            if not item(answers, figures):
                return False
        return True

    def some(answers: Mapping[str, NavigationValue], figures: FigureLookup | None) -> bool:
        for item in items:  # noqa: SIM110 - see above
            if item(answers, figures):
                return True
        return False

    return some if any_of else every


def _figure_present(figure: str, present: bool) -> Predicate:
    def figure_present(_: Mapping[str, NavigationValue], figures: FigureLookup | None) -> bool:
        return figures is not None and (figures(figure)[0] == "present") == present

    return figure_present


def _figure_within(figure: str, within: Callable[[Decimal | int], bool]) -> Predicate:
    def figure_within(_: Mapping[str, NavigationValue], figures: FigureLookup | None) -> bool:
        if figures is None:
            return False
        number = figures(figure)[1]
        return number is not None and within(number)

    return figure_within


def _is_answered(question: str, answered: bool) -> Predicate:
    def is_answered(answers: Mapping[str, NavigationValue], _: FigureLookup | None) -> bool:
        value = answers.get(question)
        return (value is not None and not isinstance(value, Skipped)) == answered

    return is_answered


def _number_within(question: str, within: Callable[[Decimal | int], bool]) -> Predicate:
    def number_within(answers: Mapping[str, NavigationValue], _: FigureLookup | None) -> bool:
        value = answers.get(question)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            return False
        return within(value)

    return number_within


def _bounds(bounds: Bounds) -> Callable[[Decimal | int], bool]:
    # An int compares exactly with a Decimal bound, as Decimal(int) would.
    gte, gt, lte, lt = bounds.gte, bounds.gt, bounds.lte, bounds.lt

    def within(number: Decimal | int) -> bool:
        return (
            (gte is None or number >= gte)
            and (gt is None or number > gt)
            and (lte is None or number <= lte)
            and (lt is None or number < lt)
        )

    return within
