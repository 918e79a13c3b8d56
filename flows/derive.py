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

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, TypeAlias

from flows.answers import AnswerValue, Money, Skipped
from flows.conditions import FigureLookup, holds
from flows.model import (
    AllOfIndicator,
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


def derive(
    questionnaire: Questionnaire,
    answers: Mapping[str, AnswerValue],
    *,
    sources: Mapping[str, frozenset[str]] | None = None,
) -> dict[str, Figure]:
    """Every figure of the questionnaire for one (pruned, final) set of answers.

    `sources` is `source_questions(questionnaire)`: callers deriving many submissions pass
    it once computed (exports and reports), since it depends on the questionnaire alone.
    """
    figures: dict[str, Figure] = {}
    if sources is None:
        sources = source_questions(questionnaire)

    def lookup(figure_id: str) -> tuple[str, Decimal | int | None]:
        figure = figures[figure_id]
        return figure.state, figure.value

    for indicator in questionnaire.indicators:
        if indicator.applies_when is not None and not holds(
            indicator.applies_when, answers, lookup
        ):
            figures[indicator.id] = Figure("not_applicable")
            continue
        said = any(_answered(answers.get(q)) for q in sources[indicator.id])
        figures[indicator.id] = _figure(indicator, answers, figures, said, lookup)
    return figures


def source_questions(questionnaire: Questionnaire) -> dict[str, frozenset[str]]:
    """For each figure, the questions it reads, directly or through the figures it uses."""
    sources: dict[str, frozenset[str]] = {}
    for indicator in questionnaire.indicators:
        sources[indicator.id] = _sources(indicator, sources)
    return sources


def _figure(
    indicator: Indicator,
    answers: Mapping[str, AnswerValue],
    figures: Mapping[str, Figure],
    said: bool,
    lookup: FigureLookup,
) -> Figure:
    if isinstance(indicator, RetentionIndicator):
        return _retention(indicator, answers)
    if isinstance(indicator, CountIndicator):
        if not said:
            return Figure("unknown")
        count = sum(1 for f in indicator.figures if figures[f].state == "present")
        return Figure("present", count)
    if isinstance(indicator, AllOfIndicator):
        rule_holds = all(figures[f].state == "present" for f in indicator.figures)
    else:
        assert isinstance(indicator, ConditionIndicator)
        rule_holds = holds(indicator.present, answers, lookup)
    if rule_holds:
        return Figure("present")
    return Figure("absent" if said else "unknown")


def _retention(indicator: RetentionIndicator, answers: Mapping[str, AnswerValue]) -> Figure:
    paid = answers.get(indicator.paid)
    received = [answers.get(q) for q in indicator.received]
    if not isinstance(paid, Money) or paid.amount <= 0:
        return Figure("unknown")
    amounts = [r for r in received if isinstance(r, Money)]
    if len(amounts) != len(received):
        return Figure("unknown")
    if any(r.currency != paid.currency for r in amounts):
        return Figure("unknown", review=True)
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


def _answered(value: AnswerValue | None) -> bool:
    return value is not None and not isinstance(value, Skipped)
