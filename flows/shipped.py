"""The questionnaire definitions shipped inside the package, read with importlib.resources
(so an installed wheel finds them wherever pip put it, a zip included)."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final

from flows.loader import load_questionnaire, parse_questionnaire
from flows.model import Questionnaire

FOLDER: Final = "questionnaires"
DEFAULT_DEFINITION: Final = "testimonio.yaml"


def shipped_files() -> list[Traversable]:
    """Every shipped definition file, by name."""
    folder = files("flows") / FOLDER
    found = [entry for entry in folder.iterdir() if entry.name.endswith(".yaml")]
    return sorted(found, key=lambda entry: entry.name)


def load_shipped(name: str = DEFAULT_DEFINITION) -> Questionnaire:
    """A shipped definition, by file name (the respondents' questionnaire by default)."""
    return _parse(files("flows") / FOLDER / name)


def load_all_shipped() -> list[Questionnaire]:
    """Every shipped definition, by file name."""
    return [_parse(entry) for entry in shipped_files()]


def load_configured(path: Path | None) -> Questionnaire:
    """The definition file an operator configured, or the shipped default."""
    return load_questionnaire(path) if path is not None else load_shipped()


def _parse(entry: Traversable) -> Questionnaire:
    return parse_questionnaire(entry.read_text(encoding="utf-8"), f"{FOLDER}/{entry.name}")
