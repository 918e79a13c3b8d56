"""Derived figures of one submission: ILO, ICLS, Palermo, wage retention and health.

Every figure of the questionnaire's `indicators:` block is computed in file order (a figure
may use only figures above it) and gets one of four states:

- `not_applicable`: its `applies_when` does not hold (forced-labour figures for respondents
  who were not on a mission, health figures for respondents who did not answer module 7).
- For a `condition` or `all_of` figure (an `all_of` is the condition "every listed figure
  is present"):
  - `present`: the rule holds on the answers given. Conditions read answers as in routing:
    an atom on a skipped or missing answer is false, so `not {q: x, in: [si]}` holds when
    `x` was skipped;
  - `unknown`: the rule does not hold and every source question (those the rule reads,
    through the figures it uses too) was skipped or not asked: nothing was said either way;
  - `absent`: the rule does not hold and at least one source question was answered.
  Reports count "n of N respondents who answered" with N = present + absent.
- A `count` figure (`ilo_total`) is `present` with the number of listed figures that are
  present (0 included), or `unknown` with no value when every source question is unanswered.
- A `retention` figure (`retencion_salarial_pct`) is `present` with
  100 × (1 − Σ received / paid), rounded to 0.01 and clamped to 0–100, when the paid amount
  is known and above zero and all amounts are known and in one currency; `review` is set
  when the unclamped result was outside 0–100, or when the amounts are in different
  currencies (then the figure is `unknown`: staff convert by hand). Otherwise `unknown`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, TypeAlias

from flows.answers import AnswerValue, Money, Skipped
from flows.conditions import Compiled, FigureLookup, compile_condition
from flows.model import (
    AllOfIndicator,
    Condition,
    ConditionIndicator,
    CountIndicator,
    Indicator,
    Questionnaire,
    RetentionIndicator,
    condition_figures,
    condition_questions,
)

FigureState: TypeAlias = Literal["present", "absent", "unknown", "not_applicable"]

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Figure:
    """One derived figure of one submission."""

    state: FigureState
    value: Decimal | int | None = None
    review: bool = False


# Figures without a value are immutable and equal by value: one instance each serves every
# submission (a report derives hundreds of thousands of them).
_NOT_APPLICABLE = Figure("not_applicable")
_PRESENT = Figure("present")
_ABSENT = Figure("absent")
_UNKNOWN = Figure("unknown")
_UNKNOWN_REVIEW = Figure("unknown", review=True)

# One figure's rule: (answers, figures so far, lookup of those figures) -> the figure.
_Rule: TypeAlias = Callable[[Mapping[str, AnswerValue], dict[str, Figure], FigureLookup], Figure]


def derive(
    questionnaire: Questionnaire,
    answers: Mapping[str, AnswerValue],
    *,
    sources: Mapping[str, frozenset[str]] | None = None,
) -> dict[str, Figure]:
    """Every figure of the questionnaire for one (pruned, final) set of answers.

    Callers deriving many submissions build a `Derivation` once per questionnaire instead.
    """
    return Derivation(questionnaire, sources=sources)(answers)


class Derivation:
    """The figures of one questionnaire, with every rule compiled once (`derive`'s engine).

    `sources` is `source_questions(questionnaire)` when the caller has it already.
    """

    def __init__(
        self,
        questionnaire: Questionnaire,
        *,
        sources: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        if sources is None:
            sources = source_questions(questionnaire)
        self.questionnaire = questionnaire
        # Most figures share one of a few `applies_when` conditions (the mission respondents,
        # module 7): each distinct condition that reads answers only is decided once per
        # submission, in the slot numbered here. One reading figures is evaluated each time.
        slots: dict[Condition, int] = {}
        steps: list[tuple[str, Compiled | None, int, _Rule]] = []
        for indicator in questionnaire.indicators:
            when = indicator.applies_when
            slot = -1
            if when is not None and not condition_figures(when):
                slot = slots.setdefault(when, len(slots))
            steps.append(
                (
                    indicator.id,
                    None if when is None else compile_condition(when),
                    slot,
                    _rule(indicator, tuple(sorted(sources[indicator.id]))),
                )
            )
        self._steps = tuple(steps)
        self._slots = len(slots)

    def __call__(self, answers: Mapping[str, AnswerValue]) -> dict[str, Figure]:
        """Every figure, in file order, for one (pruned, final) set of answers."""
        figures: dict[str, Figure] = {}

        def lookup(figure_id: str) -> tuple[str, Decimal | int | None]:
            figure = figures[figure_id]
            return figure.state, figure.value

        read = answers.get
        decided: list[bool | None] = [None] * self._slots
        for figure_id, applies, slot, rule in self._steps:
            if applies is not None:
                holds = decided[slot] if slot >= 0 else None
                if holds is None:
                    holds = applies(read, lookup) is True  # the routing reading
                    if slot >= 0:
                        decided[slot] = holds
                if not holds:
                    figures[figure_id] = _NOT_APPLICABLE
                    continue
            figures[figure_id] = rule(answers, figures, lookup)
        return figures


def source_questions(questionnaire: Questionnaire) -> dict[str, frozenset[str]]:
    """For each figure, the questions it reads, directly or through the figures it uses.

    A question its `applies_when` reads is not a source: whenever the figure applies, that
    answer is already fixed, so it says nothing about the figure's situation. (The Palermo
    act reads `rol` only; counting `rol` as answered made `palermo_trata` never unknown.)
    """
    sources: dict[str, frozenset[str]] = {}
    for indicator in questionnaire.indicators:
        given = frozenset(condition_questions(indicator.applies_when))
        sources[indicator.id] = _sources(indicator, sources) - given
    return sources


def _rule(indicator: Indicator, sources: tuple[str, ...]) -> _Rule:
    def said(answers: Mapping[str, AnswerValue]) -> bool:
        # Asked only when the rule does not hold: most figures never need it.
        for question in sources:
            value = answers.get(question)
            if value is not None and not isinstance(value, Skipped):
                return True
        return False

    if isinstance(indicator, RetentionIndicator):
        paid, received = indicator.paid, indicator.received
        return lambda answers, _figures, _lookup: _retention(paid, received, answers)
    if isinstance(indicator, CountIndicator):
        counted = indicator.figures

        def count(
            answers: Mapping[str, AnswerValue], figures: dict[str, Figure], _: FigureLookup
        ) -> Figure:
            if not said(answers):
                return _UNKNOWN
            return Figure("present", sum(1 for f in counted if figures[f].state == "present"))

        return count
    if isinstance(indicator, AllOfIndicator):
        needed = indicator.figures

        def all_present(
            answers: Mapping[str, AnswerValue], figures: dict[str, Figure], _: FigureLookup
        ) -> Figure:
            for f in needed:
                if figures[f].state != "present":
                    return _ABSENT if said(answers) else _UNKNOWN
            return _PRESENT

        return all_present
    assert isinstance(indicator, ConditionIndicator)
    present = compile_condition(indicator.present)

    def condition(
        answers: Mapping[str, AnswerValue], _: dict[str, Figure], lookup: FigureLookup
    ) -> Figure:
        if present(answers.get, lookup) is True:  # the routing reading
            return _PRESENT
        return _ABSENT if said(answers) else _UNKNOWN

    return condition


def _retention(
    paid_id: str, received_ids: tuple[str, ...], answers: Mapping[str, AnswerValue]
) -> Figure:
    paid = answers.get(paid_id)
    if not isinstance(paid, Money) or paid.amount <= 0:
        return _UNKNOWN
    received = [answers.get(q) for q in received_ids]
    amounts = [r for r in received if isinstance(r, Money)]
    if len(amounts) != len(received):
        return _UNKNOWN
    if any(r.currency != paid.currency for r in amounts):
        return _UNKNOWN_REVIEW
    raw = _HUNDRED * (1 - sum((r.amount for r in amounts), Decimal(0)) / paid.amount)
    clamped = min(max(raw, Decimal(0)), _HUNDRED)
    return Figure("present", clamped.quantize(_CENT), review=clamped != raw)


def _sources(indicator: Indicator, earlier: Mapping[str, frozenset[str]]) -> frozenset[str]:
    if isinstance(indicator, RetentionIndicator):
        return frozenset((indicator.paid, *indicator.received))
    if isinstance(indicator, CountIndicator | AllOfIndicator):
        return frozenset().union(*(earlier[f] for f in indicator.figures))
    questions = set(condition_questions(indicator.present))
    for figure in condition_figures(indicator.present):
        questions |= earlier[figure]
    return frozenset(questions)
