"""The exact auditor: what a reader can work out about hidden counts, by integer programming.

A reader of the published tables knows every published count, what each hidden cell's display
says of it ("<5": 1 to 4; "x": at least k; "not published": anything), that counts are
non-negative integers, and every relation between the tables (sums, answered <= base, the
ILO total weighed by 0..11, and, for a re-issue, how far each count can have moved since the
earlier release). The hidden counts are then the integer points of a polytope; the reader's
best knowledge of one count, or of a difference between releases, is its integer interval
over that polytope. `scipy.optimize.milp` (HiGHS) computes it exactly.

Proving that a quantity is *not* pinned takes one solution where it differs from its true
value; so the auditor first asks for solutions that push every undecided quantity up, then
down, together (each solution frees every quantity it moves), and only solves one quantity at
a time for those left. Independent groups of hidden cells are solved apart.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, cast

import numpy as np


class AuditorUnavailable(RuntimeError):
    """scipy is missing: the report needs the staff extra (`pip install 'oclep[staff]'`)."""


def _scipy() -> Any:
    # Imported on first use: the bot server installs no scipy, and imports no report code.
    try:
        from scipy import optimize
    except ImportError:
        raise AuditorUnavailable(
            "The report's disclosure auditor needs scipy: install the staff extra with "
            "pip install 'oclep[staff]'."
        ) from None
    return optimize


# {variable: coefficient}; a linear expression of hidden cells plus a constant.
Terms = dict[str, int]


@dataclass
class Polytope:
    """Integer unknowns with bounds, equalities `terms == rhs` and inequalities `terms <= rhs`."""

    bounds: dict[str, tuple[int, int]] = field(default_factory=dict)
    equalities: list[tuple[Terms, int]] = field(default_factory=list)
    inequalities: list[tuple[Terms, int]] = field(default_factory=list)

    def variable(self, name: str, low: int, high: int) -> None:
        self.bounds[name] = (low, high)

    def equal(self, terms: Mapping[str, int], rhs: int) -> None:
        kept = {k: c for k, c in terms.items() if c}
        if kept:
            self.equalities.append((kept, rhs))

    def at_most(self, terms: Mapping[str, int], rhs: int) -> None:
        kept = {k: c for k, c in terms.items() if c}
        if kept:
            self.inequalities.append((kept, rhs))

    def components(self) -> list[Polytope]:
        """Independent sub-problems: unknowns linked by a constraint share one."""
        parent = {name: name for name in self.bounds}

        def root(name: str) -> str:
            while parent[name] != name:
                parent[name] = parent[parent[name]]
                name = parent[name]
            return name

        for terms, _ in (*self.equalities, *self.inequalities):
            names = list(terms)
            for other in names[1:]:
                parent[root(other)] = root(names[0])
        parts: dict[str, Polytope] = {}
        for name, bound in self.bounds.items():
            parts.setdefault(root(name), Polytope()).bounds[name] = bound
        for terms, rhs in self.equalities:
            parts[root(next(iter(terms)))].equalities.append((terms, rhs))
        for terms, rhs in self.inequalities:
            parts[root(next(iter(terms)))].inequalities.append((terms, rhs))
        return list(parts.values())


class _Solver:
    """One component as matrices, ready for repeated objectives."""

    def __init__(self, polytope: Polytope) -> None:
        self.names = list(polytope.bounds)
        self.index = {name: i for i, name in enumerate(self.names)}
        size = len(self.names)
        lows = np.array([polytope.bounds[n][0] for n in self.names], dtype=float)
        highs = np.array([polytope.bounds[n][1] for n in self.names], dtype=float)
        optimize = _scipy()
        self._milp = optimize.milp
        self.bounds = optimize.Bounds(lows, highs)
        rows = [*polytope.equalities, *polytope.inequalities]
        self.constraints: list[Any] = []
        if rows:
            # One sparse block, built once: scipy validates and converts it on every call.
            matrix = np.zeros((len(rows), size))
            upper = np.zeros(len(rows))
            for r, (terms, value) in enumerate(rows):
                for name, coefficient in terms.items():
                    matrix[r, self.index[name]] += coefficient
                upper[r] = value
            lower = upper.copy()
            lower[len(polytope.equalities) :] = -np.inf
            sparse = import_module("scipy.sparse").csr_array(matrix)
            self.constraints.append(optimize.LinearConstraint(sparse, lower, upper))
        self.integrality = np.ones(size)

    def optimum(self, objective: Mapping[str, int], *, maximize: bool) -> dict[str, int] | None:
        """An integer solution minimizing (or maximizing) the objective; None if infeasible.

        The linear relaxation is solved first: the report's tables are mostly sums whose
        relaxations have integer vertices, and an integer vertex is an integer optimum.
        """
        c = np.zeros(len(self.names))
        for name, coefficient in objective.items():
            c[self.index[name]] = -coefficient if maximize else coefficient
        for integrality in (None, self.integrality):
            result = self._milp(
                c, constraints=self.constraints, integrality=integrality, bounds=self.bounds
            )
            if result.x is None:
                return None
            rounded = np.round(result.x)
            if integrality is not None or np.abs(result.x - rounded).max() < _INTEGRAL:
                return {name: int(v) for name, v in zip(self.names, rounded, strict=True)}
        return None

    def relaxed_bound(self, objective: Mapping[str, int], *, maximize: bool) -> float | None:
        """The optimum of the linear relaxation (a bound on the integer optimum)."""
        c = np.zeros(len(self.names))
        for name, coefficient in objective.items():
            c[self.index[name]] = -coefficient if maximize else coefficient
        result = self._milp(c, constraints=self.constraints, bounds=self.bounds)
        if result.x is None:
            return None
        return float(np.dot(c, result.x)) * (-1 if maximize else 1)


_INTEGRAL = 1e-7


def _value(terms: Mapping[str, int], solution: Mapping[str, int]) -> int:
    return sum(c * solution[name] for name, c in terms.items())


def interval(polytope: Polytope, terms: Mapping[str, int]) -> tuple[int, int] | None:
    """The exact integer interval of `terms` over the polytope (None: no integer point)."""
    solver = _Solver(polytope)
    low = solver.optimum(terms, maximize=False)
    high = solver.optimum(terms, maximize=True)
    if low is None or high is None:
        return None
    return _value(terms, low), _value(terms, high)


Cache = dict[tuple[object, ...], object]


def pinned(
    polytope: Polytope,
    targets: Mapping[str, Terms],
    truth: Mapping[str, int],
    cache: Cache | None = None,
) -> set[str]:
    """The targets (named linear expressions) that every integer point gives their true value.

    `truth` holds the true value of every target and unknown that has one; the true counts
    are a point of the polytope. `cache` remembers components already solved (disclosure
    control re-audits after each change, which touches one component).
    """
    found: set[str] = set()
    for part, chosen in _by_component(polytope, targets):
        key = _fingerprint(part, chosen, truth)
        if cache is not None and key in cache:
            found |= cast(frozenset[str], cache[key])
            continue
        result = frozenset(_pinned_in(part, chosen, truth))
        if cache is not None:
            cache[key] = result
        found |= result
    return found


def _by_component(
    polytope: Polytope, targets: Mapping[str, Terms]
) -> Iterator[tuple[Polytope, dict[str, Terms]]]:
    """Each independent part of the polytope with the targets that read its unknowns."""
    by_variable: dict[str, list[str]] = {}
    for name, terms in targets.items():
        for variable in terms:
            by_variable.setdefault(variable, []).append(name)
    for part in polytope.components():
        names = sorted({t for v in part.bounds for t in by_variable.get(v, ())})
        if names:
            yield part, {t: targets[t] for t in names}


def _fingerprint(
    part: Polytope, targets: Mapping[str, Terms], truth: Mapping[str, int]
) -> tuple[object, ...]:
    return (
        tuple(sorted(part.bounds.items())),
        tuple(sorted((tuple(sorted(t.items())), r) for t, r in part.equalities)),
        tuple(sorted((tuple(sorted(t.items())), r) for t, r in part.inequalities)),
        tuple(sorted((n, tuple(sorted(t.items())), truth.get(n)) for n, t in targets.items())),
        tuple(sorted((n, truth.get(n)) for n in part.bounds)),
    )


_RANDOM_PUSHES = 4


def _pinned_in(part: Polytope, targets: Mapping[str, Terms], truth: Mapping[str, int]) -> set[str]:
    open_targets = set(targets) - _freed_by_swaps(part, targets, truth)
    if not open_targets:
        return set()
    solver = _Solver(part)
    for solution in _pushes(solver, targets, lambda: open_targets):
        if solution is None:
            return set()  # no integer point: the tables are not what the reader sees
        open_targets.difference_update(
            [n for n in open_targets if _value(targets[n], solution) != truth[n]]
        )
    exposed: set[str] = set()
    for name in sorted(open_targets):
        # The relaxation bounds the integer interval: within one unit of the truth on both
        # sides, the target is pinned without any branching.
        top = solver.relaxed_bound(targets[name], maximize=True)
        bottom = solver.relaxed_bound(targets[name], maximize=False)
        if (
            top is not None
            and bottom is not None
            and top < truth[name] + 1 - _INTEGRAL
            and bottom > truth[name] - 1 + _INTEGRAL
        ):
            exposed.add(name)
            continue
        high = solver.optimum(targets[name], maximize=True)
        assert high is not None
        if _value(targets[name], high) != truth[name]:
            continue
        low = solver.optimum(targets[name], maximize=False)
        assert low is not None
        if _value(targets[name], low) == truth[name]:
            exposed.add(name)
    return exposed


def _pushes(
    solver: _Solver, targets: Mapping[str, Terms], undecided: Callable[[], Collection[str]]
) -> Iterator[dict[str, int] | None]:
    """Integer points pushing the undecided targets together: up, down, then in a few mixed
    directions (seeded, so that a report is reproducible). A point that gives a target another
    value than an earlier one, or than its truth, decides it; None: no integer point."""
    signs = random.Random(len(targets))  # noqa: S311 (search directions, not secrets)
    directions: list[tuple[dict[str, int] | None, bool]] = [(None, True), (None, False)]
    directions += [
        ({name: signs.choice((-1, 1)) for name in sorted(targets)}, True)
        for _ in range(_RANDOM_PUSHES)
    ]
    for weights, maximize in directions:
        names = undecided()
        if not names:
            return
        objective: dict[str, int] = {}
        for name in names:
            weight = 1 if weights is None else weights[name]
            for variable, c in targets[name].items():
                objective[variable] = objective.get(variable, 0) + weight * c
        yield solver.optimum(objective, maximize=maximize)


def _freed_by_swaps(
    part: Polytope, targets: Mapping[str, Terms], truth: Mapping[str, int]
) -> set[str]:
    """Targets moved by a verified one-unit swap between two unknowns that every equality
    weighs alike (a cheap witness; the solver decides the rest). Needs the true point."""
    if not all(name in truth for name in part.bounds):
        return set()
    signature: dict[str, tuple[int, ...]] = {
        name: tuple(terms.get(name, 0) for terms, _ in part.equalities) for name in part.bounds
    }
    alike: dict[tuple[int, ...], list[str]] = {}
    for name, key in signature.items():
        alike.setdefault(key, []).append(name)
    moved: set[str] = set()
    for key, names in alike.items():
        if not any(key) and len(names) == 1:
            names = [*names, ""]  # an unknown in no equality moves alone
        for up in names:
            for down in names:
                if not up or up == down or (up in moved and (down in moved or not down)):
                    continue
                if _swap_fits(part, truth, up, down):
                    moved |= {up, down} - {""}
    return {
        name
        for name, terms in targets.items()
        if set(terms) & moved and len(terms) == 1  # single unknowns: a move changes them
    }


def _swap_fits(part: Polytope, truth: Mapping[str, int], up: str, down: str) -> bool:
    change = {up: 1}
    if down:
        change[down] = -1
    for name, delta in change.items():
        low, high = part.bounds[name]
        if not low <= truth[name] + delta <= high:
            return False
    for terms, rhs in part.inequalities:
        now = sum(c * truth[n] for n, c in terms.items())
        if now + sum(terms.get(n, 0) * d for n, d in change.items()) > rhs:
            return False
    return True


def intervals(
    polytope: Polytope, targets: Mapping[str, Terms], cache: Cache | None = None
) -> dict[str, tuple[int, int]]:
    """For each target, its exact integer interval when it is a single value; a target that
    two integer points give different values is reported as `(low, high)` of those two only
    (enough to know it is not pinned). Used where no true value is known."""
    result: dict[str, tuple[int, int]] = {}
    for part, chosen in _by_component(polytope, targets):
        key = ("spans", *_fingerprint(part, chosen, {}))
        if cache is not None and key in cache:
            result.update(cast(dict[str, tuple[int, int]], cache[key]))
            continue
        found = _spans_in(part, chosen)
        if cache is not None:
            cache[key] = found
        result.update(found)
    return result


def _spans_in(part: Polytope, targets: Mapping[str, Terms]) -> dict[str, tuple[int, int]]:
    solver = _Solver(part)
    seen: dict[str, set[int]] = {name: set() for name in targets}
    for solution in _pushes(solver, targets, lambda: [n for n in targets if len(seen[n]) < 2]):
        if solution is None:
            return {}
        for name in targets:
            seen[name].add(_value(targets[name], solution))
    spans: dict[str, tuple[int, int]] = {}
    for name, terms in targets.items():
        if len(seen[name]) >= 2:
            spans[name] = (min(seen[name]), max(seen[name]))
            continue
        low = solver.optimum(terms, maximize=False)
        high = solver.optimum(terms, maximize=True)
        if low is not None and high is not None:
            spans[name] = (_value(terms, low), _value(terms, high))
    return spans


def solve_all(polytope: Polytope, targets: Sequence[str]) -> dict[str, tuple[int, int]]:
    """Intervals of single unknowns (a convenience for tests and `ledger verify`)."""
    return intervals(polytope, {name: {name: 1} for name in targets})
