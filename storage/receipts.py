"""Receipts: the 16-digit code a respondent keeps to withdraw a finished testimony."""

from __future__ import annotations

import re
import secrets

RECEIPT_DIGITS = 16
_GROUP = 4
_SEPARATORS = re.compile(r"[\s.\-]+")
_DIGITS = re.compile(rf"[0-9]{{{RECEIPT_DIGITS}}}")


def _grouped(digits: str) -> str:
    return " ".join(digits[i : i + _GROUP] for i in range(0, RECEIPT_DIGITS, _GROUP))


def new_receipt() -> str:
    """16 random digits in groups of four: "1234 5678 9012 3456"."""
    return _grouped(f"{secrets.randbelow(10**RECEIPT_DIGITS):0{RECEIPT_DIGITS}d}")


def normalize_receipt(text: str) -> str | None:
    """The canonical form ("1234 5678 9012 3456") of typed text, or None.

    Spaces, dashes and dots are ignored; anything else, or not exactly 16 digits, gives None.
    """
    digits = _SEPARATORS.sub("", text)
    # fullmatch on [0-9] rather than str.isdigit(): the latter also accepts other scripts' digits.
    if _DIGITS.fullmatch(digits) is None:
        return None
    return _grouped(digits)


def receipt_digits(receipt: str) -> str:
    """The 16 digits of a canonical receipt, without separators."""
    return receipt.replace(" ", "")
