"""Writers for the three export formats: CSV, XLSX (with a codebook sheet) and JSON Lines."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Final, Protocol

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from admin_cli.export.columns import Cell

# A spreadsheet runs a cell starting with one of these as a formula: free text from a
# respondent must never become one (CSV/formula injection).
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def defuse(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA_START) else text


class ExportWriter(Protocol):
    def write_row(self, cells: Sequence[Cell]) -> None: ...

    def close(self) -> None: ...


class CsvWriter:
    """UTF-8 CSV with a header row; empty cells for missing values."""

    def __init__(self, handle: IO[str], header: Sequence[str]) -> None:
        self._handle = handle
        self._csv = csv.writer(handle, lineterminator="\n")
        self._csv.writerow(header)

    def write_row(self, cells: Sequence[Cell]) -> None:
        self._csv.writerow(
            "" if c is None else defuse(c) if isinstance(c, str) else str(c) for c in cells
        )

    def close(self) -> None:
        self._handle.close()


class JsonLinesWriter:
    """One JSON object per submission, keyed by column name; numbers as JSON numbers."""

    def __init__(self, handle: IO[str], header: Sequence[str]) -> None:
        self._handle = handle
        self._header = list(header)

    def write_row(self, cells: Sequence[Cell]) -> None:
        obj = {name: _json_value(c) for name, c in zip(self._header, cells, strict=True)}
        self._handle.write(json.dumps(obj, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self._handle.close()


def _json_value(cell: Cell) -> Any:
    if isinstance(cell, Decimal):
        return int(cell) if cell == cell.to_integral_value() else float(cell)
    return cell


class XlsxWriter:
    """A workbook with a sheet of submissions (`sheet`), and possibly more (`another`), and a
    `codebook` sheet, written in streaming mode."""

    def __init__(self, path: Path, header: Sequence[str], sheet: str = "submissions") -> None:
        self._path = path
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet(sheet)
        self._sheet.append(list(header))

    def another(self, sheet: str, header: Sequence[str]) -> ExportWriter:
        """A further sheet of submissions in the same workbook (saved by `close`)."""
        return _XlsxSheet(self._book, sheet, header)

    def _cell(self, value: Cell) -> Any:
        if isinstance(value, str):
            cell = WriteOnlyCell(self._sheet, value=value)
            cell.data_type = "s"  # text stays text, even "=..." (never a formula)
            return cell
        return value

    def write_row(self, cells: Sequence[Cell]) -> None:
        self._sheet.append([self._cell(c) for c in cells])

    def add_codebook(self, rows: Sequence[Sequence[str]]) -> None:
        sheet = self._book.create_sheet("codebook")
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)

    def close(self) -> None:
        self._book.save(self._path)


class _XlsxSheet:
    """A sheet of submissions beside the first; the workbook saves it."""

    def __init__(self, book: Workbook, name: str, header: Sequence[str]) -> None:
        self._sheet = book.create_sheet(name)
        self._sheet.append(list(header))

    def write_row(self, cells: Sequence[Cell]) -> None:
        row: list[Any] = []
        for value in cells:
            if isinstance(value, str):
                cell = WriteOnlyCell(self._sheet, value=value)
                cell.data_type = "s"  # text stays text, even "=..." (never a formula)
                row.append(cell)
            else:
                row.append(value)
        self._sheet.append(row)

    def close(self) -> None:
        """Nothing: the workbook is saved once, by its `XlsxWriter`."""
