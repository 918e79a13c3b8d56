"""Text folding shared by the parsers: case, accents, digits and spacing made uniform."""

import re
import unicodedata
from typing import Final

# Longer answers are not a number, an amount or a place name; refusing them early keeps every
# call fast whatever a respondent pastes (Telegram allows 4096 characters).
MAX_ANSWER_CHARS: Final = 200

_SPACES: Final = re.compile(r"\s+")


def fold(text: str) -> str:
    """Return `text` case-folded, without accents, with ASCII digits and single spaces.

    NFKC first turns full-width digits and no-break or thin spaces into plain ones; other
    scripts' decimal digits (Arabic-Indic, Devanagari...) become ASCII so "٣٠٠٠" reads as 3000.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        text = "".join(_ascii_char(char) for char in unicodedata.normalize("NFKD", text))
    return _SPACES.sub(" ", text).strip()


def _ascii_char(char: str) -> str:
    if char.isascii():
        return char
    if unicodedata.combining(char):
        return ""
    digit = unicodedata.decimal(char, None)
    return char if digit is None else str(digit)
