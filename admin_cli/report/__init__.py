"""The monthly report: aggregation, disclosure control, and HTML, Markdown and JSON renderers.

Records are tallied one at a time (`figures.Tally`), then `publish.publish` applies the
disclosure control and returns the `Report` the renderers write.
"""

from admin_cli.report.model import Period, PeriodError, Report, ReportRecord, reference_date
from admin_cli.report.publish import DEFAULT_MIN_CELL, ReportOptionError, publish
from admin_cli.report.render_html import render_html
from admin_cli.report.render_json import render_json
from admin_cli.report.render_md import render_markdown

__all__ = [
    "DEFAULT_MIN_CELL",
    "Period",
    "PeriodError",
    "Report",
    "ReportOptionError",
    "ReportRecord",
    "publish",
    "reference_date",
    "render_html",
    "render_json",
    "render_markdown",
]
