"""Attacks on a suppression pattern: which hidden counts can a reader work out from the rest?

Equations are `{cell: coefficient}` with sum(coefficient * value) == 0. Published cells are
constants to the reader; a hidden cell is known to lie within the bounds its display gives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

Equation = Mapping[str, int]
Bounds = dict[str, tuple[int, int]]

_PROPAGATION_STEPS = 20_000
SEARCH_BUDGET = 20_000


def recoverable(
    values: Mapping[str, int],
    hidden: Sequence[str],
    equations: Sequence[Equation],
    priors: Mapping[str, tuple[int, int]],
) -> set[str]:
    """Hidden cells that the equations and the priors pin to a single value.

    The cheaper tests run first and the first one that finds something answers: the caller
    hides one more cell and asks again, so finding every exposed cell at once is not needed.
    """
    hidden_set = set(hidden)
    involved = [eq for eq in equations if hidden_set.intersection(eq)]
    exposed = linearly_determined(involved, hidden)
    if exposed:
        return exposed
    # An equation the true counts do not satisfy gives a reader a wrong answer, not a leak.
    usable = [eq for eq in involved if sum(c * values[k] for k, c in eq.items()) == 0]
    bounds = propagated_bounds(usable, values, hidden_set, priors)
    exposed = {key for key in hidden_set if key in bounds and _width(bounds[key]) == 1}
    if exposed:
        return exposed
    return pinned_by_search(usable, values, hidden_set, bounds)


def linearly_determined(equations: Sequence[Equation], hidden: Sequence[str]) -> set[str]:
    """Hidden cells whose unit vector lies in the row space of the equations (RREF test)."""
    rows = [
        [Fraction(eq.get(key, 0)) for key in hidden]
        for eq in equations
        if any(key in eq for key in hidden)
    ]
    pivots: list[tuple[int, list[Fraction]]] = []
    top = 0
    for col in range(len(hidden)):
        pivot = next((r for r in range(top, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            continue
        rows[top], rows[pivot] = rows[pivot], rows[top]
        lead = rows[top][col]
        rows[top] = [value / lead for value in rows[top]]
        for r in range(len(rows)):
            if r != top and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[top], strict=True)]
        pivots.append((col, rows[top]))
        top += 1
    return {hidden[col] for col, row in pivots if sum(1 for v in row if v != 0) == 1}


def propagated_bounds(
    equations: Sequence[Equation],
    values: Mapping[str, int],
    hidden: set[str],
    priors: Mapping[str, tuple[int, int]],
) -> Bounds:
    """Bounds of every cell of the equations after interval propagation to a fixed point."""
    bounds: Bounds = {}
    for eq in equations:
        for key in eq:
            bounds[key] = priors[key] if key in hidden else (values[key], values[key])
    by_cell: dict[str, list[int]] = {}
    for index, eq in enumerate(equations):
        for key in eq:
            by_cell.setdefault(key, []).append(index)
    pending = list(range(len(equations)))
    queued = set(pending)
    for _ in range(_PROPAGATION_STEPS):
        if not pending:
            break
        index = pending.pop()
        queued.discard(index)
        for key in _narrow(equations[index], bounds):
            for other in by_cell[key]:
                if other not in queued:
                    queued.add(other)
                    pending.append(other)
    return bounds


def _narrow(equation: Equation, bounds: Bounds) -> list[str]:
    """Tighten the bounds of each cell of `equation`; return the cells that changed."""
    terms = {key: _term(c, bounds[key]) for key, c in equation.items()}
    low_sum = sum(low for low, _ in terms.values())
    high_sum = sum(high for _, high in terms.values())
    changed: list[str] = []
    for key, coefficient in equation.items():
        # coefficient * cell = -(the other terms)
        low, high = bounds[key]
        new_low, new_high = _solve(coefficient, low_sum - terms[key][0], high_sum - terms[key][1])
        narrowed = (max(low, new_low), min(high, new_high))
        if narrowed != (low, high) and narrowed[0] <= narrowed[1]:
            bounds[key] = narrowed
            changed.append(key)
    return changed


def _term(coefficient: int, bound: tuple[int, int]) -> tuple[int, int]:
    a, b = coefficient * bound[0], coefficient * bound[1]
    return min(a, b), max(a, b)


def _solve(coefficient: int, rest_low: int, rest_high: int) -> tuple[int, int]:
    """Integer bounds of x from coefficient * x + rest = 0, rest in [rest_low, rest_high]."""
    low, high = -rest_high, -rest_low
    if coefficient > 0:
        return -(-low // coefficient), high // coefficient
    return -(-high // coefficient), low // coefficient


def _width(bound: tuple[int, int]) -> int:
    return bound[1] - bound[0] + 1


def pinned_by_search(
    equations: Sequence[Equation],
    values: Mapping[str, int],
    hidden: set[str],
    bounds: Bounds,
) -> set[str]:
    """A hidden cell that no integer solution moves off its true value, if the search finds one.

    For each hidden cell, look for a solution where it takes another value; any solution found
    also frees every other cell it moves. A search that runs out of budget counts as "free":
    this test only adds to the two before it.
    """
    free: set[str] = set()
    for cells, group in _groups(equations, hidden):
        for key in sorted(cells, key=lambda k: (_width(bounds[k]), k)):
            if key in free:
                continue
            true = values[key]
            low, high = bounds[key]
            outcome = "none"
            for alternative in ((low, true - 1), (true + 1, high)):
                if alternative[0] > alternative[1]:
                    continue
                solution, outcome = _find_solution(key, alternative, cells, group, bounds)
                if solution is not None:
                    free |= {k for k in cells if solution[k] != values[k]}
                    break
                if outcome == "budget":
                    break
            if key not in free and outcome != "budget":
                return {key}
    return set()


def _groups(
    equations: Sequence[Equation], hidden: set[str]
) -> list[tuple[list[str], list[Equation]]]:
    """Hidden cells linked by equations, each group with its equations."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    for eq in equations:
        members = [key for key in eq if key in hidden]
        for key in members[1:]:
            parent[root(key)] = root(members[0])
        if members:
            root(members[0])
    groups: dict[str, tuple[list[str], list[Equation]]] = {}
    for key in list(parent):
        groups.setdefault(root(key), ([], []))[0].append(key)
    for eq in equations:
        members = [key for key in eq if key in hidden]
        if members:
            groups[root(members[0])][1].append(eq)
    return list(groups.values())


def _find_solution(
    first: str,
    first_range: tuple[int, int],
    cells: Sequence[str],
    equations: Sequence[Equation],
    bounds: Bounds,
) -> tuple[dict[str, int] | None, str]:
    """Depth-first search for integer values of `cells` satisfying every equation.

    Returns (solution, "found"), (None, "none") when none exists, or (None, "budget").
    """
    order = [first, *sorted((k for k in cells if k != first), key=lambda k: (_width(bounds[k]), k))]
    position = {key: index for index, key in enumerate(order)}
    prepared: list[tuple[int, list[tuple[int, int]]]] = []
    for eq in equations:
        constant = sum(c * bounds[k][0] for k, c in eq.items() if k not in position)
        prepared.append(
            (constant, sorted((position[k], c) for k, c in eq.items() if k in position))
        )
    watching: list[list[int]] = [[] for _ in order]
    for index, (_, terms) in enumerate(prepared):
        for var, _ in terms:
            watching[var].append(index)
    ranges = [first_range, *(bounds[key] for key in order[1:])]
    assignment = [0] * len(order)
    budget = SEARCH_BUDGET

    def value_range(depth: int) -> tuple[int, int]:
        low, high = ranges[depth]
        for index in watching[depth]:
            constant, terms = prepared[index]
            rest_low = rest_high = constant
            own = 0
            for var, c in terms:
                if var == depth:
                    own = c
                elif var < depth:
                    rest_low += c * assignment[var]
                    rest_high += c * assignment[var]
                else:
                    term = _term(c, ranges[var])
                    rest_low += term[0]
                    rest_high += term[1]
            new_low, new_high = _solve(own, rest_low, rest_high)
            low, high = max(low, new_low), min(high, new_high)
        return low, high

    def search(depth: int) -> bool:
        nonlocal budget
        if depth == len(order):
            return True
        low, high = value_range(depth)
        for value in range(low, high + 1):
            budget -= 1
            if budget < 0:
                return False
            assignment[depth] = value
            if search(depth + 1):
                return True
        return False

    if search(0):
        return dict(zip(order, assignment, strict=True)), "found"
    return None, ("budget" if budget < 0 else "none")
