"""The report laid out as sections of formatted text and tables, shared by HTML and Markdown."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from admin_cli.report import codes
from admin_cli.report.disclosure import min_base
from admin_cli.report.formatting import Formatter
from admin_cli.report.model import FigureRow, FrequencyTable, Report, Spread
from admin_cli.report.publish import QUANTILE_MIN_N


@dataclass(frozen=True, slots=True)
class Table:
    """A table of plain strings; renderers escape them. The last `footer_rows` rows are totals."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    footer_rows: int = 0


@dataclass(slots=True)
class Section:
    """A titled part of the report; `chart` names the chart drawn after its tables, if any."""

    section_id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    chart: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    title: str
    subtitle: str
    period: str
    sections: tuple[Section, ...]
    # Shown at the top of every page when set (a provisional report says so everywhere).
    banner: str | None = None


def build_document(report: Report, fmt: Formatter) -> Document:
    """Every figure of `report` as text in the formatter's language."""
    t = fmt.text
    sources = Section("sources", t("section.sources"))
    sources.tables.append(_sources(report, fmt))
    sources.notes.append(t("note.sources"))
    summary = Section("summary", t("section.summary"))
    summary.tables += [
        _frequency(report.status, t("table.status"), fmt),
        _frequency(report.roles, t("table.roles"), fmt),
        _frequency(report.campaigns, t("table.campaigns"), fmt),
        _frequency(report.sectors, t("table.sectors"), fmt),
        _frequency(report.countries, t("table.countries"), fmt),
    ]
    ilo = Section("ilo", t("section.ilo"), chart="ilo")
    ilo.tables.append(_figures(report.ilo, t("table.ilo"), fmt))
    if report.field_reports.value != 0:
        ilo.tables.append(_field_figures(report.field_ilo, t("table.field_ilo"), fmt))
    ilo.notes.append(t("note.percent"))
    ilo_total = Section("ilo_total", t("section.ilo_total"), chart="ilo_total")
    ilo_total.paragraphs.append(t("note.ilo_total"))
    ilo_total.tables.append(
        _frequency(report.ilo_total, t("table.ilo_total"), fmt, first=t("col.indicators"))
    )
    frameworks = Section("frameworks", t("section.frameworks"))
    frameworks.tables.append(_figures(report.frameworks, t("table.frameworks"), fmt))
    frameworks.notes.append(t("note.frameworks"))
    wages = Section("wages", t("section.wages"), chart="retention")
    wages.tables.append(
        _spread(
            report.retention.spread,
            t("table.retention"),
            fmt,
            lambda v: fmt.number(v, 0),
            extra=[(t("stat.review"), fmt.count(report.retention.review))],
        )
    )
    wages.tables.append(
        _spread(
            report.payments.spread,
            t("table.payments"),
            fmt,
            lambda v: fmt.money(v, report.payments.currency),
            extra=[(t("stat.other_currencies"), fmt.count(report.payments.other_currencies))],
        )
    )
    wages.notes += _spread_notes(report, fmt)
    health = Section("health", t("section.health"), chart="health")
    health.tables.append(_figures(report.health, t("table.health"), fmt))
    health.notes.append(t("note.percent"))
    if report.field_reports.value != 0:
        # The investigators' findings and counts: their own labelled tables, never merged.
        health.tables.append(_field_figures(report.field_health, t("table.field_health"), fmt))
        health.tables.append(_field_counts(report, fmt))
        health.notes.append(t("note.field_counts").format(k=report.min_cell))
    ambulance = Section("ambulance", t("section.ambulance"))
    ambulance.tables.append(_frequency(report.ambulance, t("table.ambulance"), fmt))
    methodology = Section("methodology", t("section.methodology"))
    methodology.paragraphs += [t(f"methodology.{i}") for i in range(1, 5)]
    disclosure = Section("disclosure", t("section.disclosure"))
    disclosure.paragraphs.append(_disclosure_note(report, fmt))
    versions = Section("versions", t("section.versions"))
    versions.paragraphs.append(t("versions.note"))
    versions.tables.append(_versions(report, fmt))
    banner = None
    if report.stamp is not None and report.stamp.release is None:
        banner = t("banner.working_copy")
    if report.stamp is not None:
        versions.paragraphs.append(t("stamp.audit").format(anchor=report.stamp.audit_anchor))
        if report.stamp.release is not None:
            versions.paragraphs.append(
                t(f"stamp.{report.stamp.release}").format(number=report.stamp.release_number)
            )
        if report.stamp.release == "provisional":
            banner = t("banner.provisional")
    sections = [sources, summary]
    if report.status.total.value == 0 and report.field_reports.value == 0:
        summary.paragraphs.append(t("empty"))
    elif report.status.total.value == 0:
        summary.paragraphs.append(t("empty"))
        sections += [ilo, health]
    else:
        sections += [ilo, ilo_total, frameworks, wages, health, ambulance]
    sections += [methodology, disclosure, versions]
    return Document(t("title"), t("subtitle"), fmt.period(report.period), tuple(sections), banner)


def _frequency(
    table: FrequencyTable, caption: str, fmt: Formatter, *, first: str | None = None
) -> Table:
    def line(label: str, count: str, percent: str) -> tuple[str, ...]:
        return (label, count, percent)

    rows = [
        line(
            fmt.row_label(table.table_id, row.code), fmt.count(row.count), fmt.percent(row.percent)
        )
        for row in table.rows
    ]
    footer = [
        line(
            fmt.row_label(table.table_id, row.code), fmt.count(row.count), fmt.percent(row.percent)
        )
        for row in table.subtotals
    ]
    footer.append(line(fmt.text("row.total"), fmt.count(table.total), ""))
    return Table(
        caption,
        (first or fmt.text("col.category"), fmt.text("col.count"), fmt.text("col.percent")),
        tuple(rows + footer),
        footer_rows=len(footer),
    )


def _figures(rows: Sequence[FigureRow], caption: str, fmt: Formatter) -> Table:
    """A figure of the testimonies per row, with its base by source (docs/methodology §12)."""
    return Table(
        caption,
        (
            fmt.text("col.figure"),
            fmt.text("col.present"),
            fmt.text("col.absent"),
            fmt.text("col.answered"),
            fmt.text("col.percent_answered"),
            *(fmt.text(f"col.base_{mode}") for mode in codes.MODES),
        ),
        tuple(
            (
                fmt.figure_label(row.figure_id),
                fmt.count(row.present),
                fmt.count(row.absent),
                fmt.count(row.answered),
                fmt.percent(row.percent),
                *(fmt.count(count) for count in row.base_by_source),
            )
            for row in rows
        ),
    )


def _field_figures(rows: Sequence[FigureRow], caption: str, fmt: Formatter) -> Table:
    """A finding of the field reports per row, over the reports it applies to."""
    return Table(
        caption,
        (
            fmt.text("col.figure"),
            fmt.text("col.reported_in"),
            fmt.text("col.absent"),
            fmt.text("col.percent_reports"),
            fmt.text("col.reports_base"),
        ),
        tuple(
            (
                fmt.figure_label(row.figure_id),
                fmt.count(row.present),
                fmt.count(row.absent),
                fmt.percent(row.percent),
                fmt.count(row.base),
            )
            for row in rows
        ),
    )


def _field_counts(report: Report, fmt: Formatter) -> Table:
    return Table(
        fmt.text("table.field_counts"),
        (
            fmt.text("col.counted"),
            fmt.text("col.reports_with_number"),
            fmt.text("col.reports_without_number"),
            fmt.text("col.sum"),
        ),
        tuple(
            (
                fmt.text(f"count.{row.question_id}"),
                fmt.count(row.reports),
                fmt.count(row.unknown),
                "—" if row.total is None else fmt.number(Decimal(row.total), 0),
            )
            for row in report.field_counts
        ),
    )


def _sources(report: Report, fmt: Formatter) -> Table:
    """Testimonies by source, their total, the field reports apart, and every submission."""
    t = fmt.text
    rows: list[tuple[str, ...]] = []
    if report.sources is not None:
        rows += [
            (fmt.row_label("sources", row.code), fmt.count(row.count))
            for row in report.sources.rows
        ]
    rows.append((t("row.testimonies"), fmt.count(report.status.total)))
    rows.append((t("row.field_reports"), fmt.count(report.field_reports)))
    rows.append((t("row.all"), fmt.count(report.versions_total)))
    return Table(t("table.sources"), (t("col.category"), t("col.count")), tuple(rows), 3)


def _spread(
    spread: Spread,
    caption: str,
    fmt: Formatter,
    show: Callable[[Decimal | None], str],
    *,
    extra: Sequence[tuple[str, str]],
) -> Table:
    rows: list[tuple[str, str]] = [(fmt.text("stat.n"), fmt.count(spread.n))]
    if spread.published:
        rows += [
            (fmt.text("stat.median"), show(spread.median)),
            (fmt.text("stat.quartiles"), f"{show(spread.q1)} – {show(spread.q3)}"),
        ]
    rows += extra
    return Table(caption, (fmt.text("col.statistic"), fmt.text("col.value")), tuple(rows))


def _spread_notes(report: Report, fmt: Formatter) -> list[str]:
    notes = []
    for caption, spread in (
        (fmt.text("table.retention"), report.retention.spread),
        (fmt.text("table.payments"), report.payments.spread),
    ):
        if not spread.published:
            hidden = spread.n.value is None or spread.n.value > 0
            why = (
                fmt.text("stat.hidden").format(k=max(report.min_cell, QUANTILE_MIN_N))
                if hidden
                else fmt.text("stat.none")
            )
            notes.append(f"{caption}: {why}")
    return notes


def _disclosure_note(report: Report, fmt: Formatter) -> str:
    if not report.disclosure_control:
        return fmt.text("disclosure.off")
    return fmt.text("disclosure.on").format(
        k=report.min_cell, km1=report.min_cell - 1, base=min_base(report.min_cell)
    )


def _versions(report: Report, fmt: Formatter) -> Table:
    rows = [
        (row.questionnaire_id, str(row.version), row.hash_prefix, fmt.count(row.count))
        for row in report.versions
    ]
    rows.append((fmt.text("row.total"), "", "", fmt.count(report.versions_total)))
    return Table(
        fmt.text("table.versions"),
        (
            fmt.text("col.questionnaire"),
            fmt.text("col.version"),
            fmt.text("col.hash"),
            fmt.text("col.count"),
        ),
        tuple(rows),
        footer_rows=1,
    )
