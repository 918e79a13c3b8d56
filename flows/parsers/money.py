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
from flows.parsers.confirm import Confirm
from flows.parsers.folding import fold
from flows.parsers.numbers import show_number
from flows.parsers.reading import Problem, read_number

MLC: Final = "MLC"

# "pesos" alone is the Cuban peso to some respondents and the Mexican or Colombian peso to
# others; a wrong guess would corrupt wage-retention figures, so we ask.
_WHICH_PESOS: Final = "?"
# Words that name a currency only together with the mission country (ISO 3166 -> ISO 4217).
# Without the country, or for another one, the respondent picks among the candidates.
_RIAL: Final = "?rial"
_DINAR: Final = "?dinar"
_BS: Final = "?bs"
AMBIGUOUS_BY_COUNTRY: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        _RIAL: MappingProxyType({"QA": "QAR", "SA": "SAR", "OM": "OMR", "IR": "IRR", "YE": "YER"}),
        _DINAR: MappingProxyType({"KW": "KWD", "DZ": "DZD", "LY": "LYD", "IQ": "IQD", "TN": "TND"}),
        _BS: MappingProxyType({"VE": "VES", "BO": "BOB"}),
    }
)
# Where "$" is the local peso's sign; elsewhere a "$" amount is read as US dollars.
_DOLLAR_SIGN_PESO: Final[Mapping[str, str]] = MappingProxyType(
    {"MX": "MXN", "CO": "COP", "AR": "ARS", "CL": "CLP", "DO": "DOP", "UY": "UYU"}
)
_CURRENCY_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "QAR": "Catar",
        "SAR": "Arabia Saudita",
        "OMR": "Omán",
        "IRR": "Irán",
        "YER": "Yemen",
        "KWD": "Kuwait",
        "DZD": "Argelia",
        "LYD": "Libia",
        "IQD": "Irak",
        "TND": "Túnez",
        "VES": "Venezuela",
        "BOB": "Bolivia",
        "USD": "EE. UU.",
    }
)

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
        **dict.fromkeys(["ves", "bsf", "bolivar", "bolivares", "bolos"], "VES"),
        **dict.fromkeys(["gbp", "£", "libra esterlina", "libras esterlinas", "libras"], "GBP"),
        **dict.fromkeys(["dolar canadiense", "dolares canadienses"], "CAD"),
        **dict.fromkeys(["dolar del caribe oriental", "dolares del caribe oriental"], "XCD"),
        **dict.fromkeys(["rial qatari", "riales qataries", "riyal qatari"], "QAR"),
        **dict.fromkeys(["riyales qataries", "rial catari", "riales cataries"], "QAR"),
        **dict.fromkeys(
            ["riyal catari", "riyales cataries", "qatari riyal", "qatari riyals"], "QAR"
        ),
        **dict.fromkeys(["rial saudi", "riales saudies", "riyal saudi", "riyales saudies"], "SAR"),
        **dict.fromkeys(["saudi riyal", "saudi riyals"], "SAR"),
        **dict.fromkeys(["rial omani", "riales omanies", "omani rial"], "OMR"),
        **dict.fromkeys(["rial irani", "riales iranies"], "IRR"),
        **dict.fromkeys(["dinar kuwaiti", "dinares kuwaities", "kuwaiti dinar"], "KWD"),
        **dict.fromkeys(["dinar argelino", "dinares argelinos", "algerian dinar"], "DZD"),
        **dict.fromkeys(["gourde", "gourdes"], "HTG"),
        **dict.fromkeys(["cedi", "cedis"], "GHS"),
        **dict.fromkeys(["naira", "nairas"], "NGN"),
        **dict.fromkeys(["escudo caboverdiano", "escudos caboverdianos"], "CVE"),
        **dict.fromkeys(["franco guineano", "francos guineanos"], "GNF"),
        **dict.fromkeys(["dong", "dongs"], "VND"),
        **dict.fromkeys(["dolar jamaicano", "dolares jamaicanos"], "JMD"),
        **dict.fromkeys(["dolar bahameno", "dolares bahamenos"], "BSD"),
        **dict.fromkeys(["dolar beliceno", "dolares belicenos"], "BZD"),
        **dict.fromkeys(["libra egipcia", "libras egipcias"], "EGP"),
        **dict.fromkeys(["reais"], "BRL"),
        # Words several mission countries use: the mission country decides, or we ask.
        **dict.fromkeys(["rial", "riales", "riyal", "riyales", "riyals"], _RIAL),
        **dict.fromkeys(["dinar", "dinares", "dinars"], _DINAR),
        **dict.fromkeys(["bs"], _BS),
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
_WEAK: Final = frozenset({"$", "peso", "pesos", "rial", "riales", "riyal", "riyales", "riyals"})

_NAMED_PATTERN: Final = re.compile(
    r"(?<![a-z])(?:"
    + "|".join(re.escape(name) for name in sorted(_NAMED, key=len, reverse=True))
    + r")(?![a-z])"
)
_SHARE: Final = re.compile(
    r"%|(?<![a-z])(?:por ?ciento|percent|la mitad|mitad|un tercio|un cuarto|half|quarter"
    r"|una parte|parte del|del salario|del sueldo|del pago)(?![a-z])"
)
_MIL: Final = re.compile(r"(?:([0-9]+(?:[.,][0-9]+)?) ?)?(?<![a-z])mil(?![a-z])")
MSG_SHARE: Final = (
    "Usted escribió una parte, no una cantidad de dinero. Escriba la cantidad con su moneda, "
    "por ejemplo: «300 USD». Si no la sabe, pulse «No sé»."
)
MSG_WHICH_CURRENCY: Final = "¿En qué moneda son {amount}? Pulse una opción o escriba la moneda."
_WORD_BEFORE: Final = re.compile(r"(?<![a-z])([a-z]{3}) ?$")
_WORD_AFTER: Final = re.compile(r" ?([a-z]{3})(?![a-z])")


@cache
def _iso_codes() -> frozenset[str]:
    """Lower-case ISO 4217 codes Babel knows, less the testing and no-currency codes."""
    return frozenset(code.lower() for code in list_currencies()) - {"xxx", "xts"}


def parse_money(
    text: str,
    lo: Decimal,
    hi: Decimal,
    default_currency: str = "USD",
    *,
    country: str | None = None,
) -> Money | Message | Confirm[Money]:
    """An amount between `lo` and `hi` and its currency ("3.000", "US$ 1.500,50", "3 mil CUP").

    Without a currency the amount is in `default_currency`. `country` (ISO 3166, the mission
    country when known) decides words several countries use ("riales", "dinares", "Bs"); when
    it does not, a `Confirm` offers the candidate currencies. A share ("25 %", "la mitad") is
    not an amount: it is refused with a message that says so, never read as money.
    """
    folded = fold(text)
    if _SHARE.search(folded):
        return Message(MSG_SHARE)
    folded = _thousands_word(folded)
    reading = read_number(folded)
    if reading is Problem.SEVERAL:
        return Message("Escriba una sola cantidad, por ejemplo: 3000 USD.")
    if isinstance(reading, Problem):
        return Message("Escriba la cantidad con números, por ejemplo: 3000 o 3000 USD.")
    if reading.negative:
        return Message("La cantidad no puede ser negativa. Escriba, por ejemplo: 3000 USD.")
    if not lo <= reading.value <= hi:
        limits: dict[str, str | int] = {"lo": show_number(lo), "hi": show_number(hi)}
        return Message("Escriba una cantidad entre {lo} y {hi}.", limits)
    currency = _currency(folded, reading.start, reading.end, default_currency, country)
    if isinstance(currency, Message):
        return currency
    if isinstance(currency, tuple):
        amount = show_number(reading.value)
        return Confirm(
            Message(MSG_WHICH_CURRENCY, {"amount": amount}),
            tuple(Money(reading.value, code) for code in currency),
        )
    return Money(reading.value, currency)


def show_money(money: Money) -> str:
    """An amount as a respondent reads it: "1.200 QAR"."""
    return f"{show_number(money.amount)} {money.currency}"


def currency_place(code: str) -> str:
    """The country a currency of an ambiguous word belongs to, in Spanish, for a button."""
    return _CURRENCY_NAMES.get(code, code)


def _thousands_word(folded: str) -> str:
    """ "3 mil" -> "3000", "1,5 mil" -> "1500", "mil" -> "1000": the one number word we read.

    Cubans write amounts with "mil" as often as with zeros; any other number word still
    refuses the answer (see `has_number_words`).
    """

    def times_thousand(match: re.Match[str]) -> str:
        if match[1] is None:
            return "1000"
        reading = read_number(match[1])
        if isinstance(reading, Problem):
            return match[0]  # left as it was: the reader refuses it
        return format((reading.value * 1000).normalize(), "f")

    return _MIL.sub(times_thousand, folded)


def _currency(
    folded: str, start: int, end: int, default: str, country: str | None
) -> str | tuple[str, ...] | Message:
    """The one currency the answer names around the amount at `start:end`, or candidates."""
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
    for shared in [code for code in (*strong, *weak) if code in AMBIGUOUS_BY_COUNTRY]:
        (strong if shared in strong else weak).discard(shared)
        by_country = AMBIGUOUS_BY_COUNTRY[shared]
        if country is not None and country in by_country:
            strong.add(by_country[country])
        elif not strong:
            return tuple(by_country.values())
    if len(strong) > 1:
        return Message("Escriba una sola moneda, por ejemplo: 3000 USD.")
    if strong:
        return strong.pop()
    if _WHICH_PESOS in weak:
        return Message("¿Qué pesos? Escriba la moneda, por ejemplo: 5000 CUP o 5000 MXN.")
    if "USD" in weak and country is not None and country in _DOLLAR_SIGN_PESO:
        # "$" is the peso's sign there too: the respondent says which.
        return ("USD", _DOLLAR_SIGN_PESO[country])
    if weak:
        return weak.pop()
    return default.upper()
