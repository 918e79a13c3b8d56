"""Figures across months, and the cumulative figures that adding months cannot make disclose.

A cumulative figure is a sum of one cell over every published month. It is offered only when
every month published that cell: a sum of published numbers tells a reader nothing new. The
audit (`audit_cumulative`) checks this with the report's exact auditor rather than trusting
it: every month's reader view, plus the cumulative sums as equations, must leave every hidden
cell exactly as open as the month alone left it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from admin_cli.report import codes
from admin_cli.report.auditor import Polytope, Terms, intervals
from admin_cli.report.disclosure import ReaderView, add_view
from admin_cli.site.opendata import count_value
from admin_cli.site.source import PublishedMonth

# The cells whose sum over months the site offers, when every month published them.
CUMULATIVE_CELLS: Final = (
    "n_total",
    "n_mission",
    *(f"roles.{code}" for code in codes.ROLES),
    *(f"{f}.{part}" for f in codes.ILO_FIGURES for part in ("present", "answered")),
    *(f"{f}.{part}" for f in codes.HEALTH_FIGURES for part in ("present", "answered")),
)


@dataclass(frozen=True)
class Point:
    """One month's value of a series; None when that month did not publish it."""

    month: str
    value: float | None


@dataclass(frozen=True)
class Series:
    series_id: str
    points: tuple[Point, ...]


def figure_percent(report: Mapping[str, Any], group: str, figure_id: str) -> float | None:
    for figure in report["figures"][group]:
        if figure["id"] == figure_id:
            value = figure["percent_of_answered"]
            return None if value is None else float(value)
    return None


def table_count(report: Mapping[str, Any], variable: str, code: str) -> int | None:
    table = report["tables"][variable]
    if code == "_total":
        return count_value(table["total"])
    for row in (*table["rows"], *table["subtotals"]):
        if row["code"] == code:
            return count_value(row["count"])
    return None


def percent_series(
    months: Sequence[PublishedMonth], group: str, ids: Sequence[str]
) -> list[Series]:
    return [
        Series(f, tuple(Point(m.period, figure_percent(m.report, group, f)) for m in months))
        for f in ids
    ]


def retention_series(months: Sequence[PublishedMonth]) -> list[Series]:
    found = []
    for stat in ("q1", "median", "q3"):
        points = []
        for m in months:
            value = m.report["distributions"][codes.RETENTION][stat]
            points.append(Point(m.period, None if value is None else float(value)))
        found.append(Series(stat, tuple(points)))
    return found


def source_series(months: Sequence[PublishedMonth]) -> list[Series]:
    """Testimonies by source (the link's campaign), every campaign any month named."""
    seen: list[str] = []
    for m in months:
        for row in m.report["tables"]["campaign"]["rows"]:
            if row["code"] not in seen:
                seen.append(row["code"])
    found = []
    for code in [*seen, "_total"]:
        points = []
        for m in months:
            value = table_count(m.report, "campaign", code)
            known = any(r["code"] == code for r in m.report["tables"]["campaign"]["rows"])
            # A campaign a month did not list had no testimony that month (or was grouped in
            # "others"): shown as no value, never as a zero the month did not publish.
            points.append(
                Point(
                    m.period,
                    float(value) if value is not None and (known or code == "_total") else None,
                )
            )
        found.append(Series(code, tuple(points)))
    return found


def published_cell(view: ReaderView, key: str) -> int | None:
    bounds = view.known.get(key)
    if bounds is None or bounds[0] != bounds[1]:
        return None
    return bounds[0]


def cumulative(months: Sequence[PublishedMonth]) -> dict[str, int]:
    """Sums over every month of the cells every month published (see the module notes)."""
    sums: dict[str, int] = {}
    for key in CUMULATIVE_CELLS:
        values = [published_cell(m.view, key) for m in months]
        if values and all(v is not None for v in values):
            sums[key] = sum(v for v in values if v is not None)
    return sums


def audit_cumulative(months: Sequence[PublishedMonth], sums: Mapping[str, int]) -> set[str]:
    """Hidden cells ("YYYY-MM:cell") a reader could work out exactly from the months and the
    cumulative `sums` together, but not from the months alone. Empty: the sums are safe.

    A sum no integer point satisfies contradicts the ledger: every month's cell is reported.
    """
    alone = Polytope()
    together = Polytope()
    for m in months:
        for polytope in (alone, together):
            add_view(polytope, m.view, f"{m.period}:")
    for key, total in sums.items():
        terms: Terms = {}
        constant = 0
        for m in months:
            bounds = m.view.known.get(key)
            if bounds is None:
                continue
            if bounds[0] == bounds[1]:
                constant += bounds[0]
            else:
                terms[f"{m.period}:{key}"] = 1
        if terms:
            together.equal(terms, total - constant)
        elif constant != total:
            return {f"{m.period}:{key}" for m in months}
    targets = {name: {name: 1} for name in together.bounds}
    before = intervals(alone, targets)
    after = intervals(together, targets)
    exposed = set()
    for name in targets:
        low, high = after.get(name, (0, -1))
        if low > high:
            exposed.add(name)  # no integer point: the sum contradicts the months
        elif low == high and before.get(name, (0, 1))[0] != before.get(name, (0, 1))[1]:
            exposed.add(name)
    return exposed
