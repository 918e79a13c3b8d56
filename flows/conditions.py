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
# A condition compiled once: (question lookup, figures) -> True, False, or None (undecided:
# an atom's question is PENDING). Routing reads it two-valued (`routing`).
Compiled: TypeAlias = Callable[[QuestionLookup, FigureLookup | None], bool | None]
# The routing reading of a condition: (answers, figures) -> holds.
Predicate: TypeAlias = Callable[[Mapping[str, NavigationValue], FigureLookup | None], bool]


def compile_condition(condition: Condition) -> Compiled:
    """The one interpreter of the condition language, in Kleene three-valued logic: None
    only when an atom's question is PENDING (estimating what is left); with answers as they
    stand (`answers.get`) it never returns None, and an atom on a skipped or missing answer
    is false. The shape of the condition is read once here, not on every call: navigation
    runs conditions for every question on every step, exports for thousands of answer sets.
    """
    match condition:
        case InCodes(q=question, codes=codes):
            return _in_codes(question, frozenset(codes), inside=True)
        case NotInCodes(q=question, codes=codes):
            return _in_codes(question, frozenset(codes), inside=False)
        case AllOf(items=items):
            return _every(tuple(compile_condition(item) for item in items))
        case AnyOf(items=items):
            return _some(tuple(compile_condition(item) for item in items))
        case Not(item=item):
            return _negated(compile_condition(item))
        case FigurePresent(figure=figure, present=present):
            return _figure_present(figure, present)
        case FigureCompare(figure=figure):
            return _figure_within(figure, _bounds(condition))
        case IsAnswered(q=question, answered=answered):
            return _is_answered(question, answered)
        case Compare(q=question):
            return _number_within(question, _bounds(condition))
    raise TypeError(f"not a condition: {type(condition).__name__}")  # pragma: no cover


def routing(compiled: Compiled) -> Predicate:
    """The two-valued reading used for routing and derived figures: holds, or not."""

    def reading(answers: Mapping[str, NavigationValue], figures: FigureLookup | None) -> bool:
        return compiled(answers.get, figures) is True

    return reading


def holds(
    condition: Condition,
    answers: Mapping[str, NavigationValue],
    figures: FigureLookup | None = None,
) -> bool:
    """The routing reading of one condition on one set of answers (compiled each call: for
    callers reading many answer sets, `routing(compile_condition(...))` once)."""
    return compile_condition(condition)(answers.get, figures) is True


def _in_codes(question: str, codes: frozenset[str], *, inside: bool) -> Compiled:
    def in_codes(lookup: QuestionLookup, _: FigureLookup | None) -> bool | None:
        value = lookup(question)
        if isinstance(value, str):
            return (value in codes) is inside
        if isinstance(value, tuple):
            return codes.isdisjoint(value) is not inside
        if value is None or isinstance(value, Skipped | Answered):
            return False
        if isinstance(value, Pending):
            return None
        return not inside  # a number, for a year question with extra choices

    return in_codes


# Plain loops below: a generator for all()/any() costs about as much as the atoms it runs.


def _every(items: tuple[Compiled, ...]) -> Compiled:
    def every(lookup: QuestionLookup, figures: FigureLookup | None) -> bool | None:
        undecided = False
        for item in items:
            result = item(lookup, figures)
            if result is not True:  # one test on the common path
                if result is False:
                    return False
                undecided = True
        return None if undecided else True

    return every


def _some(items: tuple[Compiled, ...]) -> Compiled:
    def some(lookup: QuestionLookup, figures: FigureLookup | None) -> bool | None:
        undecided = False
        for item in items:
            result = item(lookup, figures)
            if result is not False:  # one test on the common path
                if result is True:
                    return True
                undecided = True
        return None if undecided else False

    return some


def _negated(inner: Compiled) -> Compiled:
    def negated(lookup: QuestionLookup, figures: FigureLookup | None) -> bool | None:
        result = inner(lookup, figures)
        return None if result is None else not result

    return negated


def _figure_present(figure: str, present: bool) -> Compiled:
    def figure_present(_: QuestionLookup, figures: FigureLookup | None) -> bool:
        return figures is not None and (figures(figure)[0] == "present") == present

    return figure_present


def _figure_within(figure: str, within: Callable[[Decimal | int], bool]) -> Compiled:
    def figure_within(_: QuestionLookup, figures: FigureLookup | None) -> bool:
        if figures is None:
            return False
        number = figures(figure)[1]
        return number is not None and within(number)

    return figure_within


def _is_answered(question: str, answered: bool) -> Compiled:
    def is_answered(lookup: QuestionLookup, _: FigureLookup | None) -> bool | None:
        value = lookup(question)
        if isinstance(value, Pending):
            return None
        return (value is not None and not isinstance(value, Skipped)) == answered

    return is_answered


def _number_within(question: str, within: Callable[[Decimal | int], bool]) -> Compiled:
    def number_within(lookup: QuestionLookup, _: FigureLookup | None) -> bool | None:
        value = lookup(question)
        if isinstance(value, Pending):
            return None
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
