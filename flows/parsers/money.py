"""Money answers: one amount written with digits and, optionally, its currency.

Currencies are ISO 4217 codes, plus "MLC" (moneda libremente convertible): Cuba's
card-only dollar-backed unit in which many state wages and shop prices are set. It has no
ISO code, and respondents name it as a currency of its own, so it is kept apart from USD.
"""

import re
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from types import MappingProxyType
from typing import Final

from babel.numbers import list_currencies

from flows.answers import Money
from flows.messages import Message
from flows.parsers.folding import fold
from flows.parsers.numbers import show_number
from flows.parsers.reading import Problem, read_number

MLC: Final = "MLC"

# "pesos" alone is the Cuban peso to some respondents and the Mexican or Colombian peso to
# others; a wrong guess would corrupt wage-retention figures, so we ask.
_WHICH_PESOS: Final = "?"

# Folded words and symbols -> currency code. Checked longest first, so "pesos cubanos" wins
# over "pesos" and "us$" over "$".
_NAMED: Final[Mapping[str, str]] = MappingProxyType(
    {
        **dict.fromkeys(["usd", "us$", "u$s", "dolar", "dolares", "dollar", "dollars"], "USD"),
        **dict.fromkeys(
            ["dolar estadounidense", "dolares estadounidenses", "dolar americano"], "USD"
        ),
        **dict.fromkeys(["dolares americanos", "us dollars"], "USD"),
        **dict.fromkeys(["eur", "euro", "euros", "€"], "EUR"),
        **dict.fromkeys(["cup", "peso cubano", "pesos cubanos", "moneda nacional", "mn"], "CUP"),
        **dict.fromkeys(["cuc", "peso convertible", "pesos convertibles"], "CUC"),
        **dict.fromkeys(["mlc", "moneda libremente convertible"], MLC),
        **dict.fromkeys(["mxn", "peso mexicano", "pesos mexicanos"], "MXN"),
        **dict.fromkeys(["peso colombiano", "pesos colombianos"], "COP"),
        **dict.fromkeys(["peso argentino", "pesos argentinos"], "ARS"),
        **dict.fromkeys(["peso chileno", "pesos chilenos"], "CLP"),
        **dict.fromkeys(["peso dominicano", "pesos dominicanos"], "DOP"),
        **dict.fromkeys(["peso uruguayo", "pesos uruguayos"], "UYU"),
        **dict.fromkeys(["brl", "r$", "reales", "real brasileno", "reales brasilenos"], "BRL"),
        **dict.fromkeys(["ves", "bs", "bsf", "bolivar", "bolivares"], "VES"),
        **dict.fromkeys(["gbp", "£", "libra esterlina", "libras esterlinas", "libras"], "GBP"),
        **dict.fromkeys(["dolar canadiense", "dolares canadienses"], "CAD"),
        **dict.fromkeys(["dolar del caribe oriental", "dolares del caribe oriental"], "XCD"),
        **dict.fromkeys(["rial qatari", "riales qataries", "riyal qatari"], "QAR"),
        **dict.fromkeys(["riyales qataries", "rial catari", "riales cataries"], "QAR"),
        **dict.fromkeys(["rial saudi", "riales saudies", "riyal saudi", "riyales"], "SAR"),
        **dict.fromkeys(["dinar kuwaiti", "dinares kuwaities"], "KWD"),
        **dict.fromkeys(["kwanza", "kwanzas"], "AOA"),
        **dict.fromkeys(["metical", "meticales"], "MZN"),
        **dict.fromkeys(["yuan", "yuanes", "renminbi"], "CNY"),
        **dict.fromkeys(["rublo", "rublos"], "RUB"),
        **dict.fromkeys(["quetzal", "quetzales"], "GTQ"),
        **dict.fromkeys(["lempira", "lempiras"], "HNL"),
        **dict.fromkeys(["cordoba", "cordobas"], "NIO"),
        **dict.fromkeys(["soles"], "PEN"),
        **dict.fromkeys(["boliviano", "bolivianos"], "BOB"),
        **dict.fromkeys(["guarani", "guaranies"], "PYG"),
        **dict.fromkeys(["rand", "rands"], "ZAR"),
        **dict.fromkeys(["peso", "pesos"], _WHICH_PESOS),
        "$": "USD",
    }
)
# Generic marks that give way to any named currency: "$500 MN" is 500 CUP, not a conflict.
_WEAK: Final = frozenset({"$", "peso", "pesos"})

_NAMED_PATTERN: Final = re.compile(
    r"(?<![a-z])(?:"
    + "|".join(re.escape(name) for name in sorted(_NAMED, key=len, reverse=True))
    + r")(?![a-z])"
)
_WORD_BEFORE: Final = re.compile(r"(?<![a-z])([a-z]{3}) ?$")
_WORD_AFTER: Final = re.compile(r" ?([a-z]{3})(?![a-z])")


@cache
def _iso_codes() -> frozenset[str]:
    """Lower-case ISO 4217 codes Babel knows, less the testing and no-currency codes."""
    return frozenset(code.lower() for code in list_currencies()) - {"xxx", "xts"}


def parse_money(
    text: str, lo: Decimal, hi: Decimal, default_currency: str = "USD"
) -> Money | Message:
    """An amount between `lo` and `hi` and its currency ("3.000", "US$ 1.500,50", "200 EUR").

    Without a currency the amount is in `default_currency`.
    """
    folded = fold(text)
    reading = read_number(folded)
    if reading is Problem.SEVERAL:
        return Message("Escriba una sola cantidad, por ejemplo: 3000 USD.")
    if isinstance(reading, Problem):
        return Message("Escriba la cantidad con números, por ejemplo: 3000 o 3000 USD.")
    if reading.negative:
        return Message("La cantidad no puede ser negativa. Escriba, por ejemplo: 3000 USD.")
    currency = _currency(folded, reading.start, reading.end, default_currency)
    if isinstance(currency, Message):
        return currency
    if not lo <= reading.value <= hi:
        limits: dict[str, str | int] = {"lo": show_number(lo), "hi": show_number(hi)}
        return Message("Escriba una cantidad entre {lo} y {hi}.", limits)
    return Money(reading.value, currency)


def _currency(folded: str, start: int, end: int, default: str) -> str | Message:
    """The one currency the answer names around the amount at `start:end`."""
    strong: set[str] = set()
    weak: set[str] = set()
    for match in _NAMED_PATTERN.finditer(folded):
        (weak if match[0] in _WEAK else strong).add(_NAMED[match[0]])
    # Any other ISO code counts only right next to the amount ("QAR 3000", "3000 aoa"), where
    # a three-letter word cannot be an ordinary one.
    beside: tuple[re.Match[str] | None, ...] = (
        _WORD_BEFORE.search(folded, max(0, start - 4), start),
        _WORD_AFTER.match(folded, end),
    )
    for word in beside:
        if word and word[1] in _iso_codes():
            strong.add(word[1].upper())
    if len(strong) > 1:
        return Message("Escriba una sola moneda, por ejemplo: 3000 USD.")
    if strong:
        return strong.pop()
    if _WHICH_PESOS in weak:
        return Message("¿Qué pesos? Escriba la moneda, por ejemplo: 5000 CUP o 5000 MXN.")
    if weak:
        return weak.pop()
    return default.upper()
