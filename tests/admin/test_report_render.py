"""The HTML, Markdown and JSON renderings: self-contained, escaped, complete, and chart-safe."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from admin_cli.report.charts import Chart, report_charts
from admin_cli.report.formatting import Formatter
from admin_cli.report.model import Period, Report
from admin_cli.report.render_html import render_html
from admin_cli.report.render_json import render_json
from admin_cli.report.render_md import render_markdown
from tests.admin.report_synthetic import build_report, make_records

MARCH = Period.of_month("2025-03")
HOSTILE = 'Salud <b>2025</b> & "otros"'


@pytest.fixture(scope="module")
def report() -> Report:
    return build_report(make_records(seed=21, n=150), period=MARCH, min_cell=5)


@pytest.fixture(scope="module")
def html(report: Report) -> str:
    return render_html(report)


@pytest.fixture(scope="module")
def charts(report: Report) -> dict[str, Chart]:
    return {c.chart_id: c for c in report_charts(report, Formatter("es", report.min_cell))}


class Elements(HTMLParser):
    """Collects start tags with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(html)
    return parser.tags


def test_html_is_self_contained(html: str) -> None:
    assert "http://" not in html and "https://" not in html
    tags = elements(html)
    assert not [t for t, _ in tags if t in {"script", "link", "iframe", "object", "embed"}]
    for _, attrs in tags:
        for name in ("src", "href"):
            value = attrs.get(name)
            assert value is None or value.startswith("data:image/svg+xml;base64,")
    assert "@import" not in html and "url(" not in html


def test_html_charts_are_embedded_with_alt_text(html: str) -> None:
    images = [attrs for tag, attrs in elements(html) if tag == "img"]
    assert len(images) == 4  # indicators, ilo_total, wage retention, health
    for attrs in images:
        assert (attrs.get("alt") or "").strip()
        svg = base64.b64decode((attrs["src"] or "").split(",", 1)[1]).decode()
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg
        # No fonts or images are referenced from inside the SVG either.
        assert 'xlink:href="http' not in svg and "@font-face" not in svg


def test_html_structure_and_notes(html: str) -> None:
    tags = elements(html)
    assert ("html", {"lang": "es"}) in tags
    assert sum(1 for tag, _ in tags if tag == "caption") == sum(
        1 for tag, _ in tags if tag == "table"
    )
    for phrase in (
        "autoseleccionados",  # self-selected testimonies, not prevalence
        "no una puntuación",  # ILO indicators are clues, not a score
        "involuntario y bajo coacción",  # the ICLS rule
        "coherentes con",  # "reported elements consistent with ..."
        "Versiones del cuestionario incluidas",
        "Control de divulgación",
        "aaaaaaaaaaaa",  # the hash prefix of a questionnaire version
    ):
        assert phrase in html, phrase


def test_english_rendering(report: Report) -> None:
    markdown = render_markdown(replace(report, lang="en"))
    assert "self-selected" in markdown and "**March 2025**" in markdown
    assert re.search(r"\| \d+\.\d%", markdown)  # English percentages: "12.5%"
    assert "Abuse of vulnerability" in markdown
    english = json.loads(render_json(report, "en"))
    assert english["lang"] == "en" and english["period"]["label"] == "March 2025"


def test_campaign_names_are_escaped(report: Report, html: str) -> None:
    assert HOSTILE not in html
    assert "Salud &lt;b&gt;2025&lt;/b&gt; &amp; &quot;otros&quot;" in html
    markdown = render_markdown(report)
    assert not re.search(r"(?<!\\)<b>", markdown) and "Salud \\<b>2025\\</b>" in markdown
    labels = [row["label"] for row in json.loads(render_json(report))["tables"]["campaign"]["rows"]]
    assert HOSTILE in labels  # JSON keeps the data; json.dumps escapes it for its own syntax


def test_markdown_has_the_same_tables_as_html(report: Report, html: str) -> None:
    markdown = render_markdown(report)
    captions = re.findall(r"<caption>([^<]*)</caption>", html)
    for caption in captions:
        assert f"**{caption}**" in markdown.replace("\\(", "(").replace("\\)", ")")
    assert "data:image" not in markdown
    assert markdown.count("\n| ") >= html.count("<tr>")


def column_alignments(table_html: str) -> list[list[str | None]]:
    """Per row of one HTML table, the class of each cell ("n": right-aligned number)."""
    rows: list[list[str | None]] = []
    for tag, attrs in elements(table_html):
        if tag == "tr":
            rows.append([])
        elif tag in ("th", "td"):
            rows[-1].append(attrs.get("class"))
    return rows


def test_numeric_headers_align_with_their_columns(report: Report, html: str) -> None:
    tables = html.split("<table>")[1:]
    assert len(tables) >= 10
    right = 0
    for table in tables:
        header, *rows = column_alignments(table.split("</table>")[0])
        assert header[0] is None and set(header[1:]) == {"n"}
        assert rows and all(row == header for row in rows)
        right += len(header) - 1
    # Markdown aligns a column, header included, in its delimiter row: "---:" for numbers.
    markdown = render_markdown(report)
    delimiters = re.findall(r"^\|(?: -{3}:? \|)+$", markdown, re.M)
    assert len(delimiters) == len(tables)
    for delimiter in delimiters:
        cells = delimiter.strip("|").split("|")
        assert cells[0] == " --- " and set(cells[1:]) == {" ---: "}
    assert sum(delimiter.count("---:") for delimiter in delimiters) == right


def test_json_shape(report: Report) -> None:
    data = json.loads(render_json(report))
    assert data["schema"] == "oclep-monthly-report/3"
    assert data["disclosure"] == {"min_cell": 5, "min_base": 10, "quantile_min_n": 10}
    assert set(data["tables"]) == {
        "status",
        "rol",
        "campaign",
        "sector",
        "pais",
        "ilo_total",
        "ambulancia",
        "mode",  # the sources: testimonies given by the person, interviews
    }
    assert set(data["field_reports"]) == {"n", "figures", "counts"}
    assert set(data["distributions"]) == {"retencion_salarial_pct", "pago_estado_mes"}
    assert data["min_cell"] == 5 and data["disclosure_control"] is True
    assert data["period"] == {
        "start": "2025-03-01",
        "end": "2025-03-31",
        "month": "2025-03",
        "label": "marzo de 2025",
    }
    assert data["figures"]["ilo"][0]["id"] == "ilo_abuso_vulnerabilidad"
    assert len(data["figures"]["ilo"]) == 11
    versions = data["questionnaire_versions"]
    assert {(v["questionnaire_id"], v["version"]) for v in versions["rows"]} == {
        ("testimonio", 1),
        ("testimonio", 2),
    }
    assert versions["total"] == 150
    hidden = [
        row["count"]
        for table in data["tables"].values()
        for row in table["rows"]
        if isinstance(row["count"], dict)
    ]
    assert hidden and all(cell["suppressed"] is True for cell in hidden)
    assert {cell["display"] for cell in hidden} <= {"<5", "x", "n/p"}
    assert set().union(*(cell.keys() for cell in hidden)) <= {"suppressed", "display", "withheld"}


BAR = re.compile(
    r'<path d="M ([\d.]+) ([\d.]+)\s+L ([\d.]+) ([\d.]+)\s+L ([\d.]+) ([\d.]+)\s+'
    r'L [\d.]+ [\d.]+\s+z\s*"[^>]*style="fill: #2f6690"'
)


def bar_sizes(data_uri: str) -> list[tuple[float, float]]:
    """(width, height) of every bar painted with the bar colour in an SVG chart."""
    svg = base64.b64decode(data_uri.split(",", 1)[1]).decode()
    return [
        (abs(float(x3) - float(x1)), abs(float(y3) - float(y1)))
        for x1, y1, _, _, x3, y3 in BAR.findall(svg)
    ]


def test_hidden_counts_are_not_drawn(report: Report, charts: dict[str, Chart]) -> None:
    distribution = report.ilo_total.rows
    heights = sorted(h for _, h in bar_sizes(charts["ilo_total"].data_uri) if h > 0)
    published = sorted(row.count.value for row in distribution if row.count.value)
    assert len(heights) == len(published)
    # Heights are proportional to the published counts.
    scale = heights[-1] / published[-1]
    assert [round(h / scale) for h in heights] == published
    widths = [w for w, _ in bar_sizes(charts["health"].data_uri) if w > 0]
    assert len(widths) == sum(1 for row in report.health if row.percent)
    # A month too small for the distribution: it is not published, and no bar is drawn.
    small = build_report(make_records(seed=2, n=8), period=MARCH)
    assert all(row.count.suppression == "withheld" for row in small.ilo_total.rows)
    small_charts = {c.chart_id: c for c in report_charts(small, Formatter("es", 5))}
    if "ilo_total" in small_charts:
        assert not [h for _, h in bar_sizes(small_charts["ilo_total"].data_uri) if h > 0]


def test_charts_are_reproducible(report: Report, charts: dict[str, Chart], html: str) -> None:
    again = report_charts(report, Formatter("es", report.min_cell))
    assert [c.data_uri for c in again] == [c.data_uri for c in charts.values()]
    for chart in again:
        assert chart.data_uri in html


def test_empty_month_renders() -> None:
    empty = build_report([], period=MARCH, lang="en")
    html = render_html(empty)
    assert '<html lang="en">' in html
    assert "There are no testimonies in this period." in html
    assert json.loads(render_json(empty))["tables"]["status"]["total"] == 0
    assert "There are no testimonies" in render_markdown(empty)
