"""Load a questionnaire definition from YAML, with one clear error when it is broken."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from flows.model import QUESTION_KEYS, QUESTION_TYPES, DefinitionProblem, Questionnaire


class DefinitionError(Exception):
    """A broken questionnaire definition: the file, the element and the problem."""

    def __init__(self, source: str, subject: str | None, problem: str) -> None:
        where = f"{source}: {subject}: " if subject else f"{source}: "
        super().__init__(where + problem)
        self.source = source
        self.subject = subject
        self.problem = problem


class _DefinitionYamlLoader(yaml.SafeLoader):
    """YAML 1.2-like scalars and no duplicate keys.

    YAML 1.1 reads `no` as false and `10_25` as 1025; both are ordinary choice codes here.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_DefinitionYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool",)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", "-+0123456789"),
):
    _DefinitionYamlLoader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))
# Integers with underscores or other YAML 1.1 forms must stay strings: drop the old int resolver.
_DefinitionYamlLoader.yaml_implicit_resolvers = {
    first: [
        (tag, rx)
        for tag, rx in resolvers
        if tag != "tag:yaml.org,2002:int" or rx.pattern == r"^[-+]?[0-9]+$"
    ]
    for first, resolvers in _DefinitionYamlLoader.yaml_implicit_resolvers.items()
}


# Question keys introduced after version 1 of the format, with their defaults.
_LATER_QUESTION_KEYS: dict[str, object] = {"skip": True}
# Version 1's keys with their defaults. A question was one flat model then, and every key
# was part of the canonical form; each kind now has only its own keys, so the others are put
# back at their defaults, and the hashes of stored definitions stay what they were.
_FLAT_QUESTION_KEYS: dict[str, object] = {
    "help": None,
    "when": None,
    "choices": [],
    "extra_choices": [],
    "min": None,
    "max": None,
    "min_from": None,
    "currency": None,
    "min_length": None,
    "max_length": None,
    "multipart": False,
    "stop": None,
}


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Read and validate a definition file; `DefinitionError` if it cannot be used."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = f"cannot read the file ({exc.__class__.__name__})"
        raise DefinitionError(source, None, problem) from None
    return parse_questionnaire(text, source)


def parse_questionnaire(text: str, source_name: str = "<string>") -> Questionnaire:
    """Validate a definition given as YAML text; `source_name` appears in errors."""
    try:
        data = yaml.load(text, Loader=_DefinitionYamlLoader)  # noqa: S506 (a SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise DefinitionError(source_name, None, f"invalid YAML{line}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise DefinitionError(source_name, None, f"invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise DefinitionError(source_name, None, "the definition must be a YAML mapping")
    try:
        return Questionnaire.model_validate(data)
    except ValidationError as exc:
        raise _definition_error(exc, data, source_name) from None


def definition_hash(questionnaire: Questionnaire) -> str:
    """Hex SHA-256 of the canonical JSON (sorted keys, no whitespace) of the definition."""
    return hashlib.sha256(canonical_json(questionnaire)).hexdigest()


def canonical_json(questionnaire: Questionnaire) -> bytes:
    """The definition as canonical UTF-8 JSON: every field, by its YAML name, sorted keys."""
    data = questionnaire.model_dump(mode="json", by_alias=True)
    # Keys added to the format after version 1 are left out at their default, so that adding
    # them changed no earlier definition's hash (stored submissions are found by it).
    for module in data["modules"]:
        for question in module["questions"]:
            for key, default in _FLAT_QUESTION_KEYS.items():
                question.setdefault(key, default)
            for key, default in _LATER_QUESTION_KEYS.items():
                if question.get(key) == default:
                    del question[key]
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _definition_error(exc: ValidationError, data: Any, source: str) -> DefinitionError:
    """Turn pydantic's first error into one sentence that names the element at fault."""
    error = exc.errors()[0]
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, DefinitionProblem):
        return DefinitionError(source, cause.subject, cause.problem)
    location = tuple(error["loc"])
    subject = _subject_at(data, location)
    kind = error["type"]
    field = next((str(p) for p in reversed(location) if isinstance(p, str)), "")
    question_type = _question_type_at(data, location)
    if kind == "extra_forbidden" and question_type in QUESTION_TYPES and field in QUESTION_KEYS:
        problem = f"a {question_type} question takes no `{field}`"
    elif kind == "extra_forbidden":
        problem = f"unknown key '{field}'"
    elif kind == "missing":
        problem = f"missing key '{field}'"
    elif kind == "question_type" and question_type is None:
        problem = "missing key 'type'"
    elif kind == "question_type":
        problem = f"unknown type {question_type!r} (expected one of {', '.join(QUESTION_TYPES)})"
    else:
        message = str(error["msg"]).removeprefix("Value error, ")
        problem = f"{field}: {message}" if field else message
    return DefinitionError(source, subject, problem)


def _question_type_at(data: Any, location: tuple[Any, ...]) -> object:
    """The `type` written on the question the faulty value belongs to, if it is in one."""
    if len(location) < 4 or location[0] != "modules" or location[2] != "questions":
        return None
    try:
        question = data["modules"][location[1]]["questions"][location[3]]
    except (KeyError, IndexError, TypeError):
        return None
    return question.get("type") if isinstance(question, dict) else None


def _subject_at(data: Any, location: tuple[Any, ...]) -> str | None:
    """Name the innermost question, module or indicator on the path to the faulty value."""
    subject: str | None = None
    node = data
    parent_key: Any = None
    for step in location:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(step, int) and isinstance(node, dict):
            label = {"modules": "module", "questions": "question", "indicators": "indicator"}
            if parent_key in label:
                name = node.get("id", f"#{step + 1}")
                subject = f"{label[parent_key]} '{name}'"
        parent_key = step
    return subject
