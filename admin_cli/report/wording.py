"""The words of one report in one language: its own wording from the catalogs (context
`report`), and the row labels of codes and figures taken from the questionnaire.

A code or figure the report shows without a label is a definition problem, never a row
shown under its raw code: `label_problems` names each one, and `oclep-admin questionnaire
check` refuses the definition for it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from functools import cache
from typing import Final

from admin_cli.report import codes
from admin_cli.report.texts import REPORT_CONTEXT, SOURCE
from flows.catalogs import Catalogs
from flows.locales import SOURCE_LOCALE, SUPPORTED_LOCALES
from flows.model import Questionnaire
from flows.shipped import load_all_shipped

# The report's tables of answer codes, and the question whose choices label their rows.
CODE_TABLES: Final = {
    table_id: codes.TABLE_VARIABLES[table_id] for table_id in ("roles", "sectors", "ambulance")
}


def _table_codes() -> dict[str, tuple[str, ...]]:
    return {"roles": codes.ROLES, "sectors": codes.SECTORS, "ambulance": codes.ambulance()}


FIGURES: Final = (*codes.ILO_FIGURES, *codes.FRAMEWORK_FIGURES, *codes.HEALTH_FIGURES)


class MissingLabel(KeyError):
    """The report must show a code or figure that the questionnaire gives no label."""


class ReportWording:
    """Text lookups for one language; the labels come from `questionnaires`, the first
    that labels a code or figure winning (newest version first: a code an older version
    used, and the report still counts, keeps that version's label)."""

    def __init__(
        self, lang: str, questionnaires: Sequence[Questionnaire], catalogs: Catalogs
    ) -> None:
        self.lang = lang
        self._catalogs = catalogs
        self._figures: dict[str, str] = {}
        self._choices: dict[str, dict[str, str]] = {table_id: {} for table_id in CODE_TABLES}
        for questionnaire in questionnaires:
            for figure in questionnaire.indicators:
                self._figures.setdefault(figure.id, figure.label)
            for table_id, question_id in CODE_TABLES.items():
                try:
                    question = questionnaire.question(question_id)
                except KeyError:
                    continue
                for choice in question.all_choices():
                    self._choices[table_id].setdefault(choice.code, choice.label)

    def text(self, key: str) -> str:
        """The report's own wording of `key`; a missing key is a bug (KeyError)."""
        return self._catalogs.pgettext(self.lang, REPORT_CONTEXT, SOURCE[key])

    def code_label(self, table_id: str, code: str) -> str:
        """The row label of `code` in a table: the report's own for the codes it adds and
        for statuses, the questionnaire's choice label otherwise."""
        if f"code.{code}" in SOURCE:
            return self.text(f"code.{code}")
        if table_id == "status":
            return self.text(f"status.{code}")
        if table_id == "ilo_total" and code.isdigit():
            return code  # a number of indicators is its own label

        label = self._choices.get(table_id, {}).get(code)
        if label is None:
            raise MissingLabel(f"no label for the code '{code}' of the report's {table_id}")
        return self._catalogs.gettext(self.lang, label)

    def figure_label(self, figure_id: str) -> str:
        """The questionnaire's label of a figure (staff vocabulary, context `report`)."""
        label = self._figures.get(figure_id)
        if label is None:
            raise MissingLabel(f"no label for the figure '{figure_id}'")
        return self._catalogs.pgettext(self.lang, REPORT_CONTEXT, label)


@cache
def shipped_wording(lang: str) -> ReportWording:
    """The wording of `lang` with the labels of the shipped questionnaires (loaded once)."""
    return ReportWording(lang, _newest_first(load_all_shipped()), _catalogs())


def command_wording(lang: str, questionnaires: Sequence[Questionnaire]) -> ReportWording:
    """The wording of `lang` with the labels of `questionnaires` (newest version first),
    then of the shipped ones."""
    versions = _newest_first(questionnaires) + _newest_first(load_all_shipped())
    return ReportWording(lang, versions, _catalogs())


def _newest_first(questionnaires: Sequence[Questionnaire]) -> list[Questionnaire]:
    return sorted(questionnaires, key=lambda q: q.version, reverse=True)


@cache
def _catalogs() -> Catalogs:
    return Catalogs.load()


def reads_report_variables(questionnaire: Questionnaire) -> bool:
    """Whether the report tabulates this questionnaire: it has a question or a figure the
    report shows (a questionnaire of another study is not its concern)."""
    ids = {q.id for q in questionnaire.questions()} | {f.id for f in questionnaire.indicators}
    return bool(ids & ({*CODE_TABLES.values(), *FIGURES}))


def label_problems(questionnaire: Questionnaire, catalogs: Catalogs) -> list[str]:
    """Each row the report would show for `questionnaire` without a label, or with a label
    that a supported language's catalog does not translate; one sentence each.

    The rows: every figure and fixed code the report shows, and every choice of the
    questions it tabulates (a new code becomes a row of its own). Labels may come from the
    shipped versions too, as the report reads them all.
    """
    if not reads_report_variables(questionnaire):
        return []
    versions = [questionnaire, *_newest_first(load_all_shipped())]
    wanted: list[tuple[str, str | None]] = [(figure_id, None) for figure_id in FIGURES]
    for table, values in _table_codes().items():
        wanted += [(code, table) for code in values]
        with contextlib.suppress(KeyError):
            question = questionnaire.question(CODE_TABLES[table])
            wanted += [(c.code, table) for c in question.all_choices() if c.code not in values]
    words = {lang: ReportWording(lang, versions, catalogs) for lang in SUPPORTED_LOCALES}
    problems = []
    for item, table_id in wanted:
        kind = "figure" if table_id is None else "code"

        def label(lang: str, item: str = item, table_id: str | None = table_id) -> str:
            wording = words[lang]
            if table_id is None:
                return wording.figure_label(item)
            return wording.code_label(table_id, item)

        try:
            spanish = label(SOURCE_LOCALE)
        except MissingLabel:
            where = f"the question '{CODE_TABLES[table_id]}'" if table_id else "the figures"
            problems.append(f"The report shows the {kind} '{item}' but {where} give it no label.")
            continue
        context = REPORT_CONTEXT if table_id is None else None
        for lang in SUPPORTED_LOCALES:
            if not catalogs.translates(lang, spanish, context):
                problems.append(
                    f"The label '{spanish}' of the {kind} '{item}' has no translation in the "
                    f"'{lang}' catalog; run `make locales` and translate it."
                )
    return problems
