"""`compile_condition`, the one interpreter of conditions, reads every condition as the
format says (docs/questionnaire-format.md), here restated as a plain recursive reading: in
three-valued logic with answers still to come, two-valued for routing (`routing`, `holds`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from flows.answers import ANSWERED, SKIPPED, Answered, Money, NavigationValue, Skipped
from flows.conditions import (
    PENDING,
    FigureLookup,
    Pending,
    QuestionLookup,
    compile_condition,
    holds,
    routing,
)
from flows.loader import load_questionnaire
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
from tests.flows.support import TESTIMONIO

CONDITION: TypeAdapter[Condition] = TypeAdapter(Condition)
QUESTIONS = ("a", "b", "n")
FIGURES = ("f", "g")
CODES = ("x", "y", "z")

_bounds = st.dictionaries(
    st.sampled_from(("gte", "gt", "lte", "lt")),
    st.sampled_from((Decimal(0), Decimal("2.5"), Decimal(3), Decimal(2019))),
    min_size=1,
)
_codes = st.lists(st.sampled_from(CODES), min_size=1, max_size=3, unique=True)
_atoms = st.one_of(
    st.builds(lambda q, c: {"q": q, "in": c}, st.sampled_from(QUESTIONS), _codes),
    st.builds(lambda q, c: {"q": q, "not_in": c}, st.sampled_from(QUESTIONS), _codes),
    st.builds(lambda q, b: {"q": q, **b}, st.sampled_from(QUESTIONS), _bounds),
    st.builds(lambda q, a: {"q": q, "answered": a}, st.sampled_from(QUESTIONS), st.booleans()),
    st.builds(lambda f, p: {"figure": f, "present": p}, st.sampled_from(FIGURES), st.booleans()),
    st.builds(lambda f, b: {"figure": f, **b}, st.sampled_from(FIGURES), _bounds),
)
_conditions = st.recursive(
    _atoms,
    lambda inner: st.one_of(
        st.builds(lambda items: {"all": items}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda items: {"any": items}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda item: {"not": item}, inner),
    ),
    max_leaves=6,
)
# Every kind of value a question can hold, and some it should not (a bool, a number on a
# choice question): the two readings must agree on those too.
_values = st.one_of(
    st.sampled_from(CODES),
    st.lists(st.sampled_from(CODES), min_size=1, max_size=3, unique=True).map(tuple),
    st.integers(-1, 2030),
    st.sampled_from((Decimal("2.5"), Decimal(3), Decimal("-0.5"))),
    st.just(True),
    st.just(SKIPPED),
    st.just(ANSWERED),
    st.just(Money(Decimal(3), "USD")),
)
_answers = st.dictionaries(st.sampled_from(QUESTIONS), _values)
# The same, with answers still to come (estimating what is left of a questionnaire).
_pending_answers = st.dictionaries(st.sampled_from(QUESTIONS), st.one_of(_values, st.just(PENDING)))


def _reference(
    condition: Condition, lookup: QuestionLookup, figures: FigureLookup | None
) -> bool | None:
    """The format's reading, atom by atom, Kleene logic for all/any/not: an atom is None
    only on a PENDING answer, false on a skipped, missing or only-"answered" one."""
    if isinstance(condition, AllOf | AnyOf | Not):
        items = (condition.item,) if isinstance(condition, Not) else condition.items
        results = [_reference(item, lookup, figures) for item in items]
        if isinstance(condition, Not):
            return None if results[0] is None else not results[0]
        decisive = isinstance(condition, AnyOf)
        if decisive in results:
            return decisive
        return None if None in results else not decisive
    if isinstance(condition, FigurePresent | FigureCompare):
        if figures is None:
            return False
        state, number = figures(condition.figure)
        if isinstance(condition, FigurePresent):
            return (state == "present") == condition.present
        return number is not None and condition.holds(Decimal(number))
    value: NavigationValue | Pending | None = lookup(condition.q)
    if isinstance(condition, InCodes | NotInCodes):
        if value is None or isinstance(value, Skipped | Answered):
            return False
        if isinstance(value, Pending):
            return None
        codes = (value,) if isinstance(value, str) else value if isinstance(value, tuple) else ()
        found = any(code in condition.codes for code in codes)
        return found if isinstance(condition, InCodes) else not found
    if isinstance(value, Pending):
        return None
    if isinstance(condition, IsAnswered):
        return (value is not None and not isinstance(value, Skipped)) == condition.answered
    assert isinstance(condition, Compare)
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return False
    return condition.holds(Decimal(value))


_figure_values = st.tuples(
    st.sampled_from(("present", "absent", "unknown", "not_applicable")),
    st.one_of(st.none(), st.integers(0, 5), st.just(Decimal("2.5"))),
)
_figures = st.one_of(st.none(), st.fixed_dictionaries({f: _figure_values for f in FIGURES}))


@settings(max_examples=300, deadline=None)
@given(_conditions, _answers, _figures)
def test_the_routing_reading_agrees_with_the_format(
    raw: dict[str, Any],
    answers: dict[str, Any],
    figures: dict[str, tuple[str, Decimal | int | None]] | None,
) -> None:
    condition = CONDITION.validate_python(raw)
    lookup = None if figures is None else figures.__getitem__
    expected = _reference(condition, answers.get, lookup)
    assert expected is not None  # no answer is pending: the reading is two-valued
    assert routing(compile_condition(condition))(answers, lookup) is expected
    assert holds(condition, answers, lookup) is expected


@settings(max_examples=300, deadline=None)
@given(_conditions, _pending_answers, _figures)
def test_the_three_valued_reading_agrees_with_the_format(
    raw: dict[str, Any],
    answers: dict[str, Any],
    figures: dict[str, tuple[str, Decimal | int | None]] | None,
) -> None:
    condition = CONDITION.validate_python(raw)
    lookup = None if figures is None else figures.__getitem__
    expected = _reference(condition, answers.get, lookup)
    assert compile_condition(condition)(answers.get, lookup) is expected


def test_every_shipped_condition_compiles_to_the_same_reading() -> None:
    questionnaire = load_questionnaire(TESTIMONIO)
    conditions = [
        c
        for module in questionnaire.modules
        for c in (module.when, *(q.when for q in module.questions))
        if c is not None
    ]
    conditions += [
        c
        for i in questionnaire.indicators
        for c in (i.applies_when, getattr(i, "present", None))
        if c is not None
    ]
    everyone_said_yes = {q.id: "si" for q in questionnaire.questions()}
    readings = set()
    for condition in conditions:
        for answers in ({}, everyone_said_yes, {"rol": "mision_actual"}):
            compiled = routing(compile_condition(condition))(answers, None)
            assert compiled is _reference(condition, answers.get, None)
            assert holds(condition, answers) is compiled
            readings.add(compiled)
    assert readings == {True, False}  # the cases exercise both outcomes
