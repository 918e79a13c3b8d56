"""The bodies of the site's pages, in one language, from the published months only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from html import escape
from typing import Any

from admin_cli.report import codes
from admin_cli.report.formatting import Formatter
from admin_cli.report.model import Period
from admin_cli.report.wording import shipped_wording
from admin_cli.site import texts as t
from admin_cli.site.layout import paragraphs, table, wrap
from admin_cli.site.opendata import DataTable, count_value, table_id
from admin_cli.site.quotes import PublishedQuote
from admin_cli.site.source import PublishedMonth
from admin_cli.site.svg import line_chart
from admin_cli.site.texts import Texts
from admin_cli.site.trends import (
    Series,
    percent_series,
    retention_series,
    source_series,
    table_count,
)


def _shown(cell: Any, fmt: Formatter, tr: Texts) -> str:
    value = count_value(cell)
    if value is not None:
        return _whole(value, fmt)
    display = str(cell["display"])
    return tr(t.STAT_NOT_PUBLISHED) if cell.get("withheld") else display


def _whole(value: int, fmt: Formatter) -> str:
    return fmt.number(Decimal(value), 0)


def _percent(value: Any, fmt: Formatter) -> str:
    return fmt.percent(None if value is None else Decimal(str(value)))


def month_label(month: str, fmt: Formatter) -> str:
    return fmt.period(Period.of_month(month))


def _figure_label(figure: Mapping[str, Any], fmt: Formatter) -> str:
    return fmt.figure_label(figure["id"]) if fmt.lang != "es" else str(figure["label"])


def _row_label(variable: str, row: Mapping[str, Any], fmt: Formatter) -> str:
    return fmt.row_label(table_id(variable), row["code"]) if fmt.lang != "es" else str(row["label"])


def home(months: Sequence[PublishedMonth], tr: Texts) -> str:
    latest = months[-1]
    report = latest.report
    fmt = Formatter(tr.lang, latest.min_cell)
    total = report["tables"]["status"]["total"]
    ilo_total = report["tables"]["ilo_total"]
    many = next((r for r in ilo_total["subtotals"] if r["code"] == codes.MANY_INDICATORS), None)
    mission = table_count(report, "rol", codes.MISSION)
    retention = report["distributions"][codes.RETENTION]
    of = tr(t.HOME_OF)
    rows = [
        [tr(t.HOME_TESTIMONIES), _shown(total, fmt, tr)],
        [
            tr(t.HOME_MISSION),
            f"{'—' if mission is None else _whole(mission, fmt)} {of} {_shown(total, fmt, tr)}",
        ],
    ]
    if many is not None:
        rows.append(
            [
                tr(t.HOME_MANY),
                f"{_shown(many['count'], fmt, tr)} {of} {_shown(ilo_total['total'], fmt, tr)}"
                f" ({_percent(many['percent'], fmt)})",
            ]
        )
    median = retention["median"]
    rows.append(
        [
            tr(t.HOME_RETENTION),
            f"{_percent(median, fmt)} ({tr(t.STAT_N)}: {_shown(retention['n'], fmt, tr)})",
        ]
    )
    label = month_label(latest.period, fmt)
    banner = f'<p class="banner">{escape(tr(t.PROVISIONAL))}</p>' if latest.provisional else ""
    return (
        f"<p>{escape(tr(t.HOME_ABOUT))}</p>\n"
        f"<h2>{escape(tr(t.HOME_LATEST))}: {escape(label)}</h2>\n{banner}\n"
        + table(label, [tr(t.HOME_FIGURE), tr(t.HOME_VALUE)], rows, {1})
        + f'\n<p class="note">{escape(tr(t.HOME_DENOMINATOR))}</p>'
        f'\n<p class="note">{escape(tr(t.HOME_NOT_SAMPLE))}</p>'
        f'\n<p><a href="months/{latest.period}.html">{escape(tr(t.HOME_FULL_MONTH))}: '
        f"{escape(label)}</a></p>"
    )


def months_index(months: Sequence[PublishedMonth], tr: Texts) -> str:
    items = []
    for m in reversed(months):
        fmt = Formatter(tr.lang, m.min_cell)
        kind = tr(t.RELEASE_PROVISIONAL if m.provisional else t.RELEASE_FINAL)
        items.append(
            f'<li><a href="months/{m.period}.html">{escape(month_label(m.period, fmt))}</a> '
            f"({escape(tr(t.RELEASE))} {m.release}, {escape(kind)})</li>"
        )
    return "<ul>\n" + "\n".join(items) + "\n</ul>"


def _frequency(
    variable: str, caption: str, report: Mapping[str, Any], fmt: Formatter, tr: Texts
) -> str:
    data = report["tables"][variable]
    rows = [
        [_row_label(variable, r, fmt), _shown(r["count"], fmt, tr), _percent(r["percent"], fmt)]
        for r in (*data["rows"], *data["subtotals"])
    ]
    rows.append([tr(t.TOTAL), _shown(data["total"], fmt, tr), ""])
    return table(caption, [tr(t.COL_CATEGORY), tr(t.COL_COUNT), tr(t.COL_PERCENT)], rows, {1, 2})


def _figures(group: str, caption: str, report: Mapping[str, Any], fmt: Formatter, tr: Texts) -> str:
    rows = [
        [
            _figure_label(f, fmt),
            _shown(f["present"], fmt, tr),
            _shown(f["answered"], fmt, tr),
            _percent(f["percent_of_answered"], fmt),
        ]
        for f in report["figures"][group]
    ]
    head = [tr(t.COL_FIGURE), tr(t.COL_PRESENT), tr(t.COL_ANSWERED), tr(t.COL_PERCENT_ANSWERED)]
    return table(caption, head, rows, {1, 2, 3})


def _spread(
    caption: str, spread: Mapping[str, Any], fmt: Formatter, tr: Texts, *, money: bool
) -> str:
    def value(v: Any) -> str:
        if v is None:
            return tr(t.STAT_NOT_PUBLISHED)
        return f"{fmt.number(_decimal(v), 0)}{'' if money else ' %'}"

    rows = [
        [tr(t.STAT_N), _shown(spread["n"], fmt, tr)],
        [tr(t.STAT_Q1), value(spread["q1"])],
        [tr(t.STAT_MEDIAN), value(spread["median"])],
        [tr(t.STAT_Q3), value(spread["q3"])],
    ]
    return table(caption, [tr(t.COL_STATISTIC), tr(t.HOME_VALUE)], rows, {1})


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def month_page(m: PublishedMonth, quotes: Sequence[PublishedQuote], tr: Texts) -> str:
    fmt = Formatter(tr.lang, m.min_cell)
    r = m.report
    out = []
    if m.provisional:
        out.append(f'<p class="banner">{escape(tr(t.PROVISIONAL))}</p>')
    kind = tr(t.RELEASE_PROVISIONAL if m.provisional else t.RELEASE_FINAL)
    out.append(f"<p>{escape(tr(t.RELEASE))} {m.release} ({escape(kind)})</p>")
    out.append(f'<p class="note">{escape(tr(t.MIN_CELL).format(k=m.min_cell))}</p>')
    out.append(f"<h2>{escape(tr(t.SECTION_SUMMARY))}</h2>")
    for variable in ("status", "rol", "campaign", "sector", "pais"):
        out.append(_frequency(variable, _table_caption(variable, tr), r, fmt, tr))
    out.append(f"<h2>{escape(tr(t.SECTION_ILO))}</h2>")
    out.append(_figures("ilo", tr(t.SECTION_ILO), r, fmt, tr))
    out.append(f"<h2>{escape(tr(t.SECTION_ILO_TOTAL))}</h2>")
    out.append(_frequency("ilo_total", tr(t.SECTION_ILO_TOTAL), r, fmt, tr))
    out.append(f"<h2>{escape(tr(t.SECTION_FRAMEWORKS))}</h2>")
    out.append(_figures("frameworks", tr(t.SECTION_FRAMEWORKS), r, fmt, tr))
    out.append(f"<h2>{escape(tr(t.SECTION_WAGES))}</h2>")
    out.append(
        _spread(tr(t.RETENTION_TABLE), r["distributions"][codes.RETENTION], fmt, tr, money=False)
    )
    out.append(
        _spread(tr(t.PAYMENT_TABLE), r["distributions"][codes.HOST_PAYMENT], fmt, tr, money=True)
    )
    out.append(f"<h2>{escape(tr(t.SECTION_HEALTH))}</h2>")
    out.append(_figures("health", tr(t.SECTION_HEALTH), r, fmt, tr))
    out.append(_frequency("ambulancia", tr(t.SECTION_HEALTH), r, fmt, tr))
    out.append(f"<h2>{escape(tr(t.SECTION_VERSIONS))}</h2>")
    versions = r["questionnaire_versions"]
    rows = [
        [row["questionnaire_id"], str(row["version"]), _shown(row["count"], fmt, tr)]
        for row in versions["rows"]
    ]
    out.append(
        table(
            tr(t.SECTION_VERSIONS),
            [tr(t.COL_QUESTIONNAIRE), tr(t.COL_VERSION), tr(t.COL_COUNT)],
            rows,
            {2},
        )
    )
    mine = [q for q in quotes if q.month == m.period]
    if mine:
        out.append(f"<h2>{escape(tr(t.SECTION_MONTH_QUOTES))}</h2>")
        out.extend(quote_block(q, tr) for q in mine)
    return "\n".join(out)


def _table_caption(variable: str, tr: Texts) -> str:
    return shipped_wording(tr.lang).text(f"table.{table_id(variable)}")


def _series_table(
    caption: str,
    months: Sequence[PublishedMonth],
    series: Sequence[Series],
    labels: Sequence[str],
    fmt: Formatter,
    tr: Texts,
    *,
    percent: bool,
) -> str:
    head = [tr(t.COL_MONTH), *labels]
    rows = []
    for i, m in enumerate(months):
        row = [m.period]
        for s in series:
            v = s.points[i].value
            if v is None:
                row.append(tr(t.NO_VALUE))
            elif percent:
                row.append(_percent(v, fmt))
            else:
                row.append(fmt.number(_decimal(v), 0))
        rows.append(row)
    return table(caption, head, rows, set(range(1, len(head))))


def trends(months: Sequence[PublishedMonth], sums: Mapping[str, int], tr: Texts) -> str:
    fmt = Formatter(tr.lang, months[-1].min_cell)
    periods = [m.period for m in months]
    desc = tr(t.TREND_CHART_DESC)
    pct = "%" if tr.lang == "en" else " %"  # as the locale writes a percentage
    out = [f"<p>{escape(tr(t.TRENDS_INTRO))}</p>"]
    sections: list[tuple[str, str, list[Series], list[str], bool, float | None, str]] = [
        (
            "ilo",
            tr(t.TREND_ILO),
            percent_series(months, "ilo", codes.ILO_FIGURES),
            [fmt.figure_label(f) for f in codes.ILO_FIGURES],
            True,
            100.0,
            pct,
        ),
        (
            "retention",
            tr(t.TREND_RETENTION),
            retention_series(months),
            [tr(t.STAT_Q1), tr(t.STAT_MEDIAN), tr(t.STAT_Q3)],
            True,
            100.0,
            pct,
        ),
        (
            "health",
            tr(t.TREND_HEALTH),
            percent_series(months, "health", codes.HEALTH_FIGURES),
            [fmt.figure_label(f) for f in codes.HEALTH_FIGURES],
            True,
            100.0,
            pct,
        ),
    ]
    sources = source_series(months)
    source_labels = [
        tr(t.TOTAL)
        if s.series_id == "_total"
        else fmt.row_label("campaigns", s.series_id)
        if s.series_id.startswith("_")
        else s.series_id
        for s in sources
    ]
    sections.append(("sources", tr(t.TREND_SOURCES), sources, source_labels, False, None, ""))
    for chart_id, title, series, labels, percent, top, unit in sections:
        out.append(f"<h2>{escape(title)}</h2>")
        out.append("<figure>")
        out.append(
            line_chart(
                f"chart-{chart_id}", title, desc, series, labels, periods, top=top, unit=unit
            )
        )
        out.append("</figure>")
        out.append(_series_table(title, months, series, labels, fmt, tr, percent=percent))
    out.append(f"<h2>{escape(tr(t.CUMULATIVE_TITLE))}</h2>")
    out.append(f"<p>{escape(tr(t.CUMULATIVE_INTRO))}</p>")
    if not sums:
        out.append(f"<p>{escape(tr(t.CUMULATIVE_NONE))}</p>")
    else:
        rows = [
            [_cumulative_label(key, fmt, tr), _whole(value, fmt)] for key, value in sums.items()
        ]
        out.append(
            table(
                f"{tr(t.CUMULATIVE_TITLE)} ({periods[0]} – {periods[-1]})",
                [tr(t.HOME_FIGURE), tr(t.COL_COUNT)],
                rows,
                {1},
            )
        )
    return "\n".join(out)


def _cumulative_label(key: str, fmt: Formatter, tr: Texts) -> str:
    if key == "n_total":
        return tr(t.CUM_N_TOTAL)
    if key == "n_mission":
        return tr(t.CUM_N_MISSION)
    name, part = key.split(".", 1)
    if name == "roles":
        return fmt.row_label("roles", part)
    return f"{fmt.figure_label(name)}: {tr(t.CUM_PRESENT if part == 'present' else t.CUM_ANSWERED)}"


def _link_table(caption: str, heads: tuple[str, str], rows: list[tuple[str, str]]) -> str:
    """A two-column table whose second cells are links (already escaped HTML)."""
    out = [wrap(caption), f"<caption>{escape(caption)}</caption>"]
    out.append(
        "<thead><tr>"
        + "".join(f'<th scope="col">{escape(h)}</th>' for h in heads)
        + "</tr></thead>"
    )
    out.append("<tbody>")
    out += [f'<tr><th scope="row">{escape(key)}</th><td>{cell}</td></tr>' for key, cell in rows]
    out.append("</tbody></table></div>")
    return "\n".join(out)


def data_page(
    months: Sequence[PublishedMonth],
    names: Sequence[str],
    dictionary: DataTable,
    tr: Texts,
) -> str:
    out = [
        f"<p>{escape(tr(t.DATA_INTRO))}</p>",
        f'<p>{escape(tr(t.DATA_LICENCE))} <a href="../data/LICENSE.txt">LICENSE.txt</a></p>',
    ]
    every = [
        (
            name,
            f'<a href="../data/all/{name}.csv">CSV</a> · '
            f'<a href="../data/all/{name}.json">JSON</a>',
        )
        for name in names
    ]
    out.append(_link_table(tr(t.DATA_ALL_MONTHS), (tr(t.DATA_TABLE), tr(t.DATA_FILES)), every))
    by_month = []
    for m in months:
        links = [f'<a href="../data/{m.period}/{n}.csv">{escape(n)}.csv</a>' for n in names]
        links.append(f'<a href="../data/{m.period}/report.json">report.json</a>')
        by_month.append((m.period, " · ".join(links)))
    out.append(_link_table(tr(t.NAV_MONTHS), (tr(t.COL_MONTH), tr(t.DATA_FILES)), by_month))
    out.append(f"<h2>{escape(tr(t.DATA_DICTIONARY))}</h2>")
    out.append(
        '<p><a href="../data/dictionary.csv">dictionary.csv</a> · '
        '<a href="../data/dictionary.json">dictionary.json</a></p>'
    )
    label_column = dictionary.columns.index(f"label_{tr.lang}")
    definition = dictionary.columns.index("definition")
    out.append(
        table(
            tr(t.DATA_DICTIONARY),
            [tr(t.DICT_ID), tr(t.DICT_LABEL), tr(t.DICT_DEFINITION)],
            [
                [str(row[0]), str(row[label_column]), str(row[definition])]
                for row in dictionary.rows
            ],
        )
    )
    out.append(
        f'<h2>{escape(tr(t.DATA_CHECKSUMS))}</h2><p><a href="../SHA256SUMS">SHA256SUMS</a></p>'
    )
    return "\n".join(out)


def quote_block(q: PublishedQuote, tr: Texts) -> str:
    return (
        f'<blockquote lang="es"><p>{escape(q.text)}</p>'
        f'<footer lang="{tr.lang}">{escape(tr(t.QUOTE_MONTH))}: {q.month} · '
        f"{escape(tr(t.QUOTE_ROLE))}: {escape(tr(q.role_label))} · "
        f"{escape(tr(t.QUOTE_REGION))}: {escape(tr(q.region_label))}</footer></blockquote>"
    )


def quotes_page(quotes: Sequence[PublishedQuote], tr: Texts) -> str:
    out = [f"<p>{escape(tr(t.QUOTES_INTRO))}</p>"]
    if not quotes:
        out.append(f"<p>{escape(tr(t.QUOTES_NONE))}</p>")
    out.extend(quote_block(q, tr) for q in quotes)
    return "\n".join(out)


def text_page(msgids: tuple[str, ...], tr: Texts, bot_link: str | None = None) -> str:
    body = paragraphs(tr, msgids)
    if bot_link:
        link = escape(bot_link)
        body += f'\n<p>{escape(tr(t.TESTIMONY_LINK))} <a href="{link}">{link}</a></p>'
    return body
