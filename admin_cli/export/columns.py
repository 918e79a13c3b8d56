"""The export's columns, stable across questionnaire versions, and one submission's cells.

Columns are the union of every version's variables in definition order: a variable added by
a later version is placed after the variable that precedes it in that version. A multi-select
question gives one 0/1 column per code (`restricciones__toque_queda`); a money question an
amount and a currency column; a count or retention figure a state and a value column.
Cells: the answer; `_skip` where the respondent chose "Prefiero no responder"; empty where
the question was not asked (not relevant on the respondent's path, a later version's
question, or a partial submission that stopped before it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final, Literal, TypeAlias

from admin_cli.errors import CommandError
from admin_cli.records import SubmissionRecord
from flows.answers import AnswerValue, Money, Skipped
from flows.model import (
    NUMERIC_FIGURE_KINDS,
    MoneyQuestion,
    MultiQuestion,
    Question,
    Questionnaire,
    TextQuestion,
)

SKIP_CODE: Final = "_skip"
SEPARATOR: Final = "__"
Cell: TypeAlias = str | int | Decimal | None
ColumnKind = Literal["meta", "question", "figure", "review"]

META_COLUMNS: Final = (
    ("submission_id", "Submission id (hex): matches the ids of tombstones listed by purge."),
    ("status", "complete, partial (a draft that expired unfinished) or in_progress."),
    ("created_on", "Day the respondent started (UTC)."),
    ("completed_on", "Day the respondent finished (UTC); empty unless complete."),
    (
        "campaign",
        "Label of the access code whose link the submission came through (a campaign, or an "
        "investigators' group); empty if none.",
    ),
    (
        "mode",
        "directo = given in the answerer's own name (a respondent, or an investigator's own "
        "report); entrevista = an investigator recorded an interviewee's testimony.",
    ),
    ("questionnaire_id", "Questionnaire answered."),
    ("questionnaire_version", "Version of the questionnaire answered."),
    ("questionnaire_hash", "SHA-256 of the exact questionnaire definition answered."),
)
REVIEW_COLUMN: Final = "review"


@dataclass(frozen=True)
class Column:
    """One column: which variable it shows, and which part of it (code, amount, value)."""

    name: str
    kind: ColumnKind
    variable: str
    part: str | None = None
    type: str = ""


def _merge(ordered: list[str], additions: Sequence[str]) -> None:
    """Insert `additions` into `ordered`, each new item right after its predecessor."""
    anchor = -1
    for item in additions:
        if item in ordered:
            anchor = ordered.index(item)
        else:
            anchor += 1
            ordered.insert(anchor, item)


@dataclass(frozen=True)
class Layout:
    """Every column of an export over a set of questionnaire versions."""

    columns: tuple[Column, ...]
    questions: dict[str, Question]  # newest definition of each exported question
    versions: dict[str, tuple[int, ...]]  # variable or code column -> versions that have it

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]


def layout(questionnaires: Iterable[Questionnaire], *, include_text: bool) -> Layout:
    """The columns for these definitions (oldest version first decides the order)."""
    seen = _Seen()
    for questionnaire in sorted(questionnaires, key=lambda q: (q.id, q.version)):
        seen.add_questions(questionnaire)
        seen.add_figures(questionnaire)
    columns = [Column(name, "meta", name, type="meta") for name, _ in META_COLUMNS]
    for qid in seen.question_ids:
        question = seen.questions[qid]
        if include_text or not isinstance(question, TextQuestion):
            columns += _question_columns(question, seen.codes[qid])
    for fid in seen.figure_ids:
        kind = seen.figure_kinds[fid]
        columns.append(Column(fid, "figure", fid, type=kind))
        if kind in NUMERIC_FIGURE_KINDS:
            columns.append(Column(f"{fid}{SEPARATOR}value", "figure", fid, "value", kind))
    columns.append(Column(REVIEW_COLUMN, "review", REVIEW_COLUMN, type="review"))
    return Layout(
        tuple(columns),
        seen.questions,
        {k: tuple(sorted(set(v))) for k, v in seen.versions.items()},
    )


@dataclass
class _Seen:
    """What the versions hold, merged in order: ids, codes, the newest definition of each
    question, and which versions have each variable or code column."""

    question_ids: list[str] = field(default_factory=list)
    figure_ids: list[str] = field(default_factory=list)
    codes: dict[str, list[str]] = field(default_factory=dict)
    questions: dict[str, Question] = field(default_factory=dict)
    figure_kinds: dict[str, str] = field(default_factory=dict)
    versions: dict[str, list[int]] = field(default_factory=dict)

    def add_questions(self, questionnaire: Questionnaire) -> None:
        answerable = [q for q in questionnaire.questions() if q.answerable]
        _merge(self.question_ids, [q.id for q in answerable])
        for question in answerable:
            earlier = self.questions.get(question.id)
            if earlier is not None and _shape(earlier.type) != _shape(question.type):
                raise CommandError(
                    f"Question {question.id} is a {earlier.type} question in one version and "
                    f"a {question.type} question in another; the export cannot give both one "
                    "column."
                )
            self.questions[question.id] = question
            _merge(self.codes.setdefault(question.id, []), [c.code for c in question.choices])
            self.versions.setdefault(question.id, []).append(questionnaire.version)
            if isinstance(question, MultiQuestion):
                for choice in question.choices:
                    code_column = f"{question.id}{SEPARATOR}{choice.code}"
                    self.versions.setdefault(code_column, []).append(questionnaire.version)

    def add_figures(self, questionnaire: Questionnaire) -> None:
        _merge(self.figure_ids, [i.id for i in questionnaire.indicators])
        for indicator in questionnaire.indicators:
            self.figure_kinds[indicator.id] = indicator.kind
            self.versions.setdefault(indicator.id, []).append(questionnaire.version)


def _question_columns(question: Question, codes: Sequence[str]) -> list[Column]:
    """A multi question's column per code, a money question's amount and currency, or one."""
    qid = question.id
    if isinstance(question, MultiQuestion):
        return [Column(f"{qid}{SEPARATOR}{code}", "question", qid, code, "multi") for code in codes]
    if isinstance(question, MoneyQuestion):
        return [
            Column(f"{qid}{SEPARATOR}amount", "question", qid, "amount", "money"),
            Column(f"{qid}{SEPARATOR}currency", "question", qid, "currency", "money"),
        ]
    return [Column(qid, "question", qid, type=question.type)]


def _meta_cell(record: SubmissionRecord, name: str) -> Cell:
    meta = record.source.meta
    values: dict[str, Cell] = {
        "submission_id": meta.id.hex(),
        "status": meta.status,
        "created_on": meta.created_on.isoformat(),
        "completed_on": meta.completed_on.isoformat() if meta.completed_on else None,
        "campaign": meta.campaign,
        "mode": meta.mode,
        "questionnaire_id": meta.questionnaire.id,
        "questionnaire_version": meta.questionnaire.version,
        "questionnaire_hash": meta.questionnaire.hash,
    }
    return values[name]


def _answer_cell(value: AnswerValue | None, column: Column) -> Cell:
    if value is None:
        return None
    if isinstance(value, Skipped):
        return SKIP_CODE
    if column.type == "multi":
        return 1 if isinstance(value, tuple) and column.part in value else 0
    if isinstance(value, Money):
        return value.amount if column.part == "amount" else value.currency
    if isinstance(value, tuple):  # a multi answer under a question now single: keep it readable
        return " ".join(value)
    return value


def row_cells(record: SubmissionRecord, columns: Sequence[Column]) -> list[Cell]:
    """One submission's cells, in column order."""
    cells: list[Cell] = []
    for column in columns:
        if column.kind == "meta":
            cells.append(_meta_cell(record, column.name))
        elif column.kind == "question":
            cells.append(_answer_cell(record.answers.get(column.variable), column))
        elif column.kind == "figure":
            figure = record.figures.get(column.variable)
            if figure is None:
                cells.append(None)  # a figure of another version
            elif column.part == "value":
                cells.append(figure.value)
            else:
                cells.append(figure.state)
        else:
            cells.append(";".join(record.review) or None)
    return cells


# Question types whose answers fill one column the same way: a question may change between
# them across versions (version 2 asks hours as "hours", and Sí/No-only questions as "single").
_SAME_COLUMN: dict[str, str] = {"hours": "integer", "yesno": "single"}


def _shape(question_type: str) -> str:
    return _SAME_COLUMN.get(question_type, question_type)
