"""Countries and Cuban provinces typed by name: exact when sure, suggestions when not."""

import unicodedata

import pytest
from babel import Locale

from flows.parsers import (
    PROVINCES,
    country_codes,
    country_name,
    match_country,
    match_province,
)


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _babel_names(language: str) -> list[tuple[str, str]]:
    territories = Locale(language).territories
    return sorted((str(code), str(territories[code])) for code in country_codes())


def test_country_codes_are_countries_not_groupings() -> None:
    codes = country_codes()
    assert {"CU", "VE", "BR", "QA", "SA", "MX", "AO", "XK"} <= codes
    assert not codes & {"ZZ", "EU", "UN", "EZ", "QO", "XA", "XB", "001", "419"}
    assert all(len(code) == 2 and code.isalpha() and code.isupper() for code in codes)
    assert len(codes) >= 245


@pytest.mark.parametrize("language", ["es", "en"])
def test_every_babel_country_name_matches_exactly(language: str) -> None:
    for code, name in _babel_names(language):
        for variant in (name, name.upper(), name.lower(), _strip_accents(name), f"  {name} "):
            match = match_country(variant)
            assert match.code == code, (variant, match)
            assert match.message is None and match.suggestions == ()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("EEUU", "US"),
        ("EE. UU.", "US"),
        ("USA", "US"),
        ("Estados Unidos", "US"),
        ("la Yuma", "US"),
        ("Catar", "QA"),
        ("Qatar", "QA"),
        ("Arabia Saudita", "SA"),
        ("Arabia Saudí", "SA"),
        ("arabia saudi", "SA"),
        ("Brasil", "BR"),
        ("Brazil", "BR"),
        ("México", "MX"),
        ("mexico", "MX"),
        ("Rep. Dominicana", "DO"),
        ("República Dominicana", "DO"),
        ("Emiratos", "AE"),
        ("Dubái", "AE"),
        ("Timor Oriental", "TL"),
        ("Costa de Marfil", "CI"),
        ("Inglaterra", "GB"),
        ("Holanda", "NL"),
        ("Bosnia and Herzegovina", "BA"),
        ("Trinidad and Tobago", "TT"),
        ("Saint Lucia", "LC"),
        ("Venezuela.", "VE"),
        ("Belarús", "BY"),
        ("El Salvador", "SV"),
        ("Congo", "CG"),
    ],
)
def test_country_aliases(text: str, code: str) -> None:
    assert match_country(text).code == code


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Venezuala", "VE"),
        ("venez", "VE"),
        ("Argentna", "AR"),
        ("Kuwai", "KW"),
        ("Malvinas", "FK"),
        ("trabajé en Venezuela", "VE"),
        ("en Angola desde 2015", "AO"),
    ],
)
def test_country_unsure_gives_suggestions(text: str, first: str) -> None:
    match = match_country(text)
    assert match.code is None
    assert match.suggestions[0] == first
    assert len(match.suggestions) <= 5
    assert match.message is not None
    assert match.message.msgid.startswith("¿Quiso decir")
    assert not match.message.params


def test_ambiguous_country_names_are_asked_not_guessed() -> None:
    match = match_country("Corea")
    assert match.code is None
    assert set(match.suggestions) == {"KR", "KP"}


@pytest.mark.parametrize("text", ["", "   ", "xqzvbnm", "?!", "no", "es", "12345", "a" * 500])
def test_country_garbage_gives_a_message_without_suggestions(text: str) -> None:
    match = match_country(text)
    assert match.code is None
    assert match.suggestions == ()
    assert match.message is not None
    assert not match.message.params


def test_country_matches_names_in_another_locale_too() -> None:
    assert match_country("Deutschland", locale="de").code == "DE"
    assert match_country("Alemania", locale="de").code == "DE"
    assert match_country("Germany", locale="no-such-locale").code == "DE"


def test_country_name_for_display() -> None:
    assert country_name("QA") == "Catar"
    assert country_name("QA", "en") == "Qatar"
    assert country_name("ZZZ") == "ZZZ"


def test_provinces_are_the_fifteen_and_the_special_municipality() -> None:
    assert len(PROVINCES) == 16
    assert next(iter(PROVINCES)) == "pinar_del_rio"
    assert PROVINCES["isla_de_la_juventud"] == "Isla de la Juventud"
    assert all(code.isascii() and code == code.lower() for code in PROVINCES)


def test_every_province_name_matches_exactly() -> None:
    for code, name in PROVINCES.items():
        for variant in (name, name.upper(), _strip_accents(name), f"provincia de {name}"):
            match = match_province(variant)
            assert match == match_province(variant.lower())
            assert match.code == code, (variant, match)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Habana", "la_habana"),
        ("La Habana", "la_habana"),
        ("Ciudad de La Habana", "la_habana"),
        ("Havana", "la_habana"),
        ("Isla de Pinos", "isla_de_la_juventud"),
        ("la Isla", "isla_de_la_juventud"),
        ("Santiago", "santiago_de_cuba"),
        ("Sancti Spiritus", "sancti_spiritus"),
        ("Camaguey", "camaguey"),
        ("Pinar", "pinar_del_rio"),
        ("Santa Clara", "villa_clara"),
        ("Tunas", "las_tunas"),
    ],
)
def test_province_aliases(text: str, code: str) -> None:
    assert match_province(text).code == code


@pytest.mark.parametrize(
    ("text", "suggested"),
    [
        ("Las Villas", {"villa_clara", "cienfuegos", "sancti_spiritus"}),
        ("Oriente", {"santiago_de_cuba", "holguin", "granma", "las_tunas", "guantanamo"}),
        ("Habana Campo", {"artemisa", "mayabeque"}),
        ("Matanza", {"matanzas"}),
        ("Guantanamos", {"guantanamo"}),
    ],
)
def test_province_unsure_gives_suggestions(text: str, suggested: set[str]) -> None:
    match = match_province(text)
    assert match.code is None
    assert set(match.suggestions) == suggested
    assert match.message is not None and match.message.msgid.startswith("¿Quiso decir")


@pytest.mark.parametrize("text", ["", "Madrid", "zzzz"])
def test_province_garbage(text: str) -> None:
    match = match_province(text)
    assert match.code is None and match.suggestions == ()
    assert match.message is not None


def _typos(name: str) -> list[str]:
    middle = len(name) // 2
    return [
        name[:-1],
        name[:middle] + name[middle + 1 :],
        name[: middle - 1] + name[middle] + name[middle - 1] + name[middle + 1 :],
    ]


@pytest.mark.parametrize("language", ["es", "en"])
def test_typos_suggest_the_country_and_never_another_for_sure(language: str) -> None:
    missed = []
    for code, name in _babel_names(language):
        if len(name) < 6:
            continue  # "Chad" minus a letter is no longer recognisably Chad
        for typo in _typos(name):
            match = match_country(typo)
            assert match.code in (None, code), (typo, match)
            if code != match.code and code not in match.suggestions:
                missed.append(typo)
    # Fuzzy matching finds nearly all of them; a handful of mangled long names may slip.
    assert len(missed) <= 5, missed
