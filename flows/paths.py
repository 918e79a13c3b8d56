"""Every path through a questionnaire, counted in screens per kind of respondent.

A path is the sequence of questions one respondent is shown. Only routing answers change it,
and of those only what conditions can tell apart: each code a condition names, one code no
condition names, and "Prefiero no responder" where a `not_in` or `answered` test separates it
from an answer. So the enumeration walks one representative per class, which covers every
distinct path without walking every combination of answers.

A path's screens are the question screens it shows (consent and safety check included) and
the review before sending, which every questionnaire the bot runs ends with (bot/review.py):
one screen, its first page, since "Enviar" is on every page and further pages are optional.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from statistics import median

from flows.answers import ANSWERED, SKIPPED, NavigationValue
from flows.engine import Engine
from flows.model import (
    InCodes,
    IsAnswered,
    MultiQuestion,
    NotInCodes,
    Question,
    condition_atoms,
)

NO_ROLE = "(skipped)"
# What the consent screen's time estimate assumes a screen takes on a phone (reading, a tap
# or a short typed answer). An assumption, stated in docs/methodology.md, not a measurement
# of respondents.
SECONDS_PER_SCREEN = 20
# The review before sending, counted once per completed path.
REVIEW_SCREENS = 1
SCREENS_NOTE = (
    "Screens: every question shown, consent and safety check included, plus 1 review screen "
    'before sending (its first page; "Enviar" is on every page).\n'
)


@dataclass(frozen=True)
class PathLengths:
    """Screens per path for one group of respondents (all distinct paths, not weighted)."""

    group: str
    paths: int
    shortest: int
    median: float
    longest: int


def path_lengths(engine: Engine, group_by: str) -> list[PathLengths]:
    """Shortest, median and longest number of screens per answer of `group_by`: the
    question screens of each path plus the review (`REVIEW_SCREENS`).

    Paths ended or paused by a stop (no consent, not a safe place) are left out: they are not
    a questionnaire taken. A respondent who skips `group_by` is grouped as `NO_ROLE`.
    """
    by_group: dict[str, list[int]] = {}
    for answers, shown in _walk(engine, group_by):
        if engine.stopped(answers) is not None:
            continue
        value = answers.get(group_by)
        group = value if isinstance(value, str) else NO_ROLE
        by_group.setdefault(group, []).append(len(shown) + REVIEW_SCREENS)
    order = [c.code for c in engine.question(group_by).choices] + [NO_ROLE]
    return [
        PathLengths(group, len(lengths), min(lengths), median(lengths), max(lengths))
        for group in order
        if (lengths := by_group.get(group))
    ]


def _walk(engine: Engine, group_by: str) -> Iterator[tuple[dict[str, NavigationValue], list[str]]]:
    classes = dict(_answer_classes(engine))
    # The grouping question takes every answer, so that each group gets its own paths.
    grouping = engine.question(group_by)
    classes[group_by] = tuple(_value(grouping, c.code) for c in grouping.all_choices()) + (
        (SKIPPED,) if grouping.skippable else ()
    )
    stack: list[tuple[dict[str, NavigationValue], list[str], str | None]] = [({}, [], None)]
    while stack:
        answers, shown, after = stack.pop()
        question = engine.next_question(answers, after)
        if question is None or engine.stopped(answers) is not None:
            yield answers, shown
            continue
        for value in classes.get(question.id, (ANSWERED,)):
            stack.append(({**answers, question.id: value}, [*shown, question.id], question.id))


def _answer_classes(engine: Engine) -> Mapping[str, tuple[NavigationValue, ...]]:
    """For each routing question, one answer per class conditions can tell apart."""
    named: dict[str, set[str]] = {}
    skip_matters: set[str] = set()
    for question in engine.questions:
        conditions = [question.when] if question.when is not None else []
        module = engine.questionnaire.module_of(question.id)
        conditions += [module.when] if module.when is not None else []
        for condition in conditions:
            for atom in condition_atoms(condition):
                if isinstance(atom, InCodes | NotInCodes):
                    named.setdefault(atom.q, set()).update(atom.codes)
                if isinstance(atom, NotInCodes | IsAnswered):
                    skip_matters.add(atom.q)
                if isinstance(atom, IsAnswered):
                    named.setdefault(atom.q, set())
    for question in engine.questions:
        if question.stop is not None:
            named.setdefault(question.id, set()).update(question.stop.codes)
    classes: dict[str, tuple[NavigationValue, ...]] = {}
    for question_id, codes in named.items():
        question = engine.question(question_id)
        values: list[NavigationValue] = [_value(question, code) for code in sorted(codes)]
        other = next((c.code for c in question.all_choices() if c.code not in codes), None)
        if other is not None:
            values.append(_value(question, other))
        elif not question.all_choices():
            values.append(ANSWERED)
        if question.skippable and (question_id in skip_matters or other is None):
            values.append(SKIPPED)
        classes[question_id] = tuple(values)
    return classes


def _value(question: Question, code: str) -> NavigationValue:
    return (code,) if isinstance(question, MultiQuestion) else code


def estimated_minutes(lengths: list[PathLengths], groups: tuple[str, ...]) -> int:
    """Minutes the median path of the slowest of `groups` takes, rounded to the nearest minute."""
    screens = max(row.median for row in lengths if row.group in groups)
    return round(screens * SECONDS_PER_SCREEN / 60)


def screens_summary(lengths: list[PathLengths], group_by: str = "rol") -> str:
    """The table `oclep-admin questionnaire paths` prints (Markdown), and what it counts."""
    lines = [
        f"| {group_by} | distinct paths | shortest | median | longest |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in lengths:
        lines.append(
            f"| {row.group} | {row.paths} | {row.shortest} | {row.median:g} | {row.longest} |"
        )
    return "\n".join(lines) + "\n\n" + SCREENS_NOTE
