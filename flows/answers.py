"""Answer values and their tagged, lossless JSON form."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Final, TypeAlias


@dataclass(frozen=True)
class Money:
    """An amount of money with its ISO 4217 currency code (upper case)."""

    amount: Decimal
    currency: str


class Skipped(Enum):
    """ "Prefiero no responder": recorded, and distinct from a question never answered."""

    SKIPPED = "skipped"

    def __repr__(self) -> str:
        return "SKIPPED"


SKIPPED: Final = Skipped.SKIPPED


class Answered(Enum):
    """Stands in for an answer the server keeps only as "answered" (never its content)."""

    ANSWERED = "answered"

    def __repr__(self) -> str:
        return "ANSWERED"


ANSWERED: Final = Answered.ANSWERED

# str: a choice code (single, yesno, consent, country ISO code, province code, `sigue`) or free
# text; tuple: the codes of a multi in definition order; int: integer and year; Decimal:
# decimal and percent.
AnswerValue: TypeAlias = str | tuple[str, ...] | int | Decimal | Money | Skipped
Answers: TypeAlias = Mapping[str, AnswerValue]
# What the engine navigates on: full answers, or the routing values the server keeps.
NavigationValue: TypeAlias = AnswerValue | Answered
NavigationAnswers: TypeAlias = Mapping[str, NavigationValue]


class AnswerFormatError(ValueError):
    """A stored answer record does not have the JSON shape `encode_answer` writes."""


def encode_answer(value: NavigationValue) -> dict[str, Any]:
    """Return the tagged JSON-able form of `value`; the decoders give it back unchanged.

    Strings are tagged "text" whether they hold a code or free text: the question type, not
    the record, says which. "code" is accepted on decoding as a synonym.
    """
    if isinstance(value, Skipped):
        return {"t": "skip"}
    if isinstance(value, Answered):
        return {"t": "answered"}
    if isinstance(value, bool):
        raise TypeError("a bool is not an answer value")
    if isinstance(value, str):
        return {"t": "text", "v": value}
    if isinstance(value, tuple):
        if not all(isinstance(code, str) for code in value):
            raise TypeError("a multi answer holds choice codes (strings) only")
        return {"t": "codes", "v": list(value)}
    if isinstance(value, int):
        return {"t": "int", "v": value}
    if isinstance(value, Decimal):
        return {"t": "dec", "v": str(value)}
    if isinstance(value, Money):
        return {"t": "money", "v": str(value.amount), "c": value.currency}
    raise TypeError(f"not an answer value: {type(value).__name__}")


def decode_answer(obj: Mapping[str, Any]) -> AnswerValue:
    """Return the answer value encoded by `encode_answer`; `AnswerFormatError` if malformed."""
    value = decode_navigation_value(obj)
    if isinstance(value, Answered):
        raise AnswerFormatError("a routing placeholder is not an answer")
    return value


def decode_navigation_value(obj: Mapping[str, Any]) -> NavigationValue:
    """Like `decode_answer`, also accepting the ANSWERED placeholder of a routing value."""
    if not isinstance(obj, Mapping):
        raise AnswerFormatError("an encoded answer is a JSON object")
    tag = obj.get("t")
    raw = obj.get("v")
    if tag == "skip":
        return SKIPPED
    if tag == "answered":
        return ANSWERED
    if tag in ("text", "code") and isinstance(raw, str):
        return raw
    if tag == "codes" and isinstance(raw, list) and all(isinstance(c, str) for c in raw):
        return tuple(raw)
    if tag == "int" and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if tag == "dec" and isinstance(raw, str):
        return _decimal(raw)
    if tag == "money" and isinstance(raw, str) and isinstance(obj.get("c"), str):
        return Money(_decimal(raw), obj["c"])
    raise AnswerFormatError(f"unknown or malformed answer tag: {tag!r}")


def _decimal(text: str) -> Decimal:
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise AnswerFormatError("malformed decimal in an encoded answer") from exc
    if not number.is_finite():
        raise AnswerFormatError("non-finite decimal in an encoded answer")
    return number
