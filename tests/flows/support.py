"""Helpers for flows tests: a small questionnaire stated inline, pyxform style."""

import textwrap
from pathlib import Path

from flows.engine import Engine
from flows.loader import load_questionnaire, parse_questionnaire
from flows.model import Questionnaire

TESTIMONIO = Path(__file__).parents[2] / "flows" / "questionnaires" / "testimonio.yaml"
HEADER = "id: t\nversion: 1\ntitle: T\n"


def form(body: str) -> Questionnaire:
    """A questionnaire from a few YAML lines (`modules:` and maybe `indicators:`)."""
    return parse_questionnaire(HEADER + textwrap.dedent(body), "inline.yaml")


def questions(body: str) -> Questionnaire:
    """A questionnaire of one module holding the given YAML list of questions."""
    indented = textwrap.indent(textwrap.dedent(body), "      ")
    return form(f"modules:\n  - id: m\n    title: M\n    questions:\n{indented}")


def engine(body: str) -> Engine:
    """An engine over `questions(body)`."""
    return Engine(questions(body))


def load_testimonio() -> Questionnaire:
    """The real questionnaire."""
    return load_questionnaire(TESTIMONIO)
