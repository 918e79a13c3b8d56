"""Country answers: a typed name matched to its ISO 3166-1 alpha-2 code with Babel's names."""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Final

from babel import Locale, UnknownLocaleError

from flows.messages import Message
from flows.parsers.names import NameIndex

# CLDR territory codes that are not countries: exceptional ISO reservations (Ascension,
# Canaries, Ceuta and Melilla...), groupings (EU, UN, eurozone), pseudo-locales and
# "unknown region". Kosovo (XK) stays: it is a user-assigned code, but the one CLDR and the
# European Union use, and a place respondents work in.
_NOT_COUNTRIES: Final = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "IC", "TA", "EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}
)

# Names Babel does not give, in the spellings respondents use: official long forms, older
# names, abbreviations and Cuban usage ("la Yuma" is the United States). Several codes mark
# a name that is genuinely ambiguous, answered with suggestions.
_ALIASES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        **dict.fromkeys(
            ["EEUU", "EE. UU.", "EUA", "USA", "U.S.A.", "US", "Yuma", "Norteamérica"], ("US",)
        ),
        **dict.fromkeys(["Estados Unidos de América", "United States of America"], ("US",)),
        **dict.fromkeys(["Inglaterra", "Gran Bretaña", "UK", "England", "Great Britain"], ("GB",)),
        **dict.fromkeys(["Escocia", "Scotland", "Gales", "Wales", "Britain"], ("GB",)),
        **dict.fromkeys(["Qatar", "Katar"], ("QA",)),
        **dict.fromkeys(["Arabia Saudita", "Arabia", "KSA", "Saudi"], ("SA",)),
        **dict.fromkeys(["Emiratos", "Emiratos Árabes", "EAU", "UAE", "Emirates"], ("AE",)),
        **dict.fromkeys(["Dubái", "Dubai", "Abu Dabi", "Abu Dhabi"], ("AE",)),
        **dict.fromkeys(["RD", "Rep. Dominicana", "República Dominicana"], ("DO",)),
        **dict.fromkeys(["Timor Oriental", "East Timor", "Timor"], ("TL",)),
        **dict.fromkeys(["Costa de Marfil", "Ivory Coast"], ("CI",)),
        **dict.fromkeys(["Birmania", "Burma"], ("MM",)),
        **dict.fromkeys(["República Checa", "Czech Republic"], ("CZ",)),
        **dict.fromkeys(["Macedonia"], ("MK",)),
        **dict.fromkeys(["Suazilandia", "Swaziland"], ("SZ",)),
        **dict.fromkeys(["Holanda", "Holland"], ("NL",)),
        **dict.fromkeys(["Corea", "Korea"], ("KR", "KP")),
        **dict.fromkeys(["RDC", "RD Congo", "DRC", "Zaire", "Zaíre"], ("CD",)),
        **dict.fromkeys(["Congo Brazzaville"], ("CG",)),
        **dict.fromkeys(["South Korea"], ("KR",)),
        **dict.fromkeys(["North Korea"], ("KP",)),
        **dict.fromkeys(["Federación Rusa", "Federación de Rusia", "Russian Federation"], ("RU",)),
        **dict.fromkeys(["Viet Nam"], ("VN",)),
        **dict.fromkeys(["Palestina", "Palestine"], ("PS",)),
        **dict.fromkeys(["Hong Kong"], ("HK",)),
        **dict.fromkeys(["Macao", "Macau"], ("MO",)),
        **dict.fromkeys(["Vaticano", "Vatican", "Santa Sede", "Holy See"], ("VA",)),
        **dict.fromkeys(["Belarús"], ("BY",)),
        **dict.fromkeys(["Turkey", "Turquia"], ("TR",)),
        **dict.fromkeys(["República Bolivariana de Venezuela"], ("VE",)),
        **dict.fromkeys(["Antigua"], ("AG",)),
        **dict.fromkeys(["Trinidad"], ("TT",)),
        **dict.fromkeys(["San Kitts y Nevis", "Saint Kitts"], ("KN",)),
        **dict.fromkeys(["Méjico"], ("MX",)),
        **dict.fromkeys(["Bahrein", "Bahréin"], ("BH",)),
        **dict.fromkeys(["Nueva Zelandia"], ("NZ",)),
        **dict.fromkeys(["Kazajstán"], ("KZ",)),
        **dict.fromkeys(["Kirguizistán"], ("KG",)),
        **dict.fromkeys(["Bangladesh"], ("BD",)),
    }
)


@dataclass(frozen=True)
class CountryMatch:
    """A typed country: `code` (ISO 3166-1 alpha-2) when sure; else suggestions and why."""

    code: str | None
    suggestions: tuple[str, ...]
    message: Message | None


@cache
def country_codes() -> frozenset[str]:
    """Every code `match_country` can return: the countries and territories of ISO 3166-1."""
    return frozenset(
        code
        for code in map(str, Locale("en").territories)
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    )


def country_name(code: str, locale: str = "es") -> str:
    """The name to show for a country code, in `locale` (Spanish by default)."""
    return str(_locale(locale).territories.get(code, code))


def match_country(text: str, locale: str = "es") -> CountryMatch:
    """Match a typed country name, in Spanish, English or `locale`, accents and case aside."""
    found = _country_index(_locale(locale).language).find(text)
    if found.code is not None:
        return CountryMatch(found.code, (), None)
    if found.suggestions:
        return CountryMatch(
            None,
            found.suggestions,
            Message("¿Quiso decir alguno de estos países? Toque uno o escriba el nombre otra vez."),
        )
    return CountryMatch(
        None,
        (),
        Message("No encontramos ese país. Escriba su nombre completo, por ejemplo: Venezuela."),
    )


def _locale(identifier: str) -> Locale:
    try:
        return Locale.parse(identifier)
    except (ValueError, UnknownLocaleError):
        return Locale("es")


@cache
def _country_index(language: str) -> NameIndex:
    """The name index for one language, always with the Spanish and English names too."""
    codes = country_codes()
    names = [
        (str(code), str(name))
        for lang in dict.fromkeys(["es", "en", language])
        for code, name in Locale(lang).territories.items()
        if code in codes
    ]
    return NameIndex.build(names, _ALIASES)
