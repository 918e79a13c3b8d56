"""Disclosure control: no small count is visible, and no hidden count can be solved for."""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from admin_cli.report import codes
from admin_cli.report.auditor import Polytope, pinned
from admin_cli.report.disclosure import CellSystem, audit, determined_by_totals, protect
from admin_cli.report.figures import tally
from admin_cli.report.model import Period, Suppression
from admin_cli.report.publish import ReportLayout
from admin_cli.report.render_html import render_html
from admin_cli.report.render_json import render_json
from admin_cli.report.render_md import render_markdown
from admin_cli.report.wording import shipped_wording
from tests.admin.report_synthetic import build_report, make_records

MARCH = Period.of_month("2025-03")
K = 5
BRUTE_FORCE_LIMIT = 1_000_000


# --- an attacker's view of the published JSON ---------------------------------------------


# Tables whose rows an adversary can know from outside: a small count there singles people out.
# How a testimony was collected (by the person, or in an interview) is one of them too.
QUASI_IDENTIFIERS = frozenset({"rol", "campaign", "sector", "pais", "mode"})


@dataclass
class Attack:
    """The published cells as a reader sees them, and the sums that tie them together."""

    total: int
    known: dict[str, int] = field(default_factory=dict)
    hidden: dict[str, tuple[int, int]] = field(default_factory=dict)
    equations: list[dict[str, int]] = field(default_factory=list)

    def add(self, name: str, cell: int | Mapping[str, Any], *, table: str = "") -> str:
        if isinstance(cell, int):
            self.known[name] = cell
        else:
            assert cell["suppressed"] is True
            display = cell["display"]
            # What each display tells, as strongly as the published rules allow: "<5" is 1..4;
            # "x" is a complement, at least k in a quasi-identifier table and at least 1
            # elsewhere; "n/p" (not published) is anything.
            if display == f"<{K}":
                self.hidden[name] = (1, K - 1)
            elif display == "x":
                self.hidden[name] = (K if table in QUASI_IDENTIFIERS else 1, self.total)
            else:
                assert display == "n/p"
                self.hidden[name] = (0, self.total)
        return name

    def sums(self, total: str, parts: list[str], weights: list[int] | None = None) -> None:
        equation = {total: 1}
        for part, weight in zip(parts, weights or [1] * len(parts), strict=True):
            equation[part] = equation.get(part, 0) - weight
        self.equations.append({k: c for k, c in equation.items() if c})


def attack_of(report: Mapping[str, Any]) -> Attack:
    """The reader's system, rebuilt from the published JSON alone."""
    tables = report["tables"]
    n_total = tables["status"]["total"]
    attack = Attack(total=n_total if isinstance(n_total, int) else 10**6)
    attack.add("N", n_total)
    mission = attack.add("M", tables["rol"]["subtotals"][0]["count"])
    for name, table in tables.items():
        rows = [
            attack.add(f"{name}.{row['code']}", row["count"], table=name) for row in table["rows"]
        ]
        total = {
            "status": "N",
            "rol": "N",
            "campaign": "N",
            "sector": "M",
            "pais": "M",
            "mode": "N",
        }.get(name)
        total = total or attack.add(f"{name}.total", table["total"])
        attack.sums(total, rows)
        for sub in table["subtotals"] if name != "rol" else []:
            attack.add(f"{name}.{sub['code']}", sub["count"], table=name)
    attack.sums(mission, [f"rol.{c}" for c in codes.ROLES if c in codes.MISSION_ROLES])
    attack.sums(
        f"ilo_total.{codes.MANY_INDICATORS}", ["ilo_total.9", "ilo_total.10", "ilo_total.11"]
    )
    for group, rows in report["figures"].items():
        for row in rows:
            fid = row["id"]
            names = [
                attack.add(f"{fid}.{part}", row[part]) for part in ("present", "absent", "answered")
            ]
            attack.sums(names[2], names[:2])
            base = attack.add(f"{fid}.base", row["base"])
            if group != "health":
                attack.sums(base, [mission])
            # Each figure's base by source: testimonies and interviews add up to it.
            split = [
                attack.add(f"{fid}.base.{mode}", count, table="mode")
                for mode, count in row["base_by_source"].items()
            ]
            attack.sums(base, split)
    # The field reports: counted apart; all submissions are testimonies plus field reports.
    field_reports = report["field_reports"]
    reports = attack.add("F", field_reports["n"])
    everything = attack.add("ALL", report["questionnaire_versions"]["total"])
    attack.sums(everything, ["N", reports])
    for rows in field_reports["figures"].values():
        for row in rows:
            fid = row["id"]
            names = [
                attack.add(f"{fid}.{part}", row[part]) for part in ("present", "absent", "answered")
            ]
            attack.sums(names[2], names[:2])
            attack.add(f"{fid}.base", row["base"])
    for row in field_reports["counts"]:
        attack.add(f"field_counts.{row['id']}.reports", row["reports"])
        attack.add(f"field_counts.{row['id']}.unknown", row["reports_without_number"])
    # A respondent's ilo_total is their number of present indicators.
    weighted = {f"{fid}.present": 1 for fid in codes.ILO_FIGURES}
    for j in range(12):
        weighted[f"ilo_total.{j}"] = weighted.get(f"ilo_total.{j}", 0) - j
    attack.equations.append({k: c for k, c in weighted.items() if c})
    attack.sums(
        "salud_ambulancia_mas_6h.present", [f"ambulancia.{c}" for c in codes.ambulance_over_6h()]
    )
    versions = [
        attack.add(f"versions.{i}", row["count"])
        for i, row in enumerate(report["questionnaire_versions"]["rows"])
    ]
    attack.sums(everything, versions)
    distributions = report["distributions"]
    attack.add("retention.review", distributions[codes.RETENTION]["review"])
    attack.add("payments.other", distributions[codes.HOST_PAYMENT]["other_currencies"])
    return attack


_RENAMED = {
    "roles": "rol",
    "campaigns": "campaign",
    "sectors": "sector",
    "countries": "pais",
    "ambulance": "ambulancia",
    "sources": "mode",
}
_RENAMED_CELLS = {
    "n_field": "F",
    "n_all": "ALL",
    "n_total": "N",
    "n_mission": "M",
    "ilo_total.n": "ilo_total.total",
    "ilo_total.many": f"ilo_total.{codes.MANY_INDICATORS}",
    "ambulance.n": "ambulancia.total",
}


def true_values(records: list[Any], min_cell: int = K) -> dict[str, int]:
    """The true count behind every name of the attack (from the raw tally)."""
    values = ReportLayout(tally(records), min_cell).system.values
    truth: dict[str, int] = {}
    for key, value in values.items():
        name = _RENAMED_CELLS.get(key)
        if name is None:
            table, _, code = key.partition(".")
            name = f"{_RENAMED.get(table, table)}.{code}"
        truth[name] = value
    truth[f"ilo_total.{codes.MANY_INDICATORS}"] = values["ilo_total.many"]
    return truth


def polytope_of(attack: Attack, prefix: str = "") -> Polytope:
    """The reader's system as integer constraints: hidden cells are unknowns."""
    polytope = Polytope()
    for name, (low, high) in attack.hidden.items():
        polytope.variable(prefix + name, low, high)
    for equation in attack.equations:
        terms = {prefix + k: c for k, c in equation.items() if k in attack.hidden}
        constant = sum(c * attack.known[k] for k, c in equation.items() if k in attack.known)
        polytope.equal(terms, -constant)
    return polytope


TOTALS = re.compile(r"^(N|M|.*\.(answered|base|total))$")


def exactly_pinned(attack: Attack, truth: Mapping[str, int]) -> set[str]:
    """Hidden non-zero cells the reader can work out exactly (integer programming), except
    those the published totals alone determine (a table with one row equals its total)."""
    targets = {name: {name: 1} for name in attack.hidden if truth[name] > 0}
    found = pinned(polytope_of(attack), targets, truth)
    if not found:
        return found
    bare = Attack(total=attack.total, equations=attack.equations)
    for name in (*attack.known, *attack.hidden):
        if TOTALS.match(name) and name in attack.known:
            bare.known[name] = attack.known[name]
        else:
            bare.hidden[name] = (0, attack.total)
    by_totals = pinned(polytope_of(bare), {n: {n: 1} for n in found}, truth)
    return found - by_totals


def determined_by_linear_algebra(attack: Attack) -> set[str]:
    """A hidden cell is solvable when its unit vector is in the row space of the equations."""
    hidden = sorted(attack.hidden)
    rows = [[eq.get(h, 0) for h in hidden] for eq in attack.equations if set(eq) & set(hidden)]
    if not rows:
        return set()
    matrix = np.array(rows, dtype=float)
    rank = np.linalg.matrix_rank(matrix)
    solvable = set()
    for index, name in enumerate(hidden):
        unit = np.zeros((1, len(hidden)))
        unit[0, index] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            solvable.add(name)
    return solvable


def components(attack: Attack) -> Iterator[tuple[list[str], list[dict[str, int]]]]:
    groups: list[tuple[set[str], list[dict[str, int]]]] = []
    for eq in attack.equations:
        cells = {k for k in eq if k in attack.hidden}
        if not cells:
            continue
        touching = [g for g in groups if g[0] & cells]
        merged: tuple[set[str], list[dict[str, int]]] = (set(cells), [eq])
        for group in touching:
            merged[0].update(group[0])
            merged[1].extend(group[1])
            groups.remove(group)
        groups.append(merged)
    for cells, eqs in groups:
        yield sorted(cells), eqs


def reduced(rows: list[list[Fraction]], width: int) -> tuple[list[list[Fraction]], list[int]]:
    """Reduced row echelon form of an augmented matrix (last column: right-hand side)."""
    rows = [list(r) for r in rows]
    pivots: list[int] = []
    top = 0
    for col in range(width):
        pick = next((r for r in range(top, len(rows)) if rows[r][col] != 0), None)
        if pick is None:
            continue
        rows[top], rows[pick] = rows[pick], rows[top]
        rows[top] = [v / rows[top][col] for v in rows[top]]
        for r in range(len(rows)):
            if r != top and rows[r][col] != 0:
                f = rows[r][col]
                rows[r] = [a - f * b for a, b in zip(rows[r], rows[top], strict=True)]
        pivots.append(col)
        top += 1
    return rows[:top], pivots


def pinned_by_brute_force(attack: Attack) -> tuple[set[str], int]:
    """Enumerate every integer solution of each group of hidden cells; return the pinned ones.

    The free cells of the reduced system are enumerated over their display bounds; the others
    follow from the equations and must be integers within their bounds.
    """
    pinned: set[str] = set()
    searched = 0
    for group, eqs in components(attack):
        # Wide cells first, so that they become pivots and the narrow ones are enumerated.
        cells = sorted(group, key=lambda c: attack.hidden[c][0] - attack.hidden[c][1])
        rows = [
            [Fraction(eq.get(c, 0)) for c in cells]
            + [Fraction(-sum(v * attack.known[k] for k, v in eq.items() if k in attack.known))]
            for eq in eqs
        ]
        echelon, pivots = reduced(rows, len(cells))
        free = [i for i in range(len(cells)) if i not in pivots]
        sizes = [attack.hidden[cells[i]][1] - attack.hidden[cells[i]][0] + 1 for i in free]
        if np.prod(sizes, dtype=float) > BRUTE_FORCE_LIMIT:
            continue
        searched += 1
        grids = np.meshgrid(
            *[np.arange(attack.hidden[cells[i]][0], attack.hidden[cells[i]][1] + 1) for i in free],
            indexing="ij",
        )
        size = grids[0].size if grids else 1
        values = {cells[i]: g.ravel().astype(float) for i, g in zip(free, grids, strict=True)}
        ok = np.ones(size, dtype=bool)
        for row, col in zip(echelon, pivots, strict=True):
            value = np.full(size, float(row[-1]))
            for i in free:
                value = value - float(row[i]) * values[cells[i]]
            low, high = attack.hidden[cells[col]]
            ok &= (np.abs(value - np.round(value)) < 1e-6) & (value >= low - 1e-6)
            ok &= value <= high + 1e-6
            values[cells[col]] = np.round(value)
        for cell in cells:
            if len(np.unique(np.broadcast_to(values[cell], (size,))[ok])) <= 1:
                pinned.add(cell)
    return pinned, searched


SIZES = [(1, 12), (2, 25), (3, 40), (4, 70), (5, 150), (6, 300)]
# Months mixing testimonies, interviews and field reports (`sources`).
MIXED = [(7, 40), (8, 150)]


@pytest.fixture(
    scope="module",
    params=[*SIZES, *MIXED],
    ids=[f"n{n}" for _, n in SIZES] + [f"mixed{n}" for _, n in MIXED],
)
def published(request: pytest.FixtureRequest) -> dict[str, Any]:
    seed, n = request.param
    records = make_records(seed=seed, n=n, sources=(seed, n) in MIXED)
    report = build_report(records, period=MARCH, min_cell=K)
    parsed: dict[str, Any] = json.loads(render_json(report))
    return parsed


def published_counts(node: Any) -> Iterator[int]:
    """Every integer published as a count anywhere in the JSON."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"version", "min_cell"}:
                continue
            if isinstance(value, bool):
                continue
            if isinstance(value, int):
                yield value
            else:
                yield from published_counts(value)
    elif isinstance(node, list):
        for item in node:
            yield from published_counts(item)


def quasi_identifier_counts(report: Mapping[str, Any]) -> Iterator[int]:
    """Every count published in a quasi-identifier table (and the other-currency count)."""
    for name, table in report["tables"].items():
        if name in QUASI_IDENTIFIERS:
            for row in table["rows"]:
                if isinstance(row["count"], int):
                    yield row["count"]
    other = report["distributions"][codes.HOST_PAYMENT]["other_currencies"]
    if isinstance(other, int):
        yield other


def test_no_small_count_in_a_quasi_identifier_table(published: dict[str, Any]) -> None:
    assert published["min_cell"] == K and published["disclosure_control"] is True
    assert not [n for n in quasi_identifier_counts(published) if 1 <= n < K]


def test_hidden_cells_have_no_percentage(published: dict[str, Any]) -> None:
    for table in published["tables"].values():
        for row in table["rows"] + table["subtotals"]:
            if isinstance(row["count"], dict):
                assert row["count"]["display"] in (f"<{K}", "x", "n/p")
                assert row["percent"] is None
    for rows in published["figures"].values():
        for row in rows:
            if isinstance(row["present"], dict) or isinstance(row["answered"], dict):
                assert row["percent_of_answered"] is None


def test_no_hidden_cell_is_solvable(published: dict[str, Any]) -> None:
    attack = attack_of(published)
    assert not determined_by_linear_algebra(attack)
    pinned_cells, _ = pinned_by_brute_force(attack)
    assert not pinned_cells


def test_the_attack_is_not_vacuous() -> None:
    """The small reports hide cells and the brute force really searches groups of them."""
    report = build_report(make_records(seed=3, n=40), period=MARCH, min_cell=K)
    attack = attack_of(json.loads(render_json(report)))
    assert len(attack.hidden) >= 5
    _, searched = pinned_by_brute_force(attack)
    assert searched >= 2
    # Without complementary suppression the same attack recovers cells.
    system = CellSystem()
    system.cell("t", 23, kind="anchor")
    system.sums_to(
        "t",
        [
            system.cell("a", 3, kind="quasi_identifier"),
            system.cell("b", 20, kind="quasi_identifier"),
        ],
    )
    naive = Attack(total=23, known={"t": 23, "b": 20}, hidden={"a": (1, 4)})
    naive.sums("t", ["a", "b"])
    assert determined_by_linear_algebra(naive) == {"a"}
    assert protect(system, K) == {"t": "none", "a": "primary", "b": "complementary"}


def test_order_statistics_need_ten_values_and_never_show_extremes() -> None:
    records = [
        r for r in make_records(seed=8, n=300) if r.answers.get("rol") in codes.MISSION_ROLES
    ]
    with_value = [r for r in records if r.figures[codes.RETENTION].state == "present"]
    few = build_report(with_value[:9], period=MARCH, min_cell=K)
    assert few.retention.spread.n.value == 9 and not few.retention.spread.published
    html = render_html(few)
    assert "Mediana y cuartiles no publicados: menos de 10 personas con el dato." in html
    assert 'alt="Distribución de la parte del pago retenida' not in html
    enough = build_report(with_value[:10], period=MARCH, min_cell=K)
    spread = enough.retention.spread
    assert spread.published and spread.median is not None
    # Rounded to whole percent; and no minimum or maximum anywhere in the JSON.
    assert spread.median == spread.median.to_integral_value()
    data = json.loads(render_json(enough))
    assert {"min", "max", "minimum", "maximum"}.isdisjoint(data["distributions"][codes.RETENTION])
    payments = data["distributions"][codes.HOST_PAYMENT]
    if payments["median"] is not None:
        assert payments["median"] % 100 == 0 and payments["rounded_to"] == 100


def test_min_cell_one_shows_everything_and_says_so() -> None:
    report = build_report(make_records(seed=1, n=25), period=MARCH, min_cell=1)
    published = json.loads(render_json(report))
    assert published["min_cell"] == 1 and published["disclosure_control"] is False
    assert "suppressed" not in json.dumps(published)
    assert any(1 <= n < K for n in quasi_identifier_counts(published))
    assert "DESACTIVADO" in render_html(report)
    assert "TURNED OFF" in render_markdown(report, "en")


def visible_cells(text: str) -> list[str]:
    """Every table cell of an HTML or Markdown rendering."""
    html_cells = re.findall(r'<td class="n">([^<]*)</td>', text)
    md_cells = [
        cell.strip()
        for line in text.splitlines()
        if line.startswith("| ")
        for cell in line.strip("|").split("|")[1:]
    ]
    return html_cells + md_cells


@pytest.mark.parametrize("renderer", [render_html, render_markdown])
def test_no_small_count_in_the_summary_tables_of_html_or_markdown(renderer: Any) -> None:
    report = build_report(make_records(seed=4, n=70), period=MARCH, min_cell=K)
    text = renderer(report)
    # The summary (role, campaign, sector, country) ends where the ILO section starts.
    summary = text[: text.index(shipped_wording("es").text("section.ilo"))]
    cells = visible_cells(summary)
    assert cells
    numbers = [int(c.replace(".", "")) for c in cells if re.fullmatch(r"[\d.]+", c)]
    assert numbers and not [n for n in numbers if 1 <= n < K]
    assert any(cell in (f"<{K}", f"&lt;{K}") for cell in cells)


# --- the engine alone, against an exhaustive search over small random tables ----------------


def solutions(
    known: Mapping[str, int],
    hidden: Mapping[str, range],
    equations: list[dict[str, int]],
    inequalities: list[dict[str, int]] = [],  # noqa: B006 (read only)
) -> dict[str, set[int]]:
    names = list(hidden)
    seen: dict[str, set[int]] = {name: set() for name in names}
    for combo in itertools.product(*(hidden[n] for n in names)):
        values = {**known, **dict(zip(names, combo, strict=True))}
        if all(sum(c * values[k] for k, c in eq.items()) == 0 for eq in equations) and all(
            sum(c * values[k] for k, c in eq.items()) <= 0 for eq in inequalities
        ):
            for name, value in zip(names, combo, strict=True):
                seen[name].add(value)
    return seen


def exhaustive_check(system: CellSystem, decision: Mapping[str, str], total: int) -> None:
    """Every hidden non-zero cell takes two values or more over all integer solutions."""
    known = {k: v for k, v in system.values.items() if decision[k] == "none"}
    ranges = {
        k: range(1, K)
        if choice == "primary"
        else range(K if system.kinds[k] == "quasi_identifier" else 1, total + 1)
        if choice == "complementary"
        else range(total + 1)
        for k, choice in decision.items()
        if choice != "none"
    }
    if math.prod(len(r) for r in ranges.values()) > 200_000:
        # Too many combinations to list: the reduced-system brute force (equations only).
        assert not system.inequalities
        attack = Attack(total=total, known=known, equations=list(system.equations))
        attack.hidden = {k: (r.start, r.stop - 1) for k, r in ranges.items()}
        by_totals = determined_by_totals(system, K)  # "sub" is a published total too
        pinned_cells, _ = pinned_by_brute_force(attack)
        assert not {k for k in pinned_cells if system.values[k] > 0} - by_totals, decision
        # Groups too large for the brute force: the exact integer programme decides.
        assert not exactly_pinned(attack, system.values) - by_totals, decision
        return
    seen = solutions(known, ranges, system.equations, system.inequalities)
    # A count the totals alone determine (one row equal to its total) is the total itself.
    by_totals = determined_by_totals(system, K)
    for name, values in seen.items():
        if system.values[name] > 0 and name not in by_totals:
            assert len(values) >= 2, (name, values, decision)


@settings(max_examples=150, deadline=None)
@given(
    cells=st.lists(st.integers(0, 10), min_size=2, max_size=5),
    subtotal_size=st.integers(0, 4),
)
def test_protect_leaves_every_hidden_cell_ambiguous(cells: list[int], subtotal_size: int) -> None:
    """A one-way table with its total and a nested subtotal, attacked exhaustively."""
    system = CellSystem()
    total = sum(cells)
    system.cell("total", total, kind="anchor")
    names = [
        system.cell(f"c{i}", v, kind="quasi_identifier", group="t") for i, v in enumerate(cells)
    ]
    system.sums_to("total", names)
    sub = names[: min(subtotal_size, len(names))]
    if len(sub) >= 2:
        system.cell("sub", sum(cells[: len(sub)]), kind="anchor")
        system.sums_to("sub", sub)
    decision = protect(system, K)
    for key, choice in decision.items():
        if choice == "none" and system.kinds[key] == "quasi_identifier":
            assert not 1 <= system.values[key] < K
    exhaustive_check(system, decision, total)


def test_single_small_cell_gets_a_complement() -> None:
    system = CellSystem()
    system.cell("total", 23, kind="anchor")
    system.sums_to(
        "total",
        [system.cell(k, v, kind="quasi_identifier") for k, v in (("a", 3), ("b", 0), ("c", 20))],
    )
    # The zero stays published: it cannot protect "a", so the next smallest non-zero goes.
    assert protect(system, K) == {
        "total": "none",
        "a": "primary",
        "b": "none",
        "c": "complementary",
    }


def test_a_table_with_no_safe_pattern_is_not_published() -> None:
    """1 + 5 = 6: "<5" and "x" (at least 5) pin both; the table is withheld, never a crash."""
    system = CellSystem()
    system.cell("total", 6, kind="anchor")
    system.sums_to(
        "total",
        [system.cell(k, v, kind="quasi_identifier", group="t") for k, v in (("a", 1), ("b", 5))],
    )
    assert protect(system, K) == {"total": "none", "a": "withheld", "b": "withheld"}


def test_skips_cannot_be_negative() -> None:
    """The issue's case: present "<5", absent 5, answered hidden, base 6. answered <= base
    gives present = 1 unless the auditor knows the inequality (the old engine did not)."""
    system = CellSystem()
    base = system.cell("base", 6, kind="anchor")
    present = system.cell("present", 1, kind="quasi_identifier", group="row")
    absent = system.cell("absent", 5, kind="quasi_identifier", group="row")
    answered = system.cell("answered", 6, kind="quasi_identifier", group="row")
    system.sums_to(answered, [present, absent])
    system.at_most(answered, base)
    decision = protect(system, K)
    assert decision["present"] != "none"
    exhaustive_check(system, decision, 6)
    # The pattern the old engine published is caught by the exact auditor.
    old: dict[str, Suppression] = {
        "base": "none",
        "present": "primary",
        "absent": "none",
        "answered": "complementary",
    }
    assert audit(system, old, K) == {"present", "answered"}


def test_weighted_distribution_is_protected_by_integer_search() -> None:
    """Hidden cells of a distribution weighed by 0..11, whose two sums are published."""
    counts = [10, 0, 0, 8, 0, 0, 0, 0, 0, 0, 2, 1]
    system = CellSystem()
    dist = {
        j: system.cell(f"d{j}", v, kind="quasi_identifier", group="d") for j, v in enumerate(counts)
    }
    system.cell("n", sum(counts), kind="anchor")
    system.sums_to("n", dist.values())
    # The weighted sum is published elsewhere (the sum of the eleven indicator counts).
    system.cell("weighted", sum(j * v for j, v in enumerate(counts)), kind="anchor")
    system.weighted_sum_to("weighted", {dist[j]: j for j in dist})
    decision = protect(system, K)
    hidden = [k for k, v in decision.items() if v != "none"]
    assert {"d10", "d11"} <= set(hidden) and decision["weighted"] == "none"
    # d10 + d11 = 3 and 10 d10 + 11 d11 = 31 alone would give d10 = 2, d11 = 1.
    assert len(hidden) > 2
    exhaustive_check(system, decision, 21)


def test_mixed_months_hold_every_source_and_hide_small_splits() -> None:
    """The mixed months above are not vacuous: interviews and field reports are there, and a
    small split of a figure's base by source is hidden, not shown."""
    seed, n = MIXED[0]
    records = make_records(seed=seed, n=n, sources=True)
    report = json.loads(render_json(build_report(records, period=MARCH, min_cell=K)))
    interviews = sum(r.mode == "entrevista" for r in records)
    field = sum(r.questionnaire_id == codes.FIELD_QUESTIONNAIRE for r in records)
    assert interviews > 0 and field > 0
    assert report["field_reports"]["n"] == field
    assert report["questionnaire_versions"]["total"] == n
    splits = [
        count
        for rows in report["figures"].values()
        for row in rows
        for count in row["base_by_source"].values()
    ]
    assert any(isinstance(count, dict) for count in splits)  # some are hidden
    assert not [c for c in splits if isinstance(c, int) and 1 <= c < K]
