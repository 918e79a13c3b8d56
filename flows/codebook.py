"""Staff documentation of a questionnaire: the codebook and a readable preview."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flows.derive import source_questions
from flows.model import (
    AllOf,
    AllOfIndicator,
    AnyOf,
    AttachmentsQuestion,
    Bounds,
    Compare,
    Condition,
    ConditionIndicator,
    CountIndicator,
    CountryQuestion,
    DecimalQuestion,
    FigureCompare,
    FigurePresent,
    HoursQuestion,
    InCodes,
    Indicator,
    IntegerQuestion,
    IsAnswered,
    MoneyQuestion,
    MultiQuestion,
    Not,
    NotInCodes,
    NumericQuestion,
    PercentQuestion,
    Question,
    Questionnaire,
    RetentionIndicator,
    TextQuestion,
    YearQuestion,
    condition_figures,
)

CODEBOOK_COLUMNS: tuple[str, ...] = (
    "variable",
    "kind",
    "type",
    "module",
    "text",
    "codes",
    "condition",
    "rule",
    "figures",
)


@dataclass(frozen=True)
class CodebookRow:
    """One variable: a question, or a derived figure (`kind` says which)."""

    variable: str
    kind: str
    type: str
    module: str
    text: str
    codes: tuple[tuple[str, str], ...]
    condition: str
    rule: str
    figures: tuple[str, ...]

    def cells(self) -> dict[str, str]:
        """The row as text cells, keyed by `CODEBOOK_COLUMNS`."""
        return {
            "variable": self.variable,
            "kind": self.kind,
            "type": self.type,
            "module": self.module,
            "text": self.text,
            "codes": "; ".join(f"{code} = {label}" for code, label in self.codes),
            "condition": self.condition,
            "rule": self.rule,
            "figures": ", ".join(self.figures),
        }


def codebook(questionnaire: Questionnaire) -> list[CodebookRow]:
    """Every answerable question in order, then every derived figure."""
    sources = source_questions(questionnaire)
    rows: list[CodebookRow] = []
    for module in questionnaire.modules:
        for question in module.questions:
            if not question.answerable:
                continue
            fed = tuple(f for f, questions in sources.items() if question.id in questions)
            rows.append(
                CodebookRow(
                    variable=question.id,
                    kind="question",
                    type=question.type,
                    module=module.id,
                    text=question.text,
                    codes=tuple((c.code, c.label) for c in question.all_choices()),
                    condition=asked_when(module.when, question.when),
                    rule=answer_rule(question),
                    figures=fed,
                )
            )
    for indicator in questionnaire.indicators:
        rows.append(
            CodebookRow(
                variable=indicator.id,
                kind="figure",
                type=indicator.kind,
                module=indicator.group or "",
                text=indicator.label,
                codes=(),
                condition=describe(indicator.applies_when) if indicator.applies_when else "",
                rule=figure_rule(indicator),
                figures=tuple(_users_of(indicator.id, questionnaire)),
            )
        )
    return rows


def codebook_csv(rows: list[CodebookRow]) -> str:
    """The codebook as CSV with a header row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CODEBOOK_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row.cells())
    return out.getvalue()


def codebook_markdown(questionnaire: Questionnaire, rows: list[CodebookRow]) -> str:
    """The codebook as a Markdown document with one table."""
    lines = [
        f"# Codebook: {questionnaire.id} v{questionnaire.version}",
        "",
        f"| {' | '.join(CODEBOOK_COLUMNS)} |",
        f"|{'---|' * len(CODEBOOK_COLUMNS)}",
    ]
    for row in rows:
        cells = row.cells()
        lines.append("| " + " | ".join(_md_cell(cells[c]) for c in CODEBOOK_COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def preview_markdown(questionnaire: Questionnaire) -> str:
    """Every module and question with its choices, condition and the figures it feeds."""
    sources = source_questions(questionnaire)
    version = f"`{questionnaire.id}` version {questionnaire.version}"
    lines = [f"# {questionnaire.title}", "", version]
    for module in questionnaire.modules:
        lines += ["", f"## {module.title} (`{module.id}`)"]
        if module.when is not None:
            lines += ["", f"Asked when: `{describe(module.when)}`"]
        for question in module.questions:
            text = question.text.strip().replace("\n", "  \n")  # keep the line breaks
            lines += ["", f"### `{question.id}` ({question.type})", "", text]
            if question.help:
                lines += ["", f"_{question.help}_"]
            lines.append("")
            if question.when is not None:
                lines.append(f"- when: `{describe(question.when)}`")
            rule = answer_rule(question)
            if rule:
                lines.append(f"- answer: {rule}")
            for choice in question.all_choices():
                exclusive = " (exclusive)" if choice.exclusive else ""
                lines.append(f"- `{choice.code}`: {choice.label}{exclusive}")
            if question.stop is not None:
                codes = ", ".join(question.stop.codes)
                lines.append(f"- {question.stop.outcome}s the questionnaire on: {codes}")
            fed = [f for f, questions in sources.items() if question.id in questions]
            if fed:
                lines.append(f"- feeds: {', '.join(fed)}")
    if questionnaire.indicators:
        lines += ["", "## Derived figures", ""]
        for indicator in questionnaire.indicators:
            applies = (
                f" — applies when `{describe(indicator.applies_when)}`"
                if indicator.applies_when is not None
                else ""
            )
            lines.append(
                f"- `{indicator.id}` ({indicator.label}): `{figure_rule(indicator)}`{applies}"
            )
    return "\n".join(lines) + "\n"


def asked_when(module_when: Condition | None, question_when: Condition | None) -> str:
    """When a question is asked, combining its module's condition and its own."""
    parts = [describe(c) for c in (module_when, question_when) if c is not None]
    if len(parts) == 2:
        return " and ".join(f"({p})" for p in parts)
    return parts[0] if parts else ""


def answer_rule(question: Question) -> str:
    """What the answer may be, beyond its choices: ranges, lengths, currency."""
    parts = _kind_rule(question)
    if question.skippable:
        parts.append("skippable")
    return "; ".join(parts)


def _kind_rule(question: Question) -> list[str]:
    match question:
        case YearQuestion():
            high = question.max if question.max is not None else "current year"
            parts = [f"{question.min if question.min is not None else 1900}–{high}"]
            return [*parts, f">= {question.min_from}"] if question.min_from else parts
        case MoneyQuestion():
            currency = question.currency or "USD"
            return [*_range(question), f"amount and currency (default {currency})"]
        case HoursQuestion():
            hours = "hours in a normal week (hours a day × days, or a confirmed weekly total)"
            return [*_range(question), hours]
        case IntegerQuestion() | DecimalQuestion() | PercentQuestion():
            return _range(question)
        case TextQuestion():
            return [f"up to {question.max_length or 4000} characters"]
        case MultiQuestion():
            return ["several choices"]
        case AttachmentsQuestion():
            return ["number of files sent (the files: `oclep-admin export --attachments`)"]
        case CountryQuestion():
            return ["or a typed country name (ISO 3166 code)"]
    return []


def _range(question: NumericQuestion) -> list[str]:
    if question.min is None and question.max is None:
        return []
    return [f"{_show(question.min)}–{_show(question.max)}"]


def figure_rule(indicator: Indicator) -> str:
    """The figure's rule in words close to the YAML."""
    if isinstance(indicator, ConditionIndicator):
        return describe(indicator.present)
    if isinstance(indicator, CountIndicator):
        return f"count present of: {', '.join(indicator.figures)}"
    if isinstance(indicator, AllOfIndicator):
        return " and ".join(f"{f} present" for f in indicator.figures)
    assert isinstance(indicator, RetentionIndicator)
    received = " + ".join(indicator.received)
    return f"100 × (1 − ({received}) / {indicator.paid}), clamped 0–100, same currency"


def describe(condition: Condition) -> str:
    """A condition in one line: `rol in [a, b]`, `(x >= 3) or not (y answered)`."""
    if isinstance(condition, AllOf | AnyOf):
        joiner = " and " if isinstance(condition, AllOf) else " or "
        return joiner.join(_nested(item) for item in condition.items)
    if isinstance(condition, Not):
        return f"not {_nested(condition.item)}"
    if isinstance(condition, InCodes):
        return f"{condition.q} in [{', '.join(condition.codes)}]"
    if isinstance(condition, NotInCodes):
        return f"{condition.q} not_in [{', '.join(condition.codes)}]"
    if isinstance(condition, IsAnswered):
        return f"{condition.q} {'answered' if condition.answered else 'not answered'}"
    if isinstance(condition, FigurePresent):
        return f"{condition.figure} {'present' if condition.present else 'not present'}"
    assert isinstance(condition, Compare | FigureCompare)
    name = condition.q if isinstance(condition, Compare) else condition.figure
    return " and ".join(f"{name} {op} {_show(bound)}" for op, bound in _bounds(condition))


def _nested(condition: Condition) -> str:
    text = describe(condition)
    return f"({text})" if isinstance(condition, AllOf | AnyOf) else text


def _bounds(condition: Bounds) -> list[tuple[str, object]]:
    pairs = ((">=", condition.gte), (">", condition.gt), ("<=", condition.lte), ("<", condition.lt))
    return [(op, bound) for op, bound in pairs if bound is not None]


def _users_of(figure_id: str, questionnaire: Questionnaire) -> list[str]:
    """Figures that use this one, directly or through others."""
    users: list[str] = []
    for indicator in questionnaire.indicators:
        used: list[str] = []
        if isinstance(indicator, CountIndicator | AllOfIndicator):
            used = list(indicator.figures)
        elif isinstance(indicator, ConditionIndicator):
            used = condition_figures(indicator.present)
        if figure_id in used or any(u in users for u in used):
            users.append(indicator.id)
    return users


def _show(value: object) -> str:
    return "" if value is None else str(value)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")
