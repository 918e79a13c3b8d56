"""Every button label fits a phone: ≤ 32 characters in Spanish and English.

Telegram cuts inline buttons on a phone; a cut label can change what a respondent thinks they
choose. Checked for every choice of every questionnaire the bot can ask (the testimony and the
field report; testimony version 1 is frozen for reading old submissions and is never shown),
every fixed button of the bot's screens, ticked multi-select buttons, and the confirmation
buttons the parsers propose.
"""

import ast
from pathlib import Path

import pytest

from bot import texts
from bot.i18n import Catalogs
from flows.locales import SUPPORTED_LOCALES
from flows.model import Question, Questionnaire
from flows.parsers.money import AMBIGUOUS_BY_COUNTRY
from flows.parsing import Rejected, TextInput, parse_answer
from flows.shipped import SERVED_DEFINITIONS, load_served, load_shipped

BUTTON_MAX = 32
BOT = Path(__file__).resolve().parents[2] / "bot"
CATALOGS = Catalogs.load()
LOCALES = SUPPORTED_LOCALES
SERVED = dict(zip(SERVED_DEFINITIONS, load_served(), strict=True))


def _labels(question: Question) -> list[str]:
    mark = texts.SELECTED_MARK if question.type == "multi" else ""
    return [mark + choice.label for choice in question.all_choices()]


def test_every_served_questionnaire_is_checked() -> None:
    assert {q.id for q in SERVED.values()} == {"testimonio", "informe_campo"}


@pytest.mark.parametrize("definition", SERVED_DEFINITIONS)
@pytest.mark.parametrize("locale", LOCALES)
def test_every_choice_label_of_the_served_questionnaire_fits(locale: str, definition: str) -> None:
    tr = CATALOGS.translator(locale)
    questionnaire: Questionnaire = SERVED[definition]
    too_long = [
        (question.id, shown)
        for question in questionnaire.questions()
        for label in _labels(question)
        if len(shown := _translated(tr, label)) > BUTTON_MAX
    ]
    assert too_long == []


@pytest.mark.parametrize("locale", LOCALES)
def test_every_fixed_button_of_the_bot_fits(locale: str) -> None:
    tr = CATALOGS.translator(locale)
    assert [label for label in texts.BUTTON_LABELS if len(tr(label)) > BUTTON_MAX] == []


def test_every_button_text_constant_is_in_the_checked_list() -> None:
    """An `Option(tr(texts.X), ...)` anywhere in the bot names a label the test checks."""
    checked = {name for name, value in vars(texts).items() if value in texts.BUTTON_LABELS}
    used: set[str] = set()
    for path in BOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Option":
                for inner in ast.walk(node.args[0]):
                    if (
                        isinstance(inner, ast.Attribute)
                        and getattr(inner.value, "id", "") == "texts"
                    ):
                        used.add(inner.attr)
    assert used, "no Option(texts.X) found: the scan is broken"
    assert used <= checked, used - checked


def test_confirmation_buttons_fit() -> None:
    testimony = load_shipped()
    hours = testimony.question("horas_semana")
    money = testimony.question("estipendio_mes")
    longest_amount = "99.999,99"
    rejected = [
        parse_answer(hours, TextInput("140"), 2026),
        *(
            parse_answer(money, TextInput(f"{longest_amount} {word}"), 2026)
            for word in ("riales", "dinares", "bs")
        ),
    ]
    labels = [
        choice.label
        for result in rejected
        if isinstance(result, Rejected)
        for choice in result.suggestions
    ]
    assert len(labels) == 1 + sum(len(options) for options in AMBIGUOUS_BY_COUNTRY.values())
    assert [label for label in labels if len(label) > BUTTON_MAX] == []


def _translated(tr: object, label: str) -> str:
    assert callable(tr)
    if label.startswith(texts.SELECTED_MARK):
        return texts.SELECTED_MARK + str(tr(label.removeprefix(texts.SELECTED_MARK)))
    return str(tr(label))
