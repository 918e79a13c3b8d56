"""Reading the one number written with digits in a respondent's folded answer."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from itertools import islice
from typing import Final

from flows.parsers.folding import MAX_ANSWER_CHARS


class Problem(Enum):
    """Why an answer holds no single readable number; each parser words its own message."""

    NO_DIGITS = "no_digits"  # empty, words only, spelled-out numbers ("tres mil", "3 mil")
    SEVERAL = "several"  # "2 o 3", "2000-3000", "15/03"
    MALFORMED = "malformed"  # "1.50.0", "3,000,00": separators that fit no way of writing


@dataclass(frozen=True)
class Reading:
    """One number found in an answer, and where: the rest of the answer may name a unit."""

    value: Decimal  # never negative: the sign is reported apart
    negative: bool
    start: int
    end: int


# A number is either grouped by single spaces ("1 500", "3 000 000,50": groups of exactly three
# digits, so "10 20" stays two numbers) or digits joined by "." and ",". A "." or "," that opens
# an answer word (".5", " ,5") is a leading decimal mark. No number starts right after a digit or
# after "<digit>." so that matching resumes cleanly after a malformed one.
_NUMBER: Final = re.compile(
    r"(?<![0-9])(?<![0-9][.,])"
    r"(?:(?<!\S)(?P<lead>[.,]))?"
    r"(?P<digits>[0-9]{1,3}(?: [0-9]{3})+(?![0-9])(?:[.,][0-9]+)?|[0-9]+(?:[.,][0-9]+)*)"
)
_MINUS: Final = re.compile(r"(?<![0-9a-z])[-−–] ?$")
_WORD: Final = re.compile(r"[a-z]+")

# Spelled-out numbers and multipliers, Spanish and English. "Uno/una/unos" stay out: "unos 60"
# means "about 60". Their presence means the digits alone do not say the amount ("3 mil",
# "8 y media"), and we never guess from words. "Ciento" stays out for "45 por ciento".
_NUMBER_WORDS: Final = frozenset(
    """
    cero dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince
    veinte treinta cuarenta cincuenta sesenta setenta ochenta noventa cien cientos
    mil miles millon millones millardo billon billones medio media docena docenas
    zero two three four five six seven eight nine ten eleven twelve thirteen fifteen
    twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand
    thousands million millions billion half dozen k
    """.split()  # noqa: SIM905 - a word list reads best as words
)
_COMPOUND_NUMBER_WORD: Final = re.compile(
    r"(?:dieci|veinti)[a-z]+|(?:dos|tres|cuatro|quin|seis|sete|ocho|nove)cient[oa]s|[a-z]+teen"
)


def has_number_words(folded: str) -> bool:
    """Whether the folded answer spells out a number or a multiplier."""
    return any(
        word in _NUMBER_WORDS or _COMPOUND_NUMBER_WORD.fullmatch(word)
        for word in _WORD.findall(folded)
    )


def find_numbers(folded: str) -> Iterator[Reading | Problem]:
    """Every number in the folded answer, in order; `MALFORMED` for one that reads no way."""
    for match in _NUMBER.finditer(folded):
        value = _value(match["digits"], leading_mark=match["lead"] is not None)
        if value is None:
            yield Problem.MALFORMED
            continue
        # Only the two characters before the number can hold its sign ("-5", "- 5").
        negative = _MINUS.search(folded, max(0, match.start() - 2), match.start()) is not None
        yield Reading(value, negative, match.start(), match.end())


def find_plain_numbers(folded: str) -> Iterator[str]:
    """The numbers written as bare digits ("2019", not "2.019" or "1 500"), in order."""
    for match in _NUMBER.finditer(folded):
        if match["lead"] is None and match["digits"].isdigit():
            yield match["digits"]


def read_number(folded: str) -> Reading | Problem:
    """The one number of a folded answer, or why there is not exactly one."""
    if len(folded) > MAX_ANSWER_CHARS or has_number_words(folded):
        return Problem.NO_DIGITS
    numbers = list(islice(find_numbers(folded), 2))
    if not numbers:
        return Problem.NO_DIGITS
    if len(numbers) > 1:
        return Problem.SEVERAL
    return numbers[0]


def _value(digits: str, *, leading_mark: bool) -> Decimal | None:
    """The value of a digit run with separators, or None when no reading fits.

    "." and "," are disambiguated the way people write amounts in Spanish and English: with
    both, the last one is the decimal mark ("1.500,50", "1,500.50"); repeated, they group
    thousands ("1.000.000"); alone before exactly three digits after a short non-zero head they
    group thousands ("3.000", "1,500"); otherwise they are the decimal mark ("3,5", "45.50").
    """
    if leading_mark:
        return Decimal("0." + digits) if digits.isdigit() else None
    digits = digits.replace(" ", "")
    marks = {char for char in digits if char in ".,"}
    if not marks:
        return Decimal(digits)
    if len(marks) == 2:
        decimal_mark = digits[max(digits.rfind("."), digits.rfind(","))]
        head, _, tail = digits.rpartition(decimal_mark)
        grouping = "," if decimal_mark == "." else "."
        if decimal_mark in head or not _grouped(head, grouping):
            return None
        return Decimal(head.replace(grouping, "") + "." + tail)
    (mark,) = marks
    if digits.count(mark) > 1:
        return Decimal(digits.replace(mark, "")) if _grouped(digits, mark) else None
    head, _, tail = digits.partition(mark)
    if len(tail) == 3 and len(head) <= 3 and head.strip("0"):
        return Decimal(head + tail)
    return Decimal(head + "." + tail)


def _grouped(number: str, mark: str) -> bool:
    """Whether `number` is 1-3 digits followed by groups of exactly three, split by `mark`."""
    head, *groups = number.split(mark)
    return 1 <= len(head) <= 3 and all(len(group) == 3 for group in groups)
