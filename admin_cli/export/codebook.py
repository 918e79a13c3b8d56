"""The export's codebook: one row per column, saying what the column holds and its codes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from admin_cli.audit import AuditAnchor
from admin_cli.export.columns import META_COLUMNS, REVIEW_COLUMN, SKIP_CODE, Layout
from admin_cli.records import REVIEW_FLAGS
from flows.codebook import CodebookRow, codebook
from flows.model import (
    AttachmentsQuestion,
    MoneyQuestion,
    MultiQuestion,
    NumericQuestion,
    Questionnaire,
    TextQuestion,
)

CODEBOOK_HEADER: Final = (
    "column",
    "variable",
    "kind",
    "type",
    "versions",
    "text",
    "codes",
    "asked_when",
    "rule",
    "sheet",
)
SKIP_MEANING: Final = f"{SKIP_CODE} = Prefiero no responder (skipped)"
EMPTY_MEANING: Final = "empty = not asked (not on the respondent's path, or not in that version)"
FIGURE_STATES: Final = (
    "present = the rule holds; absent = it does not and something was answered; "
    "unknown = every source question skipped or not asked; not_applicable = the figure "
    "does not apply to this respondent"
)


AUDIT_ROW: Final = "_audit_log"


def codebook_rows(
    layout: Layout,
    questionnaires: Iterable[Questionnaire],
    *,
    audit_anchor: AuditAnchor | None = None,
    sheets: Sequence[tuple[str, Layout, Sequence[Questionnaire]]] = (),
) -> list[list[str]]:
    """Header first, then one row per export column, then the audit anchor (if any): the
    audit log entry `n:hash` that recorded this export (`oclep-admin audit verify --anchor`).

    With `sheets` (name, layout, definitions), the one codebook shared by an export with a
    sheet or file per questionnaire: `layout` first, then each sheet's rows; the last column
    names the sheet a row describes."""
    rows = [list(CODEBOOK_HEADER)]
    for sheet, each, definitions in sheets or (("", layout, list(questionnaires)),):
        width = len(CODEBOOK_HEADER) - 1
        rows += [
            [*row, *[""] * (width - len(row)), sheet] for row in _column_rows(each, definitions)
        ]
    if audit_anchor is not None:
        rows.append(
            [
                AUDIT_ROW,
                "",
                "audit",
                "",
                "",
                "Audit log entry that recorded this export (number:SHA-256); check it with "
                "`oclep-admin audit verify --anchor`.",
                str(audit_anchor),
            ]
        )
    return rows


def _column_rows(layout: Layout, questionnaires: Iterable[Questionnaire]) -> list[list[str]]:
    """One codebook row per column of `layout`."""
    described: dict[str, CodebookRow] = {}
    for questionnaire in sorted(questionnaires, key=lambda q: (q.id, q.version)):
        for row in codebook(questionnaire):
            described[row.variable] = row  # the newest version describes the variable
    meta_text = dict(META_COLUMNS)
    rows: list[list[str]] = []
    for column in layout.columns:
        held_by = layout.versions.get(column.name) or layout.versions.get(column.variable, ())
        versions = ", ".join(str(v) for v in held_by)
        if column.kind == "meta":
            rows.append([column.name, column.name, "meta", "", "", meta_text[column.name]])
            continue
        if column.name == REVIEW_COLUMN:
            flags = "; ".join(f"{flag} = {text}" for flag, text in REVIEW_FLAGS.items())
            rows.append(
                [
                    column.name,
                    column.name,
                    "review",
                    "",
                    "",
                    "Review flags, ';'-separated: " + flags,
                ]
            )
            continue
        info = described[column.variable]
        text, codes = info.text, info.cells()["codes"]
        if column.kind == "figure":
            codes = "a number" if column.part == "value" else FIGURE_STATES
            if column.part == "value":
                text = f"{info.text} (value)"
        elif isinstance(question := layout.questions[column.variable], MultiQuestion):
            label = dict(info.codes).get(column.part or "", "")
            text = f"{info.text} — {label}"
            codes = "1 = selected; 0 = not selected"
        elif isinstance(question, MoneyQuestion):
            codes = "amount" if column.part == "amount" else "ISO 4217 currency code (or MLC)"
        elif isinstance(question, NumericQuestion | AttachmentsQuestion):
            codes = "; ".join(filter(None, ["a number", codes]))
        elif isinstance(question, TextQuestion):
            codes = "free text; a leading ' was added before = + - @ so spreadsheets do not run it"
        if column.kind == "question":
            codes = "; ".join(filter(None, [codes, SKIP_MEANING, EMPTY_MEANING]))
        rows.append(
            [
                column.name,
                column.variable,
                column.kind,
                column.type,
                versions,
                text,
                codes,
                info.condition,
                info.rule,
            ]
        )
    return rows
