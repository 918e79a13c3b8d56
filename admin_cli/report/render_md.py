"""The report as Markdown: the same sections and tables as the HTML, without the charts."""

from __future__ import annotations

import re

from admin_cli.report.document import Section, Table, build_document
from admin_cli.report.formatting import Formatter
from admin_cli.report.model import Report
from admin_cli.report.wording import ReportWording

# Characters that can start markup inside a line or a table cell; "<" and "&" are handled apart
# so that displays such as "<5" and "–" stay plain.
_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")


def render_markdown(
    report: Report, lang: str | None = None, wording: ReportWording | None = None
) -> str:
    """The whole report as CommonMark with pipe tables (GitHub flavour)."""
    fmt = Formatter(lang or report.lang, report.min_cell, wording)
    document = build_document(report, fmt)
    lines = [f"# {_escape(document.title)}", ""]
    if document.banner:
        lines += [f"> **{_escape(document.banner)}**", ""]
    lines += [f"{_escape(document.subtitle)}", ""]
    lines += [f"**{_escape(document.period)}**", ""]
    for section in document.sections:
        lines += _section(section)
        if document.banner:  # a section printed or quoted alone still says so
            lines += [f"*{_escape(document.banner)}*", ""]
    return "\n".join(lines).rstrip() + "\n"


def _section(section: Section) -> list[str]:
    lines = [f"## {_escape(section.title)}", ""]
    for paragraph in section.paragraphs:
        lines += [_escape(paragraph), ""]
    for table in section.tables:
        lines += _table(table)
    for note in section.notes:
        lines += [f"*{_escape(note)}*", ""]
    return lines


def _table(table: Table) -> list[str]:
    lines = [f"**{_escape(table.caption)}**", ""]
    lines.append("| " + " | ".join(_escape(cell) for cell in table.header) + " |")
    # The delimiter row aligns a whole column, header included: numbers (every column after
    # the label) to the right.
    lines.append("|" + "|".join([" --- "] + [" ---: "] * (len(table.header) - 1)) + "|")
    split = len(table.rows) - table.footer_rows
    for index, row in enumerate(table.rows):
        cells = [_escape(cell) for cell in row]
        if index >= split and cells[0]:
            cells[0] = f"**{cells[0]}**"
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def _escape(text: str) -> str:
    """Data such as campaign names may hold anything: markup is escaped, lines are joined."""
    text = " ".join(text.split())
    text = _SPECIAL.sub(r"\\\1", text)
    # "<" only starts markup before a letter, "/", "!" or "?", and "&" only an entity.
    text = re.sub(r"<(?=[A-Za-z/!?])", r"\\<", text)
    return re.sub(r"&(?=[A-Za-z#])", r"\\&", text)
