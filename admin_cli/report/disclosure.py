"""Disclosure control designed from the threat: what may be published, what must be hidden.

The threat (docs/methodology.md §10): a state that knows some people who may have answered
(who served in a given country, who left a mission) reads the report, every earlier release
of the same month, and does arithmetic with the sums that tie the tables together. It wins if
it can work out a small count exactly, or what one changed testimony said.

Kinds of cells (`CellKind`):

- `anchor`: the number of testimonies, of mission respondents, of health respondents, of
  those who answered each figure. Always published: a count of testimonies says nothing
  about anyone's situation, and the non-response behind "answered" neither.
- `quasi_identifier`: tables by role, campaign, sector, host country and questionnaire
  version. These are the attributes an adversary can know of a person from outside, so a
  count from 1 to k-1 singles out a small group: it is shown "<k" (primary suppression), and
  more cells are hidden ("x", complementary suppression) until the auditor finds no small
  count that can be worked out.
- `indicator`: one-way tables of a finding (each ILO, ICLS, Palermo and health figure; the
  ILO total; ambulance delays) over everyone it applies to. None of their rows is a
  quasi-identifier, so a small count ("2 of 41 reported violence") does not point to anyone:
  they get no primary suppression. They are published only over a large enough group, at
  least `min_base` (= 2k) people who answered; a smaller group's row is "not published: too
  few testimonies", because over 3 people "present 3" tells the adversary what each said.
- `free`: the status table (complete or partial), which is neither: whether a draft expired
  is nothing about a person. Published.

The rule every published report satisfies, checked by the exact auditor (`auditor`): no
hidden count that is not 0 can be worked out exactly by a reader who knows everything
published, the displays' bounds ("<k": 1..k-1; "x": k or more in a quasi-identifier table, 1
or more elsewhere), non-negativity, every sum and inequality, and every earlier release of
the same period. When the auditor finds one, the smallest published non-zero cell linked to
it is hidden as well; when none is left, its whole table is withheld ("not published: too
few testimonies"). It never gives up with an error.

A re-issue (the same period published again) is a difference attack: the adversary
subtracts. The changed testimonies are a group of their own, held to the same rules: fewer
than `min_base` changed testimonies cannot be published apart from the rest, so the re-issue
is refused (`ReissueRefused`); otherwise the auditor runs over both releases together, with
each count allowed to move by at most the number of changes, and also requires that no
difference of a quasi-identifier cell be pinned to a value from 1 to k-1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from admin_cli.report.auditor import Cache, Polytope, Terms, intervals, pinned
from admin_cli.report.model import Suppression

CellKind = Literal["anchor", "quasi_identifier", "indicator", "free"]


class ReissueRefused(ValueError):
    """A re-issue would disclose the testimonies that changed since an earlier release."""


@dataclass
class CellSystem:
    """Raw counts, keyed by a name, with their kind, group, and the relations between them."""

    values: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, CellKind] = field(default_factory=dict)
    # The unit withheld together ("not published"): a table, or one figure row.
    groups: dict[str, str] = field(default_factory=dict)
    # Indicator groups: the cell whose value must reach `min_base` for the group to be shown.
    group_base: dict[str, str] = field(default_factory=dict)
    # Each equation is {cell: coefficient} with sum(coefficient * value) == 0 ...
    equations: list[dict[str, int]] = field(default_factory=list)
    # ... and each inequality sum(coefficient * value) <= 0.
    inequalities: list[dict[str, int]] = field(default_factory=list)

    def cell(self, key: str, value: int, *, kind: CellKind, group: str | None = None) -> str:
        if key in self.values and self.values[key] != value:
            raise ValueError(f"cell {key!r} registered twice with different values")
        if value < 0:
            raise ValueError(f"cell {key!r} holds a negative count")
        self.values[key] = value
        self.kinds[key] = kind
        self.groups[key] = group or key
        return key

    @property
    def anchors(self) -> set[str]:
        return {key for key, kind in self.kinds.items() if kind == "anchor"}

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
        self.equations.append(self._checked(coefficients))

    def at_most(self, part: str, whole: str) -> None:
        """State that the cell `part` is at most the cell `whole` (answered <= base)."""
        self.inequalities.append(self._checked({part: 1, whole: -1}))

    def _checked(self, coefficients: Mapping[str, int]) -> dict[str, int]:
        equation = {key: c for key, c in coefficients.items() if c != 0}
        for key in equation:
            if key not in self.values:
                raise KeyError(f"equation refers to an unknown cell {key!r}")
        return equation


@dataclass(frozen=True)
class ReaderView:
    """Everything a reader knows of one release: each cell's bounds (equal when published),
    and the relations. This is what the release ledger keeps to audit later re-issues."""

    known: dict[str, tuple[int, int]]
    kinds: dict[str, CellKind]
    equations: tuple[dict[str, int], ...]
    inequalities: tuple[dict[str, int], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "known": {key: list(bounds) for key, bounds in sorted(self.known.items())},
            "kinds": dict(sorted(self.kinds.items())),
            "equations": [dict(sorted(eq.items())) for eq in self.equations],
            "inequalities": [dict(sorted(eq.items())) for eq in self.inequalities],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReaderView:
        return cls(
            known={key: (int(b[0]), int(b[1])) for key, b in data["known"].items()},
            kinds=dict(data["kinds"]),
            equations=tuple(dict(eq) for eq in data["equations"]),
            inequalities=tuple(dict(eq) for eq in data["inequalities"]),
        )


@dataclass(frozen=True)
class EarlierRelease:
    """An earlier release of the same period, and how many testimonies changed since."""

    view: ReaderView
    changed: int


def min_base(min_cell: int) -> int:
    """The smallest group over which one-way indicator tables (and a re-issue's changes) are
    published: twice the minimum cell."""
    return 2 * min_cell if min_cell > 1 else 0


def reader_view(
    system: CellSystem, decision: Mapping[str, Suppression], min_cell: int
) -> ReaderView:
    """What each display tells a reader about the cell behind it."""
    ceiling = max(system.values.values(), default=0)
    known: dict[str, tuple[int, int]] = {}
    for key, value in system.values.items():
        choice = decision[key]
        if choice == "none":
            known[key] = (value, value)
        elif choice == "primary":
            known[key] = (1, min_cell - 1)
        elif choice == "complementary":
            floor = min_cell if system.kinds[key] == "quasi_identifier" else 1
            known[key] = (floor, max(ceiling, floor))
        else:
            known[key] = (0, ceiling)
    return ReaderView(
        known, dict(system.kinds), tuple(system.equations), tuple(system.inequalities)
    )


def add_view(polytope: Polytope, view: ReaderView, prefix: str) -> None:
    """One published view as a reader sees it: hidden cells as unknowns within their
    displayed bounds (named `prefix` + key), published cells as constants, every relation.
    The monthly audit and the site's audit across months read views the same way."""
    for key, (low, high) in view.known.items():
        if low != high:
            polytope.variable(prefix + key, low, high)
    for relations, add in ((view.equations, polytope.equal), (view.inequalities, polytope.at_most)):
        for equation in relations:
            terms: Terms = {}
            constant = 0
            for key, c in equation.items():
                low, high = view.known[key]
                if low == high:
                    constant += c * low
                else:
                    terms[prefix + key] = c
            if terms:
                add(terms, -constant)


def audit(
    system: CellSystem,
    decision: Mapping[str, Suppression],
    min_cell: int,
    earlier: Sequence[EarlierRelease] = (),
    cache: Cache | None = None,
) -> set[str]:
    """Cells of this release whose protection fails: a hidden non-zero count that a reader
    can work out exactly, alone or with the earlier releases (then: the cell whose hiding
    would help, i.e. the same cell here)."""
    view = reader_view(system, decision, min_cell)
    polytope = Polytope()
    add_view(polytope, view, "")
    truth = {key: value for key, value in system.values.items() if decision[key] != "none"}
    targets = {key: {key: 1} for key, value in truth.items() if value > 0}
    exposed = {key for key in targets if not _has_variable(polytope, key)}
    for index, release in enumerate(earlier):
        prefix = f"r{index}:"
        add_view(polytope, release.view, prefix)
        for key, (low, high) in release.view.known.items():
            if key not in view.known:
                continue
            terms, constant = _change(key, view, prefix, (low, high))
            if terms:  # |now - then| <= changed
                polytope.at_most(terms, release.changed - constant)
                polytope.at_most({n: -c for n, c in terms.items()}, release.changed + constant)
    remaining = {k: t for k, t in targets.items() if k not in exposed}
    exposed |= pinned(polytope, remaining, truth, cache)
    if earlier:
        exposed |= _earlier_exposed(polytope, view, earlier, min_cell, cache)
    return exposed


def _change(key: str, view: ReaderView, prefix: str, then: tuple[int, int]) -> tuple[Terms, int]:
    """A cell's change since an earlier release (cell now - cell then) as unknowns plus a
    constant: a published side is a number, a hidden one an unknown."""
    terms: Terms = {}
    constant = 0
    for name, sign, (low, high) in ((key, 1, view.known[key]), (prefix + key, -1, then)):
        if low == high:
            constant += sign * low
        else:
            terms[name] = sign
    return terms, constant


def _has_variable(polytope: Polytope, key: str) -> bool:
    return key in polytope.bounds


def _earlier_exposed(
    polytope: Polytope,
    view: ReaderView,
    earlier: Sequence[EarlierRelease],
    min_cell: int,
    cache: Cache | None,
) -> set[str]:
    """Without the earlier true counts: an earlier hidden cell now pinned to a non-zero value,
    or a quasi-identifier cell whose change is pinned to 1..k-1 either way."""
    targets, constants = _reissue_targets(view, earlier, min_cell)
    found = intervals(polytope, {k: t for k, t in targets.items() if t}, cache)
    alone = _pinned_alone(earlier, targets, cache)
    exposed: set[str] = set()
    for name, terms in targets.items():
        kind, key = name.split("|", 1)
        if not terms:
            exposed.add(key)
        elif name in found:
            low, high = (bound + constants.get(name, 0) for bound in found[name])
            before = alone.get(name)
            if low == high and _exposes(kind, low, before, min_cell):
                exposed.add(key)
    return exposed


def _reissue_targets(
    view: ReaderView, earlier: Sequence[EarlierRelease], min_cell: int
) -> tuple[dict[str, Terms], dict[str, int]]:
    """What a reader of both releases may pin: each earlier hidden cell ("old|key"), and the
    change of each quasi-identifier cell ("diff|key": terms plus a constant; no terms when
    the change is known from the published counts alone and already too small)."""
    targets: dict[str, Terms] = {}
    constants: dict[str, int] = {}
    for index, release in enumerate(earlier):
        prefix = f"r{index}:"
        for key, (low, high) in release.view.known.items():
            if low != high:
                targets[f"old|{key}"] = {prefix + key: 1}
            if key not in view.known or view.kinds.get(key) != "quasi_identifier":
                continue
            terms, constant = _change(key, view, prefix, (low, high))
            if terms or 0 < abs(constant) < min_cell:
                targets[f"diff|{key}"] = terms
                constants[f"diff|{key}"] = constant
    return targets, constants


def _pinned_alone(
    earlier: Sequence[EarlierRelease], targets: Mapping[str, Terms], cache: Cache | None
) -> dict[str, tuple[int, int]]:
    """What an earlier release gave away by itself (its totals): not this re-issue's doing."""
    alone: dict[str, tuple[int, int]] = {}
    for index, release in enumerate(earlier):
        own = Polytope()
        add_view(own, release.view, f"r{index}:")
        wanted = {
            name: terms
            for name, terms in targets.items()
            if name.startswith("old|") and terms and next(iter(terms)).startswith(f"r{index}:")
        }
        alone.update(intervals(own, wanted, cache))
    return alone


def _exposes(kind: str, value: int, before: tuple[int, int] | None, min_cell: int) -> bool:
    """Whether a target pinned to `value` exposes its cell: an earlier hidden cell pinned
    non-zero (unless its release pinned it alone), or a change of 1..k-1 either way."""
    if kind == "old":
        return value != 0 and not (before and before[0] == before[1])
    return 0 < abs(value) < min_cell


def protect(
    system: CellSystem,
    min_cell: int,
    earlier: Sequence[EarlierRelease] = (),
) -> dict[str, Suppression]:
    """For every cell: published, "<k", "x" or not published (see the module notes)."""
    decision: dict[str, Suppression] = dict.fromkeys(system.values, "none")
    if min_cell <= 1:
        return decision
    base = min_base(min_cell)
    for release in earlier:
        if 0 < release.changed < base:
            raise ReissueRefused(
                f"{release.changed} testimonies changed since an earlier release of this "
                f"period, fewer than {base}: a re-issue would show what they said."
            )
    for group, base_cell in system.group_base.items():
        # Over nobody (a month without field reports) every cell is 0: zeros are published.
        if 0 < system.values[base_cell] < base:
            for key, owner in system.groups.items():
                if owner == group and system.kinds[key] != "anchor":
                    decision[key] = "withheld"
    for key, value in system.values.items():
        if system.kinds[key] == "quasi_identifier" and 1 <= value < min_cell:
            decision[key] = "primary"
    order = {key: index for index, key in enumerate(system.values)}
    cache: Cache = {}
    inherent = determined_by_totals(system, min_cell, cache)
    for _ in range(len(system.values) + 1):
        exposed = audit(system, decision, min_cell, earlier, cache) - inherent
        if not exposed:
            return decision
        target = min(exposed, key=order.__getitem__)
        if not _hide_more(target, system, decision):
            break
    # Nothing left to hide: what still pins the cell are the published totals alone, which
    # are never hidden (a count the totals determine tells no more than the totals).
    return decision


def determined_by_totals(system: CellSystem, min_cell: int, cache: Cache | None = None) -> set[str]:
    """Cells the published totals alone determine, every other cell hidden (a table with one
    row equals its total): they tell no more than the totals, which are always published."""
    bare: dict[str, Suppression] = {
        key: "none" if kind == "anchor" else "withheld" for key, kind in system.kinds.items()
    }
    return audit(system, bare, min_cell, (), cache)


def _hide_more(target: str, system: CellSystem, decision: dict[str, Suppression]) -> bool:
    """Hide one more cell to protect `target`; False when nothing is left to hide."""
    if decision[target] == "none" and system.kinds[target] != "anchor":
        # A published cell is exposed only through a re-issue's difference: hide it.
        decision[target] = "complementary" if system.values[target] else "withheld"
        return True
    near = {key for eq in system.equations if target in eq for key in eq}
    linked = _linked(target, system, decision)
    if decision[target] == "withheld" and _withhold_beside(near, system, decision):
        return True
    if _hide_smallest(near, system, decision) or _hide_smallest(linked, system, decision):
        return True
    return _withhold_group(system.groups[target], system, decision)


def _withhold_beside(near: set[str], system: CellSystem, decision: dict[str, Suppression]) -> bool:
    """A withheld table pinned by a published one: withhold the tables beside it whole,
    rather than punch holes into them one cell at a time."""
    groups = {system.groups[key] for key in near if system.kinds[key] != "anchor"}
    members = [
        key
        for key, owner in system.groups.items()
        if owner in groups and decision[key] == "none" and system.kinds[key] != "anchor"
    ]
    decision.update(dict.fromkeys(members, "withheld"))
    return bool(members)


def _hide_smallest(pool: set[str], system: CellSystem, decision: dict[str, Suppression]) -> bool:
    """Hide the smallest published non-zero cell of `pool` (a complementary suppression)."""
    candidates = sorted(
        (
            key
            for key in pool
            if decision[key] == "none"
            and system.kinds[key] not in ("anchor", "free")
            and system.values[key] > 0
        ),
        key=lambda key: (system.values[key], key),
    )
    if candidates:
        decision[candidates[0]] = "complementary"
    return bool(candidates)


def _withhold_group(group: str, system: CellSystem, decision: dict[str, Suppression]) -> bool:
    """Withhold the rest of `group` (its totals excepted); False if nothing is left."""
    members = [
        key
        for key, owner in system.groups.items()
        if owner == group and decision[key] != "withheld" and system.kinds[key] != "anchor"
    ]
    decision.update(dict.fromkeys(members, "withheld"))
    return bool(members)


def _linked(target: str, system: CellSystem, decision: Mapping[str, Suppression]) -> set[str]:
    """Every cell connected to `target` through relations between hidden cells (a published
    cell is a constant to the reader: it links nothing)."""
    relations = [*system.equations, *system.inequalities]
    linked = {target}
    frontier = [target]
    while frontier:
        key = frontier.pop()
        for eq in relations:
            if key in eq:
                for other in eq:
                    if other not in linked:
                        linked.add(other)
                        if decision[other] != "none":
                            frontier.append(other)
    return linked
