"""Babel extractor for the Python of flows/: `Message("...")` calls and `MSG_*` constants."""

from __future__ import annotations

import ast
import io
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any, cast

from babel.messages.extract import extract_python

ExtractionResult = tuple[int, str | None, str | tuple[str | None, ...], list[str]]
CONSTANT_PREFIX = "MSG_"


def extract(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[ExtractionResult]:
    """What Babel's Python extractor finds, plus module-level `MSG_* = "..."` string constants.

    flows cannot import gettext (it is pure and translated by its callers), so its messages
    are plain strings: constants named MSG_* and literal first arguments of `Message(...)`.
    """
    source = fileobj.read()
    # Babel calls extractors with the keyword names only; its stubs ask for a mapping.
    python_results: Iterator[Any] = extract_python(
        io.BytesIO(source), cast(Any, keywords), comment_tags, cast(Any, dict(options))
    )
    yield from python_results
    tree = ast.parse(source)
    for node in tree.body:
        target, value = _assignment(node)
        if (
            target is not None
            and target.startswith(CONSTANT_PREFIX)
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
        ):
            yield node.lineno, None, value.value, []


def _assignment(node: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id, node.value
    if (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
    ):
        return node.targets[0].id, node.value
    return None, None
