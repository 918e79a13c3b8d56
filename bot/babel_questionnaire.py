"""Babel extractor for questionnaire YAML: every text a respondent may see, as a msgid."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from flows.loader import parse_questionnaire
from flows.model import Questionnaire

# The msgctxt of the monthly report's wording (admin_cli/report/texts.py says the same).
REPORT_CONTEXT = "report"

# (lineno, funcname, message, comments), the shape Babel's extract() expects.
ExtractionResult = tuple[int, str | None, str | tuple[str, str], list[str]]


def questionnaire_texts(questionnaire: Questionnaire) -> Iterator[tuple[str, str]]:
    """(where, text) for each respondent-facing string, in questionnaire order.

    Indicator labels are left out: they are staff vocabulary, extracted apart (`extract`).
    """
    yield "title", questionnaire.title
    if questionnaire.closing:
        yield "closing", questionnaire.closing
    for module in questionnaire.modules:
        yield f"module {module.id}", module.title
        for question in module.questions:
            yield f"question {question.id}", question.text
            if question.help:
                yield f"help of {question.id}", question.help
            for choice in question.all_choices():
                yield f"choice {question.id}.{choice.code}", choice.label
            if question.stop is not None:
                yield f"stop of {question.id}", question.stop.message


def extract(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[ExtractionResult]:
    """Babel extraction method `questionnaire`: load (and validate) the YAML, yield its texts.

    Implied texts are included (the yes/no labels, Cuba's provinces) because the loader
    supplies them. The line is the first line of the file holding the start of the text.
    """
    del keywords, comment_tags
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    questionnaire = parse_questionnaire(source, getattr(fileobj, "name", "<questionnaire>"))
    lines = source.splitlines()
    for where, text in questionnaire_texts(questionnaire):
        yield _line_of(lines, text), None, text, [where]
    # Figure labels are staff vocabulary, shown only by the monthly report: msgids of the
    # report's context, apart from any respondent text that reads the same.
    for figure in questionnaire.indicators:
        yield (
            _line_of(lines, figure.label),
            "pgettext",
            (REPORT_CONTEXT, figure.label),
            [f"figure {figure.id}"],
        )


def _line_of(lines: list[str], text: str) -> int:
    first = text.splitlines()[0].strip()[:40] if text.strip() else ""
    for number, line in enumerate(lines, 1):
        if first and first in line:
            return number
    return 0
