"""The worked examples of docs/methodology.md, derived by the software, give the figures stated.

docs/methodology.md is the one written source of the derivation rules; this test keeps its
examples and the code in step. Each `yaml worked-example` block names a questionnaire version,
the answers of one testimony and the figures expected from them.
"""

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows.answers import AnswerValue, Money
from flows.derive import Derivation, Figure
from flows.engine import Engine
from flows.model import Questionnaire
from tests.flows.support import (
    load_informe_campo,
    load_testimonio,
    load_testimonio_v2,
    load_testimonio_v3,
)

METHODOLOGY = Path(__file__).resolve().parents[2] / "docs" / "methodology.md"
_BLOCK = re.compile(r"```yaml worked-example\n(.*?)```", re.S)
# (questionnaire, version) -> definition; a block without `questionnaire:` is a testimony.
_DEFINITIONS: dict[tuple[str, int], Questionnaire] = {
    ("testimonio", 1): load_testimonio(),
    ("testimonio", 2): load_testimonio_v2(),
    ("testimonio", 3): load_testimonio_v3(),
    ("informe_campo", 1): load_informe_campo(),
}


def _examples() -> list[dict[str, Any]]:
    return [yaml.safe_load(block) for block in _BLOCK.findall(METHODOLOGY.read_text("utf-8"))]


def _answer(questionnaire: Questionnaire, question_id: str, raw: Any) -> AnswerValue:
    question = questionnaire.question(question_id)
    if question.type == "multi":
        return tuple(raw)
    if question.type == "money" and isinstance(raw, str) and " " in raw:
        amount, currency = raw.split()
        return Money(Decimal(amount), currency)
    if isinstance(raw, bool):  # YAML 1.1 reads bare si/no keys' values as strings, but guard
        raise AssertionError(f"{question_id}: quote the code")
    return raw  # type: ignore[no-any-return]


def _expected(text: Any) -> Figure:
    if isinstance(text, int):
        return Figure("present", text)
    if isinstance(text, float):
        return Figure("present", Decimal(str(text)).quantize(Decimal("0.01")))
    state, _, flag = str(text).partition(" ")
    return Figure(state, review=flag == "review")  # type: ignore[arg-type]


def test_the_page_has_examples_for_every_framework() -> None:
    examples = _examples()
    assert len(examples) >= 5
    named = {figure for example in examples for figure in example["expect"]}
    for prefix in (
        "ilo_",
        "icls_",
        "palermo_",
        "salud_",
        "retencion_salarial_pct",
        "campo_ilo_",
        "campo_salud_",
        "campo_retencion_salarial_pct",
    ):
        assert any(figure.startswith(prefix) for figure in named), prefix


def _name(example: dict[str, Any]) -> str:
    answers = example["answers"]
    who = answers.get("rol") or answers.get("tipo_lugar")
    return f"{example.get('questionnaire', 'testimonio')}-v{example['version']}-{who}"


@pytest.mark.parametrize("example", _examples(), ids=_name)
def test_worked_example(example: dict[str, Any]) -> None:
    questionnaire = _DEFINITIONS[(example.get("questionnaire", "testimonio"), example["version"])]
    answers = {
        question_id: _answer(questionnaire, question_id, raw)
        for question_id, raw in example["answers"].items()
    }
    # An example is a real path: every answer in it is one the questionnaire would ask.
    assert Engine(questionnaire).prune_answers(answers) == answers
    figures = Derivation(questionnaire)(answers)
    for figure_id, expected in example["expect"].items():
        assert figures[figure_id] == _expected(expected), figure_id
