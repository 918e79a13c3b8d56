"""Free-text answers: trimmed, never empty, within the question's length limits."""

import pytest

from flows.messages import Message
from flows.parsers import check_text


def test_text_is_trimmed() -> None:
    assert check_text("  Me quitaron el pasaporte.\n", 1, 100) == "Me quitaron el pasaporte."


def test_text_keeps_inner_lines_and_accents() -> None:
    assert check_text("Línea uno\nLínea dos", 1, 100) == "Línea uno\nLínea dos"


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\u200b", " \u200b\u200d "])
def test_empty_text_is_rejected(text: str) -> None:
    result = check_text(text, 0, 100)
    assert isinstance(result, Message)
    assert result.msgid == "Su respuesta está vacía. Escríbala con palabras, por favor."


def test_too_long_text_states_its_length_and_the_limit() -> None:
    result = check_text("a" * 120, 1, 100)
    assert isinstance(result, Message)
    assert (
        result.render() == "Su texto tiene 120 caracteres; el máximo es 100. Acórtelo, por favor."
    )


def test_too_short_text_states_the_minimum() -> None:
    result = check_text("sí", 5, 100)
    assert isinstance(result, Message)
    assert result.render() == "Su texto es muy corto: escriba al menos 5 caracteres."


def test_limits_are_inclusive_and_count_trimmed_characters() -> None:
    assert check_text("  " + "ñ" * 100 + "  ", 100, 100) == "ñ" * 100
    # A decomposed "ñ" (n + combining tilde) counts as one character, as the respondent sees it.
    assert check_text("n\u0303" * 100, 100, 100) == "ñ" * 100
