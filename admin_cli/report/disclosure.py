"""Disclosure control: hide small counts and every count that would let a reader recover one.

Rules (k = `min_cell`, default 5):

- Primary suppression: every count from 1 to k-1 is published as "<k" and its percentage is
  hidden. A zero is published as 0. Zero cells do not single anyone out (no respondent is in
  them), and hiding them would also hide findings such as "nobody reported violence"; a reader
  learns nothing about a person from a 0. This is the usual choice of statistical offices for
  frequency tables of self-reported answers.
- Complementary suppression: the published tables are tied together by sums (rows add up to
  their totals; present + absent = answered; the ilo_total distribution weighted by 0..11
  adds up to the sum of the eleven indicator counts; the ambulance delays over 6 h add up to
  the health figure). Every such sum is an equation of the `CellSystem`. A hidden cell is
  recoverable when the equations, with the published cells as constants, pin it to one
  value. Three tests are run until none finds anything:
  1. exact linear algebra: the cell's unit vector lies in the row space of the equations
     restricted to hidden cells (what "solving rows and columns" can do);
  2. interval propagation: a "<k" cell lies in 1..k-1 and a complementary cell ("x") is
     assumed to lie in k..N (0..N for a hidden zero), which can pin a cell that linear
     algebra leaves free (p + q = 6 with p < 5 <= q gives p = 1);
  3. exhaustive integer search over each group of linked hidden cells, within a budget, for
     pins that need integer reasoning across equations (a distribution weighed by 0..11).
  When a hidden cell is recoverable, one more published non-zero cell is hidden: the smallest
  linked cell whose hiding frees it, or else the smallest cell of an equation that holds it
  (the classic "next smallest cell" rule); then the tests run again.
  When no such cell is left (p + q = 6 with p = 1, q = 5), the small cells linked to it are
  shown as "x" as well ("masked"): "x" then bounds nothing for a reader, who cannot tell a
  small count from a complement. Only then is a zero hidden, and as a last resort an anchor.
- Non-response is not protected: a figure row publishes present, absent and answered (the
  three form a protected table) and the number of people it applies to; the difference, those
  who skipped, says nothing about anyone's situation.
- Anchors (the number of testimonies, of mission respondents, of health respondents) appear in
  many tables; they are never picked as complements, so that every table shows them alike.
  They are still hidden when they are themselves below k.
- With k <= 1 nothing is hidden, and the report says that disclosure control was turned off.

Limits: interval propagation is an outer approximation, and the exhaustive search gives up on
groups whose candidate values exceed its budget (then checks 1 and 2 stand alone). The
report's tables are short sums, where the search completes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from admin_cli.report.model import Suppression
from admin_cli.report.recovery import linearly_determined, propagated_bounds, recoverable

# How many of the smallest candidates are tried before falling back to the classic rule.
_TRIAL_CANDIDATES = 8


@dataclass
class CellSystem:
    """Raw counts, keyed by a name, and the linear equations that tie them together."""

    values: dict[str, int] = field(default_factory=dict)
    anchors: set[str] = field(default_factory=set)
    # Each equation is {cell: coefficient} with sum(coefficient * value) == 0.
    equations: list[dict[str, int]] = field(default_factory=list)

    def cell(self, key: str, value: int, *, anchor: bool = False) -> str:
        if key in self.values and self.values[key] != value:
            raise ValueError(f"cell {key!r} registered twice with different values")
        if value < 0:
            raise ValueError(f"cell {key!r} holds a negative count")
        self.values[key] = value
        if anchor:
            self.anchors.add(key)
        return key

    def sums_to(self, total: str, parts: Iterable[str]) -> None:
        """State that the cells `parts` add up to the cell `total`."""
        self.weighted_sum_to(total, {part: 1 for part in parts})

    def weighted_sum_to(self, total: str, parts: Mapping[str, int]) -> None:
        """State that the cells `parts`, each times its weight, add up to the cell `total`."""
        equation: dict[str, int] = {total: 1}
        for key, weight in parts.items():
            equation[key] = equation.get(key, 0) - weight
        self.balance(equation)

    def balance(self, coefficients: Mapping[str, int]) -> None:
        """State that sum(coefficient * cell) == 0."""
        equation = {key: c for key, c in coefficients.items() if c != 0}
        for key in equation:
            if key not in self.values:
                raise KeyError(f"equation refers to an unknown cell {key!r}")
        if equation:
            self.equations.append(equation)


def protect(system: CellSystem, min_cell: int) -> dict[str, Suppression]:
    """For every cell: published ("none"), hidden as small, or hidden as a complement."""
    decision: dict[str, Suppression] = dict.fromkeys(system.values, "none")
    if min_cell <= 1:
        return decision
    for key, value in system.values.items():
        if 1 <= value < min_cell:
            decision[key] = "primary"
    order = {key: index for index, key in enumerate(system.values)}
    upper = max(system.values.values(), default=0)
    while True:
        exposed = _exposed(system, decision, min_cell, upper)
        if not exposed:
            return decision
        target = min(exposed, key=order.__getitem__)
        complement = _complement_for(target, system, decision, min_cell, upper, zeros=False)
        if complement is not None:
            decision[complement] = "complementary"
            continue
        small = [key for key in _linked(target, system) if decision[key] == "primary"]
        if small:
            # The "<k" bounds themselves pin the cell: show these cells as "x", unbounded,
            # rather than hide a published zero.
            decision.update(dict.fromkeys(small, "masked"))
            continue
        complement = _complement_for(target, system, decision, min_cell, upper, zeros=True)
        if complement is not None:
            decision[complement] = "complementary"
            continue
        anchors = sorted(
            key for key in _linked(target, system) & system.anchors if decision[key] == "none"
        )
        if not anchors:
            raise RuntimeError("disclosure control found no cell to hide; tables inconsistent")
        decision[min(anchors, key=lambda key: (system.values[key], key))] = "complementary"


def _hidden(decision: Mapping[str, Suppression]) -> list[str]:
    return [key for key, choice in decision.items() if choice != "none"]


def _exposed(
    system: CellSystem, decision: Mapping[str, Suppression], min_cell: int, upper: int
) -> set[str]:
    hidden = _hidden(decision)
    if not hidden:
        return set()
    priors = {key: _prior(system.values[key], decision[key], min_cell, upper) for key in hidden}
    return recoverable(system.values, hidden, system.equations, priors)


def _prior(value: int, choice: Suppression, min_cell: int, upper: int) -> tuple[int, int]:
    """What a reader knows of a hidden cell from its display alone (see the module notes)."""
    if choice == "none":
        return value, value
    if choice == "primary":
        return 1, min_cell - 1
    if choice == "masked":
        return 0, max(upper, min_cell)
    return (min_cell if value > 0 else 0), max(upper, min_cell)


def _complement_for(
    target: str,
    system: CellSystem,
    decision: Mapping[str, Suppression],
    min_cell: int,
    upper: int,
    *,
    zeros: bool,
) -> str | None:
    """The published ordinary cell to hide so that `target` stops being recoverable, if any.

    Among the cells linked to `target`, the smallest one whose hiding frees `target` from the
    linear and interval tests; failing that, the smallest in an equation holding `target`.
    Non-zero cells only, unless `zeros` is set.
    """
    linked = _linked(target, system)
    candidates = sorted(
        (
            key
            for key in linked
            if decision[key] == "none"
            and key not in system.anchors
            and (zeros or system.values[key] > 0)
        ),
        key=lambda key: (system.values[key], key),
    )
    for key in candidates[:_TRIAL_CANDIDATES]:
        trial = {**decision, key: "complementary"}
        if not _still_exposed(target, system, trial, min_cell, upper):
            return key
    near = {key for eq in system.equations if target in eq for key in eq}
    return next((key for key in candidates if key in near), candidates[0] if candidates else None)


def _still_exposed(
    target: str,
    system: CellSystem,
    decision: Mapping[str, Suppression],
    min_cell: int,
    upper: int,
) -> bool:
    hidden = _hidden(decision)
    involved = [eq for eq in system.equations if set(hidden).intersection(eq)]
    if target in linearly_determined(involved, hidden):
        return True
    priors = {key: _prior(system.values[key], decision[key], min_cell, upper) for key in hidden}
    values = system.values
    usable = [eq for eq in involved if sum(c * values[k] for k, c in eq.items()) == 0]
    low, high = propagated_bounds(usable, values, set(hidden), priors).get(target, (0, 1))
    return low == high


def _linked(target: str, system: CellSystem) -> set[str]:
    """Every cell connected to `target` through the equations."""
    linked = {target}
    frontier = [target]
    while frontier:
        key = frontier.pop()
        for eq in system.equations:
            if key in eq:
                for other in eq:
                    if other not in linked:
                        linked.add(other)
                        frontier.append(other)
    return linked
