"""The monthly report: aggregation, disclosure control, and HTML, Markdown and JSON renderers."""

from admin_cli.report.build import DEFAULT_MIN_CELL, LANGUAGES, ReportOptionError, build_report
from admin_cli.report.model import Period, PeriodError, Report, ReportRecord, reference_date
from admin_cli.report.render_html import render_html
from admin_cli.report.render_json import render_json
from admin_cli.report.render_md import render_markdown

__all__ = [
    "DEFAULT_MIN_CELL",
    "LANGUAGES",
    "Period",
    "PeriodError",
    "Report",
    "ReportOptionError",
    "ReportRecord",
    "build_report",
    "reference_date",
    "render_html",
    "render_json",
    "render_markdown",
]
