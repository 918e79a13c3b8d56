"""The report as one self-contained HTML file: inline CSS, charts as data URIs, no fetches."""

from __future__ import annotations

from html import escape

from admin_cli.report.charts import Chart, report_charts
from admin_cli.report.document import Document, Section, Table, build_document
from admin_cli.report.formatting import Formatter
from admin_cli.report.model import Report
from admin_cli.report.wording import ReportWording

# Only system fonts: nothing is loaded from the network.
_CSS = """
:root { color-scheme: light; --ink: #1d2a35; --muted: #5b6770; --rule: #d5dbe0; --accent: #2f6690; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 60rem; padding: 2rem 1.25rem 4rem; color: var(--ink);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 2rem; }
h1 { font-size: 1.8rem; margin: 0 0 .25rem; }
h2 { font-size: 1.3rem; margin: 2.5rem 0 .75rem; border-bottom: 1px solid var(--rule); }
.subtitle, .period { color: var(--muted); margin: .25rem 0; }
.period { margin-bottom: 1rem; font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0 1.5rem; font-size: .95rem; }
caption { text-align: left; font-weight: 600; padding-bottom: .4rem; }
th, td { padding: .35rem .6rem; border-bottom: 1px solid var(--rule); text-align: left;
  vertical-align: top; }
th.n, td.n { text-align: right; }
td.n { font-variant-numeric: tabular-nums; white-space: nowrap; }
thead th { border-bottom: 2px solid var(--ink); }
tfoot td, tfoot th { font-weight: 600; border-top: 2px solid var(--ink); }
figure { margin: 1rem 0 2rem; }
figure img { max-width: 100%; height: auto; }
figcaption, .note { color: var(--muted); font-size: .9rem; }
.warning { border-left: 4px solid #b3261e; padding: .5rem 1rem; background: #fcefee; }
.banner { border: 2px solid #b3261e; color: #b3261e; font-weight: 700; padding: .4rem .8rem; }
@media print { body { max-width: none; } h2 { break-after: avoid; } table { break-inside: avoid; } }
/* A provisional report says so on every printed page: the banner repeats at the top. */
@media print { .banner { position: fixed; top: 0; left: 0; right: 0; background: #fff; }
  body.provisional { padding-top: 3rem; } }
"""


def render_html(
    report: Report, lang: str | None = None, wording: ReportWording | None = None
) -> str:
    """The whole report as one HTML document in `lang` (default: the report's language)."""
    fmt = Formatter(lang or report.lang, report.min_cell, wording)
    document = build_document(report, fmt)
    charts = {chart.chart_id: chart for chart in report_charts(report, fmt)}
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(fmt.lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # Nothing in this file may reach the network, and scripts never run.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'\">",
        '<meta name="referrer" content="no-referrer">',
        f"<title>{escape(document.banner + ' ') if document.banner else ''}"
        f"{escape(document.title)} · {escape(document.period)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        '<body class="provisional">' if document.banner else "<body>",
        _header(document),
        "<main>",
        *(_section(section, charts, report) for section in document.sections),
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _header(document: Document) -> str:
    banner = f'<p class="banner">{escape(document.banner)}</p>' if document.banner else ""
    return (
        "<header>"
        f"{banner}"
        f"<h1>{escape(document.title)}</h1>"
        f'<p class="subtitle">{escape(document.subtitle)}</p>'
        f'<p class="period">{escape(document.period)}</p>'
        "</header>"
    )


def _section(section: Section, charts: dict[str, Chart], report: Report) -> str:
    html = [f'<section id="{escape(section.section_id)}">', f"<h2>{escape(section.title)}</h2>"]
    warn = section.section_id == "disclosure" and not report.disclosure_control
    for paragraph in section.paragraphs:
        css = ' class="warning"' if warn else ""
        html.append(f"<p{css}>{escape(paragraph)}</p>")
    html += [_table(table) for table in section.tables]
    chart = charts.get(section.chart or "")
    if chart is not None:
        html.append(
            "<figure>"
            f'<img src="{escape(chart.data_uri)}" alt="{escape(chart.alt)}">'
            f"<figcaption>{escape(chart.title)}</figcaption>"
            "</figure>"
        )
    html += [f'<p class="note">{escape(note)}</p>' for note in section.notes]
    html.append("</section>")
    return "\n".join(html)


def _table(table: Table) -> str:
    # Every column after the first holds numbers (right-aligned): its header goes with it.
    label, *numbers = table.header
    head = f'<th scope="col">{escape(label)}</th>' + "".join(
        f'<th scope="col" class="n">{escape(cell)}</th>' for cell in numbers
    )
    split = len(table.rows) - table.footer_rows
    body = "".join(_row(row) for row in table.rows[:split])
    foot = "".join(_row(row) for row in table.rows[split:])
    return (
        f"<table><caption>{escape(table.caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
        + (f"<tfoot>{foot}</tfoot>" if foot else "")
        + "</table>"
    )


def _row(row: tuple[str, ...]) -> str:
    label, *numbers = row
    cells = "".join(f'<td class="n">{escape(cell)}</td>' for cell in numbers)
    return f'<tr><th scope="row">{escape(label)}</th>{cells}</tr>'
