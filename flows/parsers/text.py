"""Free-text answers: trimmed and held within the question's length limits."""

import unicodedata

from flows.messages import Message


def check_text(text: str, min_len: int, max_len: int) -> str | Message:
    """The answer without surrounding spaces, if its length is within `min_len`..`max_len`."""
    answer = unicodedata.normalize("NFC", text).strip()
    # Zero-width and other invisible format characters alone are no answer either.
    if all(char.isspace() or unicodedata.category(char) == "Cf" for char in answer):
        return Message("Su respuesta está vacía. Escríbala con palabras, por favor.")
    length = len(answer)
    if length < min_len:
        return Message(
            "Su texto es muy corto: escriba al menos {min} caracteres.", {"min": min_len}
        )
    if length > max_len:
        return Message(
            "Su texto tiene {n} caracteres; el máximo es {max}. Acórtelo, por favor.",
            {"n": length, "max": max_len},
        )
    return answer
