"""Turn raw tallies into the published `Report`: tables, their sums, and disclosure control."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal

from admin_cli.report import codes
from admin_cli.report.disclosure import CellSystem, protect
from admin_cli.report.figures import Tally
from admin_cli.report.model import (
    Count,
    FigureRow,
    FrequencyTable,
    HostPayments,
    Period,
    Report,
    Row,
    Spread,
    Suppression,
    VersionRow,
    WageRetention,
)
from admin_cli.report.stats import quantile, rounded

HASH_PREFIX_LENGTH = 12
_QUARTILES = (Decimal("0.25"), Decimal("0.5"), Decimal("0.75"))


class _Layout:
    """The report's tables as cell keys of one `CellSystem`, so sums across tables are seen."""

    def __init__(self, raw: Tally, min_cell: int) -> None:
        self.raw = raw
        self.min_cell = min_cell
        self.system = CellSystem()
        cells = self.system
        cells.cell("n_total", raw.total, anchor=True)
        cells.cell("n_mission", raw.mission, anchor=True)
        self.status = self._table(
            "status", _fixed(raw.status, codes.STATUSES, no_answer=False), "n_total"
        )
        self.roles = self._table("roles", _fixed(raw.roles, codes.ROLES), "n_total")
        cells.sums_to("n_mission", [f"roles.{c}" for c in codes.ROLES if c in codes.MISSION_ROLES])
        self.campaigns = self._table("campaigns", _by_count(raw.campaigns), "n_total")
        self.sectors = self._table("sectors", _fixed(raw.sectors, codes.SECTORS), "n_mission")
        self.countries = self._table(
            "countries", _countries(raw.countries, max(min_cell, 1)), "n_mission"
        )
        self.versions = sorted(raw.versions.items())
        self._table("versions", [(str(i), n) for i, (_, n) in enumerate(self.versions)], "n_total")
        self.ilo = self._figure_rows(codes.ILO_FIGURES)
        self.frameworks = self._figure_rows(codes.FRAMEWORK_FIGURES)
        self.health = self._figure_rows(codes.HEALTH_FIGURES)
        self._ilo_total()
        self.ambulance = self._table(
            "ambulance", _fixed(raw.ambulance, codes.AMBULANCE), "ambulance.n", raw_total=True
        )
        if "salud_ambulancia_mas_6h" in self.health:
            cells.sums_to(
                "salud_ambulancia_mas_6h.present",
                [f"ambulance.{code}" for code in codes.AMBULANCE_OVER_6H],
            )
        cells.cell("retention.n", len(raw.retention))
        cells.cell("retention.review", raw.retention_review)
        cells.cell("payments.n", len(raw.payments))
        cells.cell("payments.other", raw.payments_other_currency)

    def _table(
        self,
        name: str,
        rows: Sequence[tuple[str, int]],
        total: str,
        *,
        raw_total: bool = False,
    ) -> list[str]:
        if raw_total:
            self.system.cell(total, sum(n for _, n in rows), anchor=True)
        keys = [self.system.cell(f"{name}.{code}", n) for code, n in rows]
        self.system.sums_to(total, keys)
        return [code for code, _ in rows]

    def _figure_rows(self, figure_ids: Iterable[str]) -> list[str]:
        shown: list[str] = []
        for figure_id in figure_ids:
            states = self.raw.figure_states.get(figure_id, Counter())
            cell = self.system.cell
            present = cell(f"{figure_id}.present", states["present"])
            absent = cell(f"{figure_id}.absent", states["absent"])
            answered = cell(f"{figure_id}.answered", states["present"] + states["absent"])
            cell(f"{figure_id}.base", states.total(), anchor=True)
            self.system.sums_to(answered, [present, absent])
            shown.append(figure_id)
        return shown

    def _ilo_total(self) -> None:
        counts = self.raw.ilo_total
        cell = self.system.cell
        keys = {j: cell(f"ilo_total.{j}", counts[j]) for j in codes.ILO_TOTAL_VALUES}
        # A value outside 0..11 would be a derivation bug; it is still counted in the total.
        cell("ilo_total.n", counts.total(), anchor=True)
        self.system.sums_to("ilo_total.n", keys.values())
        many = cell(
            "ilo_total.many",
            sum(counts[j] for j in codes.ILO_TOTAL_VALUES if j >= codes.ILO_MANY_FROM),
        )
        self.system.sums_to(
            many, [keys[j] for j in codes.ILO_TOTAL_VALUES if j >= codes.ILO_MANY_FROM]
        )
        # Each respondent's total is their number of present indicators, so a reader can
        # weigh the distribution by 0..11 and compare it with the sum of the indicator counts.
        equation = {f"{figure_id}.present": 1 for figure_id in self.ilo}
        for j in codes.ILO_TOTAL_VALUES:
            equation[keys[j]] = -j
        self.system.balance(equation)


class _View:
    """Published counts and percentages read through the disclosure decision."""

    def __init__(self, values: dict[str, int], decision: dict[str, Suppression]) -> None:
        self.values = values
        self.decision = decision

    def count(self, key: str) -> Count:
        choice = self.decision[key]
        return Count(self.values[key] if choice == "none" else None, choice)

    def table(
        self,
        name: str,
        row_codes: Sequence[str],
        total: str,
        *,
        subtotals: Sequence[tuple[str, str]] = (),
    ) -> FrequencyTable:
        total_count = self.count(total)
        return FrequencyTable(
            table_id=name,
            rows=tuple(
                Row(code, count, _percent(count, total_count))
                for code in row_codes
                for count in [self.count(f"{name}.{code}")]
            ),
            total=total_count,
            subtotals=tuple(
                Row(code, count, _percent(count, total_count))
                for code, key in subtotals
                for count in [self.count(key)]
            ),
        )

    def figure(self, figure_id: str) -> FigureRow:
        present = self.count(f"{figure_id}.present")
        answered = self.count(f"{figure_id}.answered")
        return FigureRow(
            figure_id=figure_id,
            present=present,
            absent=self.count(f"{figure_id}.absent"),
            answered=answered,
            base=self.count(f"{figure_id}.base"),
            percent=_percent(present, answered),
        )


def _percent(part: Count, whole: Count) -> Decimal | None:
    """Share in percent with one decimal; hidden when either count is hidden or whole is 0."""
    if part.value is None or whole.value is None or whole.value == 0:
        return None
    return rounded(Decimal(100 * part.value) / Decimal(whole.value), 1)


def _spread(values: list[Decimal], n: Count, threshold: int, *, places: int) -> Spread:
    """Order statistics only for n >= k: the min and max of a tiny group are single people."""
    if n.value is None or n.value < threshold or not values:
        return Spread(n, None, None, None, None, None)
    ordered = sorted(values)
    q1, median, q3 = (rounded(quantile(ordered, f), places) for f in _QUARTILES)
    return Spread(
        n,
        median=median,
        q1=q1,
        q3=q3,
        minimum=rounded(ordered[0], places),
        maximum=rounded(ordered[-1], places),
    )


def _fixed(
    counter: Counter[str], known: Sequence[str], *, no_answer: bool = True
) -> list[tuple[str, int]]:
    """Every known code (zeros too), then codes the questionnaire did not list, then no answer."""
    extra = sorted(c for c in counter if c not in known and c != codes.NO_ANSWER)
    tail = (codes.NO_ANSWER,) if no_answer else ()
    return [(code, counter[code]) for code in (*known, *extra, *tail)]


def _by_count(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def _countries(counter: Counter[str], threshold: int) -> list[tuple[str, int]]:
    """The largest countries by name; the others, and every country below k, as "others"."""
    named = [
        (code, n) for code, n in _by_count(counter) if code != codes.NO_ANSWER and n >= threshold
    ][: codes.MAX_COUNTRIES]
    named_codes = {code for code, _ in named}
    others = sum(
        n for code, n in counter.items() if code not in named_codes and code != codes.NO_ANSWER
    )
    rows = list(named)
    if others:
        rows.append((codes.OTHERS, others))
    rows.append((codes.NO_ANSWER, counter[codes.NO_ANSWER]))
    return rows


def publish(raw: Tally, *, period: Period, lang: str, min_cell: int) -> Report:
    """Apply disclosure control to `raw` and return only what may be shown."""
    layout = _Layout(raw, min_cell)
    decision = protect(layout.system, min_cell)
    view = _View(layout.system.values, decision)
    threshold = max(min_cell, 1)
    return Report(
        period=period,
        lang=lang,
        min_cell=min_cell,
        status=view.table("status", layout.status, "n_total"),
        roles=view.table(
            "roles",
            layout.roles,
            "n_total",
            subtotals=[(codes.MISSION, "n_mission")],
        ),
        campaigns=view.table("campaigns", layout.campaigns, "n_total"),
        sectors=view.table("sectors", layout.sectors, "n_mission"),
        countries=view.table("countries", layout.countries, "n_mission"),
        ilo=tuple(view.figure(f) for f in layout.ilo),
        ilo_total=view.table(
            "ilo_total",
            [str(j) for j in codes.ILO_TOTAL_VALUES],
            "ilo_total.n",
            subtotals=[(codes.MANY_INDICATORS, "ilo_total.many")],
        ),
        frameworks=tuple(view.figure(f) for f in layout.frameworks),
        retention=WageRetention(
            spread=_spread(raw.retention, view.count("retention.n"), threshold, places=1),
            review=view.count("retention.review"),
        ),
        payments=HostPayments(
            currency=codes.PAYMENT_CURRENCY,
            spread=_spread(raw.payments, view.count("payments.n"), threshold, places=2),
            other_currencies=view.count("payments.other"),
        ),
        health=tuple(view.figure(f) for f in layout.health),
        ambulance=view.table("ambulance", layout.ambulance, "ambulance.n"),
        versions=tuple(
            VersionRow(qid, version, digest[:HASH_PREFIX_LENGTH], view.count(f"versions.{i}"))
            for i, ((qid, version, digest), _) in enumerate(layout.versions)
        ),
        versions_total=view.count("n_total"),
    )
