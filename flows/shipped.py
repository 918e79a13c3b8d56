"""The questionnaire definitions shipped inside the package, read with importlib.resources
(so an installed wheel finds them wherever pip put it, a zip included)."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final

from flows.loader import DefinitionError, load_questionnaire, parse_questionnaire
from flows.model import Questionnaire

FOLDER: Final = "questionnaires"
SUFFIX: Final = ".yaml"
DEFAULT_DEFINITION: Final = "testimonio.yaml"
FIELD_REPORT_DEFINITION: Final = "informe_campo.yaml"
# What the bot can ask, the respondents' questionnaire first. Frozen earlier versions
# (testimonio_v1.yaml) are shipped only to read the submissions given under them.
SERVED_DEFINITIONS: Final = (DEFAULT_DEFINITION, FIELD_REPORT_DEFINITION)
# Questionnaires that only an investigator's access code opens (never a campaign code, never
# a bare /start): their answers are an investigator's findings, not a respondent's testimony.
INVESTIGATOR_ONLY: Final = frozenset({"informe_campo"})


def shipped_files() -> list[Traversable]:
    """Every shipped definition file, by name."""
    folder = files("flows") / FOLDER
    found = [entry for entry in folder.iterdir() if entry.name.endswith(SUFFIX)]
    return sorted(found, key=lambda entry: entry.name)


def shipped_names() -> list[str]:
    """The names staff may give instead of a path: file names without `.yaml`."""
    return [entry.name.removesuffix(SUFFIX) for entry in shipped_files()]


def load_shipped(name: str = DEFAULT_DEFINITION) -> Questionnaire:
    """A shipped definition, by file name (the respondents' questionnaire by default)."""
    return _parse(files("flows") / FOLDER / name)


def load_all_shipped() -> list[Questionnaire]:
    """Every shipped definition, by file name."""
    return [_parse(entry) for entry in shipped_files()]


def load_served() -> list[Questionnaire]:
    """The definitions the bot can ask, in `SERVED_DEFINITIONS` order."""
    return [load_shipped(name) for name in SERVED_DEFINITIONS]


def load_configured(path: Path | None) -> Questionnaire:
    """The definition file an operator configured, or the shipped default."""
    return load_questionnaire(path) if path is not None else load_shipped()


def load_named(name_or_path: str) -> Questionnaire:
    """A definition given the way staff type it: a file path, or a shipped name.

    An existing file wins, so a local copy named like a shipped definition is read as a file.
    `informe_campo` and `informe_campo.yaml` both name the shipped field report. Anything else
    that looks like a path is read as one (and its error says the file cannot be read).
    """
    path = Path(name_or_path)
    if path.is_file():
        return load_questionnaire(path)
    name = name_or_path.removesuffix(SUFFIX)
    if name in shipped_names():
        return load_shipped(name + SUFFIX)
    if "/" in name_or_path or "\\" in name_or_path or name_or_path.endswith(SUFFIX):
        return load_questionnaire(path)
    raise DefinitionError(
        name_or_path,
        None,
        "no such file, and no shipped questionnaire of that name (shipped: "
        + ", ".join(shipped_names())
        + ")",
    )


def _parse(entry: Traversable) -> Questionnaire:
    return parse_questionnaire(entry.read_text(encoding="utf-8"), f"{FOLDER}/{entry.name}")
