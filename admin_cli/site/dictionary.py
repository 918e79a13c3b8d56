"""The open data's dictionary: every table and figure id (the codebook's ids), its labels in
both languages, and its definition as docs/methodology.md states it.

Definitions are read from the methodology's tables of derivation rules (section 7.2), so the
dictionary cannot drift from the document; a figure the document does not define stops the
build.
"""

from __future__ import annotations

import re
from typing import Final

from admin_cli.report import codes
from admin_cli.report.formatting import Formatter
from admin_cli.report.wording import shipped_wording
from admin_cli.site.opendata import DataTable, table_id
from admin_cli.site.source import SiteError

COLUMNS: Final = ("id", "kind", "label_es", "label_en", "definition")
_ROW = re.compile(r"^\|(.+)\|\s*$")
_TABLE_DEFINITIONS: Final = {
    "status": "Testimonies by status: complete, or partial (a questionnaire left unfinished "
    "until its draft expired). Methodology §6.3.",
    "rol": "Testimonies by the respondent's situation (question `rol`); mission respondents "
    "are the first four roles. Methodology §3.",
    "campaign": "Testimonies by the link's campaign code they came through; small campaigns "
    "are grouped as others. Methodology §10.2.",
    "sector": "Mission respondents by sector (question `sector`). Methodology §3.",
    "pais": "Mission respondents by host country (question `pais`); the largest countries by "
    "name, the others grouped. Methodology §10.2.",
    "ilo_total": "Mission respondents by how many of the 11 ILO indicators are present (0-11); "
    "a count, not a score. Methodology §7.2.",
    "ambulancia": "Health respondents by the ambulance's delay the last time one was needed "
    "(question `ambulancia`). Methodology §7.2.",
}


def methodology_definitions(markdown: str) -> dict[str, str]:
    """figure id -> "meaning: present when rule", from the methodology's markdown tables."""
    found: dict[str, str] = {}
    for line in markdown.splitlines():
        match = _ROW.match(line.strip())
        if not match:
            continue
        cells = [c.strip() for c in match.group(1).split("|")]
        for index, cell in enumerate(cells):
            ident = re.fullmatch(r"`([a-z0-9_]+)`", cell)
            if ident and index + 1 < len(cells):
                meaning = cells[index + 1]
                rule = cells[index + 2] if index + 2 < len(cells) else ""
                found.setdefault(
                    ident.group(1), f"{meaning}: {rule}".replace("`", "") if rule else meaning
                )
                break
    return found


def dictionary(markdown: str) -> DataTable:
    definitions = methodology_definitions(markdown)
    english = Formatter("en", 5)
    spanish = Formatter("es", 5)
    rows = []
    for variable, definition in _TABLE_DEFINITIONS.items():
        tid = table_id(variable)
        rows.append(
            (
                variable,
                "table",
                shipped_wording("es").text(f"table.{tid}"),
                shipped_wording("en").text(f"table.{tid}"),
                definition,
            )
        )
    for group, figure_ids in (
        ("ilo", codes.ILO_FIGURES),
        ("frameworks", codes.FRAMEWORK_FIGURES),
        ("health", codes.HEALTH_FIGURES),
    ):
        for figure_id in figure_ids:
            if figure_id not in definitions:
                raise SiteError(
                    f"docs/methodology.md does not define the figure {figure_id}; the data "
                    "dictionary needs its definition."
                )
            rows.append(
                (
                    figure_id,
                    f"figure ({group})",
                    spanish.figure_label(figure_id),
                    english.figure_label(figure_id),
                    definitions[figure_id],
                )
            )
    distributions = (
        (
            codes.RETENTION,
            "table.retention",
            "Share of the host country's payment the state kept, in percent; quartiles over "
            "at least 10 people, rounded to whole percent. Methodology §8.",
        ),
        (
            codes.HOST_PAYMENT,
            "table.payments",
            "Monthly payment of the host country to the Cuban state, USD; quartiles over at "
            "least 10 people, rounded to 100. Methodology §8.",
        ),
    )
    for variable, title, definition in distributions:
        spanish_title = shipped_wording("es").text(title)
        english_title = shipped_wording("en").text(title)
        rows.append((variable, "distribution", spanish_title, english_title, definition))
    return DataTable("dictionary", COLUMNS, tuple(rows))
