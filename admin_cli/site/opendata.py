"""The published tables of a month as rows for CSV and JSON, read from the ledger's report JSON.

Every value comes from the report as the ledger recorded it: a published count is a number, a
hidden one has no number and the display the report gave it ("<5", "x", the withheld mark).
Nothing is recomputed, so the open data say exactly what the report said.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from admin_cli.report import codes
from admin_cli.report.formatting import Formatter

# The report's table id for each variable its JSON keys tables by.
_TABLE_IDS: Final = {variable: table_id for table_id, variable in codes.TABLE_VARIABLES.items()}
FREQUENCY_COLUMNS: Final = ("month", "code", "label_es", "label_en", "count", "display", "percent")
FIGURE_COLUMNS: Final = (
    "month",
    "figure_id",
    "label_es",
    "label_en",
    "present",
    "present_display",
    "absent",
    "absent_display",
    "answered",
    "answered_display",
    "base",
    "base_display",
    "percent_of_answered",
)
DISTRIBUTION_COLUMNS: Final = (
    "month",
    "variable",
    "n",
    "n_display",
    "median",
    "q1",
    "q3",
    "rounded_to",
    "flagged",
    "flagged_display",
)
VERSION_COLUMNS: Final = ("month", "questionnaire_id", "version", "hash_prefix", "count", "display")


@dataclass(frozen=True)
class DataTable:
    """One published table of one month: a name (file stem), its columns and rows."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(["" if value is None else value for value in row])
        return buffer.getvalue()

    def json(self) -> str:
        records = [dict(zip(self.columns, row, strict=True)) for row in self.rows]
        return json.dumps(records, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def count_value(cell: Any) -> int | None:
    """The number of a published count, None for a hidden one."""
    return cell if isinstance(cell, int) and not isinstance(cell, bool) else None


def count_display(cell: Any) -> str:
    return str(cell) if count_value(cell) is not None else str(cell["display"])


def table_id(variable: str) -> str:
    return _TABLE_IDS[variable]


def month_tables(month: str, report: Mapping[str, Any]) -> list[DataTable]:
    """Every table of one month's report, in the report's order."""
    english = Formatter("en", int(report["min_cell"]))
    found = []
    for variable, table in report["tables"].items():
        rows = []
        for row in (*table["rows"], *table["subtotals"]):
            rows.append(
                (
                    month,
                    row["code"],
                    row["label"],
                    english.row_label(table_id(variable), row["code"]),
                    count_value(row["count"]),
                    count_display(row["count"]),
                    row["percent"],
                )
            )
        total = table["total"]
        rows.append(
            (month, "_total", "Total", "Total", count_value(total), count_display(total), None)
        )
        found.append(DataTable(f"table_{variable}", FREQUENCY_COLUMNS, tuple(rows)))
    for group, figures in report["figures"].items():
        found.append(
            DataTable(
                f"figures_{group}",
                FIGURE_COLUMNS,
                tuple(_figure_row(month, f, english) for f in figures),
            )
        )
    found.append(
        DataTable(
            "distributions",
            DISTRIBUTION_COLUMNS,
            tuple(_distribution_row(month, v, d) for v, d in report["distributions"].items()),
        )
    )
    versions = report["questionnaire_versions"]
    found.append(
        DataTable(
            "questionnaire_versions",
            VERSION_COLUMNS,
            tuple(
                (
                    month,
                    r["questionnaire_id"],
                    r["version"],
                    r["hash_prefix"],
                    count_value(r["count"]),
                    count_display(r["count"]),
                )
                for r in versions["rows"]
            ),
        )
    )
    return found


def _figure_row(month: str, figure: Mapping[str, Any], english: Formatter) -> tuple[Any, ...]:
    cells: list[Any] = [month, figure["id"], figure["label"], english.figure_label(figure["id"])]
    for key in ("present", "absent", "answered", "base"):
        cells += [count_value(figure[key]), count_display(figure[key])]
    cells.append(figure["percent_of_answered"])
    return tuple(cells)


def _distribution_row(month: str, variable: str, spread: Mapping[str, Any]) -> tuple[Any, ...]:
    flagged = spread.get("review", spread.get("other_currencies"))
    return (
        month,
        variable,
        count_value(spread["n"]),
        count_display(spread["n"]),
        spread["median"],
        spread["q1"],
        spread["q3"],
        spread["rounded_to"],
        count_value(flagged) if flagged is not None else None,
        count_display(flagged) if flagged is not None else "",
    )


def combined(tables: Sequence[DataTable]) -> DataTable:
    """Tables of one name across months, as one (for the all-months files)."""
    first = tables[0]
    return DataTable(first.name, first.columns, tuple(row for t in tables for row in t.rows))
