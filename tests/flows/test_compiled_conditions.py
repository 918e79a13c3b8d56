"""`compile_condition` reads every condition exactly as `holds` does (exports and reports use
the compiled form, navigation the interpreted one)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from flows.answers import ANSWERED, SKIPPED, Money
from flows.conditions import compile_condition, holds
from flows.loader import load_questionnaire
from flows.model import Condition
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
_figure_values = st.tuples(
    st.sampled_from(("present", "absent", "unknown", "not_applicable")),
    st.one_of(st.none(), st.integers(0, 5), st.just(Decimal("2.5"))),
)
_figures = st.one_of(st.none(), st.fixed_dictionaries({f: _figure_values for f in FIGURES}))


@settings(max_examples=300, deadline=None)
@given(_conditions, _answers, _figures)
def test_compiled_condition_agrees_with_holds(
    raw: dict[str, Any],
    answers: dict[str, Any],
    figures: dict[str, tuple[str, Decimal | int | None]] | None,
) -> None:
    condition = CONDITION.validate_python(raw)
    lookup = None if figures is None else figures.__getitem__
    assert compile_condition(condition)(answers, lookup) == holds(condition, answers, lookup)


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
            compiled = compile_condition(condition)(answers, None)
            assert compiled == holds(condition, answers)
            readings.add(compiled)
    assert readings == {True, False}  # the cases exercise both outcomes
