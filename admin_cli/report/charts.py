"""Charts of the report drawn with matplotlib from published figures only, as SVG data URIs."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as Canvas

from admin_cli.report.formatting import HIDDEN_PERCENT, Formatter
from admin_cli.report.model import FigureRow, Report, Spread

# No window system and no fonts from outside: text becomes SVG paths of the bundled DejaVu font.
_STYLE: dict[Any, Any] = {
    "svg.fonttype": "path",
    "svg.hashsalt": "oclep-report",
    "text.parse_math": False,
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_BAR = "#2f6690"
_MUTED = "#8a8a8a"


@dataclass(frozen=True, slots=True)
class Chart:
    """One rendered chart: its title, a text alternative and an SVG `data:` URI."""

    chart_id: str
    title: str
    alt: str
    data_uri: str


def report_charts(report: Report, fmt: Formatter) -> list[Chart]:
    """Every chart the report's figures allow; the wage chart only when its spread is published."""
    # Fonts and sizes are fixed when artists are created, so the style wraps the drawing.
    with matplotlib.rc_context(_STYLE):
        charts = [
            _share_chart("ilo", report.ilo, fmt),
            _ilo_total_chart(report, fmt),
            _share_chart("health", report.health, fmt),
        ]
        if report.retention.spread.published:
            charts.insert(2, _retention_chart(report.retention.spread, fmt))
    return charts


def _share_chart(chart_id: str, rows: Sequence[FigureRow], fmt: Formatter) -> Chart:
    labels = [fmt.figure_label(row.figure_id) for row in rows]
    height = 0.42 * len(rows) + 1.2
    canvas = Canvas(figsize=(8.5, height))
    # Fixed margins instead of tight_layout: one drawing pass instead of two.
    canvas.subplots_adjust(left=0.47, right=0.97, top=1 - 0.15 / height, bottom=0.75 / height)
    axes = canvas.add_subplot()
    positions = list(range(len(rows)))[::-1]
    hidden_marks: set[str] = set()
    for position, row in zip(positions, rows, strict=True):
        if row.present.suppressed or row.answered.suppressed:
            # A hatched stub of fixed width, never the hidden value's height.
            mark = fmt.count(row.present if row.present.suppressed else row.answered)
            hidden_marks.add(mark)
            axes.barh(position, 2, color="none", edgecolor=_MUTED, hatch="///", linewidth=0.6)
            axes.text(3, position, mark, va="center", color=_MUTED, style="italic")
        elif row.percent is None:  # nobody answered
            axes.text(1, position, HIDDEN_PERCENT, va="center", color=_MUTED)
        else:
            value = float(row.percent)
            axes.barh(position, value, color=_BAR)
            axes.text(value + 1, position, fmt.percent(row.percent), va="center")
    axes.set_yticks(positions, labels)
    axes.set_xlim(0, 112)
    axes.set_xlabel(fmt.text("chart.axis.percent"))
    _note_hidden(canvas, hidden_marks, fmt)
    return Chart(
        chart_id,
        fmt.text(f"chart.{chart_id}"),
        _alt(
            fmt.text(f"chart.{chart_id}"),
            [f"{label}: {_share_text(row, fmt)}" for label, row in zip(labels, rows, strict=True)],
        ),
        _data_uri(canvas),
    )


def _ilo_total_chart(report: Report, fmt: Formatter) -> Chart:
    canvas = Canvas(figsize=(7.5, 3.2))
    canvas.subplots_adjust(left=0.09, right=0.98, top=0.95, bottom=0.22)
    axes = canvas.add_subplot()
    hidden_marks: set[str] = set()
    tallest = max((row.count.value or 0 for row in report.ilo_total.rows), default=0)
    for row in report.ilo_total.rows:
        position = int(row.code)
        if row.count.value is None:
            mark = fmt.count(row.count)
            hidden_marks.add(mark)
            axes.text(position, 0, mark, ha="center", va="bottom", color=_MUTED, style="italic")
        else:
            axes.bar(position, row.count.value, color=_BAR, width=0.8)
    axes.set_xticks([int(row.code) for row in report.ilo_total.rows])
    axes.set_ylim(0, max(tallest, 1) * 1.15)
    axes.set_xlabel(fmt.text("chart.axis.indicators"))
    axes.set_ylabel(fmt.text("chart.axis.people"))
    _note_hidden(canvas, hidden_marks, fmt)
    title = fmt.text("chart.ilo_total")
    return Chart(
        "ilo_total",
        title,
        _alt(title, [f"{row.code}: {fmt.count(row.count)}" for row in report.ilo_total.rows]),
        _data_uri(canvas),
    )


def _retention_chart(spread: Spread, fmt: Formatter) -> Chart:
    """A box plot drawn from the published order statistics: no individual value is plotted."""
    assert spread.median is not None and spread.q1 is not None and spread.q3 is not None
    canvas = Canvas(figsize=(7.5, 1.8))
    canvas.subplots_adjust(left=0.04, right=0.98, top=0.92, bottom=0.3)
    axes = canvas.add_subplot()
    stats = {
        "med": float(spread.median),
        "q1": float(spread.q1),
        "q3": float(spread.q3),
        # No whiskers: the extremes are single respondents' values and are never published.
        "whislo": float(spread.q1),
        "whishi": float(spread.q3),
        "fliers": [],
        "label": "",
    }
    axes.bxp([stats], orientation="horizontal", widths=0.5, showfliers=False)
    axes.set_xlim(-2, 102)
    axes.set_yticks([])
    axes.set_xlabel("%")
    title = fmt.text("chart.retention")
    return Chart(
        "retention",
        title,
        _alt(
            title,
            [
                f"{fmt.text('stat.median')}: {fmt.number(spread.median, 0)}",
                f"{fmt.text('stat.quartiles')}: "
                f"{fmt.number(spread.q1, 0)} – {fmt.number(spread.q3, 0)}",
            ],
        ),
        _data_uri(canvas),
    )


def _share_text(row: FigureRow, fmt: Formatter) -> str:
    if row.percent is not None:
        return fmt.percent(row.percent)
    return fmt.count(row.present if row.present.suppressed else row.answered)


def _note_hidden(canvas: Canvas, marks: set[str], fmt: Formatter) -> None:
    if marks:
        note = fmt.text("chart.hidden").format(hidden=", ".join(sorted(marks)))
        canvas.text(0.01, 0.01, note, fontsize=7, color=_MUTED, style="italic")


def _alt(title: str, items: Sequence[str]) -> str:
    return f"{title}. " + "; ".join(items) + "."


def _data_uri(canvas: Canvas) -> str:
    buffer = io.BytesIO()
    FigureCanvasAgg(canvas)  # attaches a non-interactive canvas to this figure only
    canvas.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
