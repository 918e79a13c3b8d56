"""Turn raw tallies into the published `Report`: tables, their sums, and disclosure control."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal

from admin_cli.report import codes
from admin_cli.report.disclosure import (
    CellKind,
    CellSystem,
    EarlierRelease,
    ReaderView,
    protect,
    reader_view,
)
from admin_cli.report.figures import Tally
from admin_cli.report.model import (
    Count,
    FieldCount,
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
from admin_cli.report.stats import quantile, rounded, rounded_to
from flows.locales import SUPPORTED_LOCALES

DEFAULT_MIN_CELL = 5  # k of the disclosure control unless staff choose another
HASH_PREFIX_LENGTH = 12
# Quartiles need this many values, and are rounded to whole percent and to 100 dollars.
QUANTILE_MIN_N = 10
RETENTION_STEP = Decimal(1)
PAYMENT_STEP = Decimal(100)
_QUARTILES = (Decimal("0.25"), Decimal("0.5"), Decimal("0.75"))


class ReportLayout:
    """The report's tables as cells of one `CellSystem`, so sums across tables are seen.

    Each cell has a kind (see `disclosure`): totals are anchors; the tables by role,
    campaign, sector, country and version are quasi-identifiers; figure rows and the ILO total
    and ambulance distributions are indicator tables, each published only over enough people.
    """

    def __init__(self, raw: Tally, min_cell: int) -> None:
        self.raw = raw
        self.min_cell = min_cell
        self.system = CellSystem()
        cells = self.system
        cells.cell("n_total", raw.total, kind="anchor")
        cells.cell("n_mission", raw.mission, kind="anchor")
        # The sources: testimonies by mode (how a testimony was collected is something an
        # adversary may know of a person: a quasi-identifier), the field reports apart.
        field = raw.field_reports
        cells.cell("n_field", field.total, kind="anchor")
        cells.cell("n_all", raw.total + field.total, kind="anchor")
        cells.sums_to("n_all", ["n_total", "n_field"])
        self.sources = self._table("sources", [(m, raw.modes[m]) for m in codes.MODES], "n_total")
        self.status = self._table(
            "status", _fixed(raw.status, codes.STATUSES, no_answer=False), "n_total", "free"
        )
        self.roles = self._table("roles", _fixed(raw.roles, codes.ROLES), "n_total")
        cells.sums_to("n_mission", [f"roles.{c}" for c in codes.ROLES if c in codes.MISSION_ROLES])
        # Small campaigns are grouped like small countries: a link's name is something an
        # adversary can know (who shared it, where), and one row alone would equal the total.
        self.campaigns = self._table(
            "campaigns", _grouped(raw.campaigns, max(min_cell, 1), codes.NO_CAMPAIGN), "n_total"
        )
        self.sectors = self._table("sectors", _fixed(raw.sectors, codes.SECTORS), "n_mission")
        self.countries = self._table(
            "countries", _countries(raw.countries, max(min_cell, 1)), "n_mission"
        )
        self.versions = sorted(raw.versions.items())
        # The version only says when in the month someone answered: not a quasi-identifier.
        self._table(
            "versions", [(str(i), n) for i, (_, n) in enumerate(self.versions)], "n_all", "free"
        )
        self.ilo = self._figure_rows(codes.ILO_FIGURES, group="ilo")
        self.frameworks = self._figure_rows(codes.FRAMEWORK_FIGURES)
        self.health = self._figure_rows(codes.HEALTH_FIGURES)
        self._ilo_total()
        # Field reports: their own figure rows over the reports each applies to, never tied
        # to the testimonies' cells by any sum (they count places, not people).
        self.field_health = self._figure_rows(
            codes.FIELD_HEALTH_FIGURES, states=field.figure_states, by_source=False
        )
        self.field_ilo = self._figure_rows(
            codes.FIELD_ILO_FIGURES, states=field.figure_states, by_source=False
        )
        for question_id in codes.FIELD_COUNTS:
            given = len(field.counts.get(question_id, []))
            cells.cell(f"field_counts.{question_id}.reports", given, kind="anchor")
            unknown = field.unknown_counts[question_id]
            cells.cell(f"field_counts.{question_id}.unknown", unknown, kind="anchor")
            cells.at_most(f"field_counts.{question_id}.reports", "n_field")
        cells.cell("ambulance.n", raw.ambulance.total(), kind="anchor")
        rows = codes.ambulance_rows(raw.ambulance)
        self.ambulance = self._table(
            "ambulance", _fixed(raw.ambulance, rows), "ambulance.n", "indicator"
        )
        cells.group_base["ambulance"] = "ambulance.n"
        if "salud_ambulancia_mas_6h" in self.health:
            cells.sums_to(
                "salud_ambulancia_mas_6h.present",
                [f"ambulance.{code}" for code in codes.ambulance_over_6h() if code in rows],
            )
        cells.cell("retention.n", len(raw.retention), kind="anchor")
        # Flagged for review: a data-quality count over every mission respondent.
        cells.cell("retention.review", raw.retention_review, kind="indicator", group="review")
        cells.group_base["review"] = "n_mission"
        cells.at_most("retention.review", "n_mission")
        cells.cell("payments.n", len(raw.payments), kind="anchor")
        # The currency of a payment follows the host country: a quasi-identifier.
        cells.cell("payments.other", raw.payments_other_currency, kind="quasi_identifier")
        cells.at_most("payments.other", "n_mission")

    def _table(
        self,
        name: str,
        rows: Sequence[tuple[str, int]],
        total: str,
        kind: CellKind = "quasi_identifier",
    ) -> list[str]:
        keys = [self.system.cell(f"{name}.{code}", n, kind=kind, group=name) for code, n in rows]
        self.system.sums_to(total, keys)
        return [code for code, _ in rows]

    def _figure_rows(
        self,
        figure_ids: Iterable[str],
        *,
        group: str | None = None,
        states: dict[str, Counter[str]] | None = None,
        by_source: bool = True,
    ) -> list[str]:
        """Rows present + absent = answered <= base; each row is its own group unless `group`
        names one for them all (the ILO rows, tied together by the ILO total). `by_source`:
        the base split by source too (testimonies, interviews), in the sources table's group,
        so that hiding a small split never withholds the figure."""
        shown: list[str] = []
        for figure_id in figure_ids:
            counts = (self.raw.figure_states if states is None else states).get(figure_id)
            states_of = counts or Counter()
            cell = self.system.cell
            owner = group or figure_id
            present = cell(
                f"{figure_id}.present", states_of["present"], kind="indicator", group=owner
            )
            absent = cell(f"{figure_id}.absent", states_of["absent"], kind="indicator", group=owner)
            # Who answered, and whom the figure applies to: non-response, never withheld.
            answered = cell(
                f"{figure_id}.answered", states_of["present"] + states_of["absent"], kind="anchor"
            )
            base = cell(f"{figure_id}.base", states_of.total(), kind="anchor")
            self.system.sums_to(answered, [present, absent])
            self.system.at_most(answered, base)
            # Nobody outside knows who skipped which question: the group a reader could apply
            # a row to is everyone it applies to, so the row's base decides.
            self.system.group_base.setdefault(owner, base)
            if by_source:
                modes = self.raw.figure_modes.get(figure_id, Counter())
                split = [
                    cell(
                        f"{figure_id}.base.{mode}",
                        modes[mode],
                        kind="quasi_identifier",
                        # With the sources table: withholding one withholds the other, since
                        # a split bounds the table's row (at most) and the reverse.
                        group="sources",
                    )
                    for mode in codes.MODES
                ]
                self.system.sums_to(base, split)
                for mode, key in zip(codes.MODES, split, strict=True):
                    self.system.at_most(key, f"sources.{mode}")
            shown.append(figure_id)
        return shown

    def _ilo_total(self) -> None:
        counts = self.raw.ilo_total
        cell = self.system.cell
        keys = {
            j: cell(f"ilo_total.{j}", counts[j], kind="indicator", group="ilo_total")
            for j in codes.ILO_TOTAL_VALUES
        }
        # A value outside 0..11 would be a derivation bug; it is still counted in the total.
        cell("ilo_total.n", counts.total(), kind="anchor")
        self.system.group_base["ilo_total"] = "ilo_total.n"
        self.system.sums_to("ilo_total.n", keys.values())
        many = cell(
            "ilo_total.many",
            sum(counts[j] for j in codes.ILO_TOTAL_VALUES if j >= codes.ILO_MANY_FROM),
            kind="indicator",
            group="ilo_total",
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
        split = tuple(
            self.count(f"{figure_id}.base.{mode}")
            for mode in codes.MODES
            if f"{figure_id}.base.{mode}" in self.values
        )
        return FigureRow(
            figure_id=figure_id,
            present=present,
            absent=self.count(f"{figure_id}.absent"),
            answered=answered,
            base=self.count(f"{figure_id}.base"),
            percent=_percent(present, answered),
            base_by_source=split,
        )


def _percent(part: Count, whole: Count) -> Decimal | None:
    """Share in percent with one decimal; hidden when either count is hidden or whole is 0."""
    if part.value is None or whole.value is None or whole.value == 0:
        return None
    return rounded(Decimal(100 * part.value) / Decimal(whole.value), 1)


def _spread(values: list[Decimal], n: Count, threshold: int, *, step: Decimal) -> Spread:
    """Quartiles only for n >= `threshold` (10 or more under disclosure control), rounded to
    `step`: with fewer values a quartile is close to one person's own amount."""
    if n.value is None or n.value < threshold or not values:
        return Spread(n, None, None, None, step)
    ordered = sorted(values)
    q1, median, q3 = (rounded_to(quantile(ordered, f), step) for f in _QUARTILES)
    return Spread(n, median=median, q1=q1, q3=q3, step=step)


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
    return _grouped(counter, threshold, codes.NO_ANSWER, limit=codes.MAX_COUNTRIES)


def _grouped(
    counter: Counter[str], threshold: int, last: str, *, limit: int | None = None
) -> list[tuple[str, int]]:
    """Codes with at least `threshold` by name (largest first, at most `limit`); the rest as
    "others"; then the `last` row (no answer, no campaign), always shown."""
    named = [(code, n) for code, n in _by_count(counter) if code != last and n >= threshold][:limit]
    named_codes = {code for code, _ in named}
    others = sum(n for code, n in counter.items() if code not in named_codes and code != last)
    rows = list(named)
    if others:
        rows.append((codes.OTHERS, others))
    rows.append((last, counter[last]))
    return rows


class ReportOptionError(ValueError):
    """A report option given by staff is invalid (the message is one sentence in English)."""


def publish(
    raw: Tally,
    *,
    period: Period,
    lang: str,
    min_cell: int,
    earlier: Sequence[EarlierRelease] = (),
) -> Report:
    """Apply disclosure control to `raw` and return only what may be shown.

    `earlier`: the earlier releases of this period (release ledger); `ReissueRefused` when
    too few testimonies changed since one of them.
    """
    return publish_with_view(raw, period=period, lang=lang, min_cell=min_cell, earlier=earlier)[0]


def publish_with_view(
    raw: Tally,
    *,
    period: Period,
    lang: str,
    min_cell: int,
    earlier: Sequence[EarlierRelease] = (),
) -> tuple[Report, ReaderView]:
    """`publish`, and what a reader knows of this release (for the release ledger).

    `min_cell` is k of the disclosure control (1 turns it off); `ReportOptionError` when it
    or `lang` is out of range.
    """
    if lang not in SUPPORTED_LOCALES:
        raise ReportOptionError(
            f"The report language must be one of {', '.join(SUPPORTED_LOCALES)}."
        )
    if min_cell < 1:
        raise ReportOptionError("The minimum cell size must be 1 or more.")
    layout = ReportLayout(raw, min_cell)
    decision = protect(layout.system, min_cell, earlier)
    view = reader_view(layout.system, decision, min_cell)
    return _report(layout, decision, raw, period=period, lang=lang, min_cell=min_cell), view


def _report(
    layout: ReportLayout,
    decision: dict[str, Suppression],
    raw: Tally,
    *,
    period: Period,
    lang: str,
    min_cell: int,
) -> Report:
    view = _View(layout.system.values, decision)
    spread_min = max(min_cell, QUANTILE_MIN_N) if min_cell > 1 else 1
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
            spread=_spread(
                raw.retention, view.count("retention.n"), spread_min, step=RETENTION_STEP
            ),
            review=view.count("retention.review"),
        ),
        payments=HostPayments(
            currency=codes.PAYMENT_CURRENCY,
            spread=_spread(raw.payments, view.count("payments.n"), spread_min, step=PAYMENT_STEP),
            other_currencies=view.count("payments.other"),
        ),
        health=tuple(view.figure(f) for f in layout.health),
        ambulance=view.table("ambulance", layout.ambulance, "ambulance.n"),
        versions=tuple(
            VersionRow(qid, version, digest[:HASH_PREFIX_LENGTH], view.count(f"versions.{i}"))
            for i, ((qid, version, digest), _) in enumerate(layout.versions)
        ),
        versions_total=view.count("n_all"),
        sources=view.table("sources", layout.sources, "n_total"),
        field_reports=view.count("n_field"),
        field_health=tuple(view.figure(f) for f in layout.field_health),
        field_ilo=tuple(view.figure(f) for f in layout.field_ilo),
        field_counts=tuple(
            _field_count(view, raw, question_id, min_cell) for question_id in codes.FIELD_COUNTS
        ),
    )


def _field_count(view: _View, raw: Tally, question_id: str, min_cell: int) -> FieldCount:
    """An investigators' count: its sum only over at least k reports that gave a number."""
    reports = view.count(f"field_counts.{question_id}.reports")
    numbers = raw.field_reports.counts.get(question_id, [])
    shown = reports.value is not None and reports.value >= min_cell and bool(numbers)
    return FieldCount(
        question_id=question_id,
        reports=reports,
        unknown=view.count(f"field_counts.{question_id}.unknown"),
        total=sum(numbers) if shown else None,
    )
