"""Cross-reference checks of a questionnaire: ids, condition targets, operators, figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows import parsers
from flows.model import (
    NUMERIC_FIGURE_KINDS,
    STATE_FIGURE_KINDS,
    AllOfIndicator,
    CodeQuestion,
    ComparableQuestion,
    Compare,
    ConditionIndicator,
    CountIndicator,
    CountryQuestion,
    DefinitionProblem,
    FigureCompare,
    FigurePresent,
    InCodes,
    IsAnswered,
    MoneyQuestion,
    NoteQuestion,
    NotInCodes,
    NumericQuestion,
    ProvinceQuestion,
    Question,
    RetentionIndicator,
    YearQuestion,
    condition_atoms,
)

if TYPE_CHECKING:
    from flows.model import Condition, Indicator, Questionnaire


def check_questionnaire(questionnaire: Questionnaire) -> None:
    """Raise `DefinitionProblem` for the first broken reference found, in file order."""
    _check_unique_ids(questionnaire)
    questions = questionnaire.questions()
    position = {q.id: i for i, q in enumerate(questions)}
    by_id = {q.id: q for q in questions}

    for question in questions:
        _check_place_codes(question)

    for module in questionnaire.modules:
        first = position[module.questions[0].id]
        if module.when is not None:
            _check_routing_condition(
                module.when, f"module '{module.id}'", before=first, position=position, by_id=by_id
            )
        for question in module.questions:
            subject = f"question '{question.id}'"
            if question.when is not None:
                _check_routing_condition(
                    question.when,
                    subject,
                    before=position[question.id],
                    position=position,
                    by_id=by_id,
                )
            if isinstance(question, YearQuestion) and question.min_from is not None:
                source = _earlier_question(
                    question.min_from, subject, position[question.id], position, by_id
                )
                if not isinstance(source, YearQuestion):
                    raise DefinitionProblem(
                        subject, f"`min_from` must name a year question, not {source.type}"
                    )

    kinds: dict[str, str] = {}
    for indicator in questionnaire.indicators:
        _check_indicator(indicator, kinds, by_id)
        kinds[indicator.id] = indicator.kind


def _check_place_codes(question: Question) -> None:
    """Country and province buttons must use the codes the typed-name matchers return."""
    if isinstance(question, CountryQuestion):
        known = parsers.country_codes()
    elif isinstance(question, ProvinceQuestion):
        known = frozenset(parsers.PROVINCES)
    else:
        return
    for choice in question.choices:
        if choice.code not in known:
            raise DefinitionProblem(
                f"question '{question.id}'", f"unknown {question.type} code '{choice.code}'"
            )


def _check_unique_ids(questionnaire: Questionnaire) -> None:
    seen: set[str] = set()
    for module in questionnaire.modules:
        if module.id in seen:
            raise DefinitionProblem(f"module '{module.id}'", "duplicate module id")
        seen.add(module.id)
    seen = set()
    for question in questionnaire.questions():
        if question.id in seen:
            raise DefinitionProblem(f"question '{question.id}'", "duplicate question id")
        seen.add(question.id)
    figures: set[str] = set()
    for indicator in questionnaire.indicators:
        subject = f"indicator '{indicator.id}'"
        if indicator.id in figures:
            raise DefinitionProblem(subject, "duplicate indicator id")
        if indicator.id in seen:
            raise DefinitionProblem(subject, "an indicator id must differ from every question id")
        figures.add(indicator.id)


def _earlier_question(
    target: str,
    subject: str,
    before: int,
    position: dict[str, int],
    by_id: dict[str, Question],
) -> Question:
    if target not in position:
        raise DefinitionProblem(subject, f"refers to unknown question '{target}'")
    if position[target] >= before:
        raise DefinitionProblem(
            subject, f"refers to question '{target}', which does not come before it"
        )
    return by_id[target]


def _check_routing_condition(
    condition: Condition,
    subject: str,
    *,
    before: int,
    position: dict[str, int],
    by_id: dict[str, Question],
) -> None:
    for atom in condition_atoms(condition):
        if isinstance(atom, FigurePresent | FigureCompare):
            raise DefinitionProblem(
                subject, f"a `when` cannot refer to derived figure '{atom.figure}'"
            )
        assert isinstance(atom, InCodes | NotInCodes | Compare | IsAnswered)
        target = _earlier_question(atom.q, subject, before, position, by_id)
        _check_operator(atom, target, subject)


def _check_operator(
    atom: InCodes | NotInCodes | Compare | IsAnswered, target: Question, subject: str
) -> None:
    """The operator must fit the target's type, and codes must be the target's codes."""
    if isinstance(target, NoteQuestion):
        raise DefinitionProblem(subject, f"refers to note '{target.id}', which has no answer")
    if isinstance(atom, IsAnswered):
        return
    if isinstance(atom, Compare):
        if not isinstance(target, ComparableQuestion):
            raise DefinitionProblem(
                subject,
                f"compares '{target.id}' with gte/gt/lte/lt, but it is a {target.type} question",
            )
        return
    operator = "in" if isinstance(atom, InCodes) else "not_in"
    if not isinstance(target, CodeQuestion) and not (
        isinstance(target, NumericQuestion) and target.extra_choices
    ):
        raise DefinitionProblem(
            subject, f"uses `{operator}` on '{target.id}', but it is a {target.type} question"
        )
    for code in atom.codes:
        if isinstance(target, CountryQuestion) and target.choice(code) is None:
            if code not in parsers.country_codes():
                raise DefinitionProblem(
                    subject, f"'{code}' is not an ISO 3166 code (question '{target.id}')"
                )
            continue
        if target.choice(code) is None:
            raise DefinitionProblem(
                subject, f"unknown choice code '{code}' of question '{target.id}'"
            )


def _check_indicator(
    indicator: Indicator, earlier: dict[str, str], by_id: dict[str, Question]
) -> None:
    subject = f"indicator '{indicator.id}'"
    conditions: list[Condition] = []
    if indicator.applies_when is not None:
        conditions.append(indicator.applies_when)
    if isinstance(indicator, ConditionIndicator):
        conditions.append(indicator.present)
    for condition in conditions:
        for atom in condition_atoms(condition):
            if isinstance(atom, FigurePresent | FigureCompare):
                kind = _earlier_figure(atom.figure, subject, earlier)
                if isinstance(atom, FigurePresent) and kind not in STATE_FIGURE_KINDS:
                    raise DefinitionProblem(
                        subject, f"`present` does not fit '{atom.figure}', a {kind} figure"
                    )
                if isinstance(atom, FigureCompare) and kind not in NUMERIC_FIGURE_KINDS:
                    raise DefinitionProblem(
                        subject, f"compares '{atom.figure}', which is not a numeric figure"
                    )
                continue
            assert isinstance(atom, InCodes | NotInCodes | Compare | IsAnswered)
            if atom.q not in by_id:
                raise DefinitionProblem(subject, f"refers to unknown question '{atom.q}'")
            _check_operator(atom, by_id[atom.q], subject)
    if isinstance(indicator, CountIndicator | AllOfIndicator):
        for figure in indicator.figures:
            kind = _earlier_figure(figure, subject, earlier)
            if kind not in STATE_FIGURE_KINDS:
                raise DefinitionProblem(
                    subject, f"'{figure}' is a {kind} figure, not a present/absent one"
                )
    if isinstance(indicator, RetentionIndicator):
        for source in (indicator.paid, *indicator.received):
            if source not in by_id:
                raise DefinitionProblem(subject, f"refers to unknown question '{source}'")
            if not isinstance(by_id[source], MoneyQuestion):
                raise DefinitionProblem(subject, f"'{source}' is not a money question")


def _earlier_figure(figure: str, subject: str, earlier: dict[str, str]) -> str:
    if figure not in earlier:
        raise DefinitionProblem(
            subject, f"refers to figure '{figure}', which is unknown or not defined before it"
        )
    return earlier[figure]
