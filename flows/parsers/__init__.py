"""Pure parsers of respondents' typed answers: numbers, money, countries, provinces, text.

None of them raises on respondent input: each returns the value or a `Message` (a Spanish
msgid) saying how to answer; place matchers return a match with suggestions when unsure.
"""

from flows.parsers.countries import CountryMatch, country_codes, country_name, match_country
from flows.parsers.money import MLC, parse_money
from flows.parsers.numbers import parse_decimal, parse_integer, parse_percent, parse_year
from flows.parsers.provinces import PROVINCES, ProvinceMatch, match_province
from flows.parsers.text import check_text

__all__ = [
    "MLC",
    "PROVINCES",
    "CountryMatch",
    "ProvinceMatch",
    "check_text",
    "country_codes",
    "country_name",
    "match_country",
    "match_province",
    "parse_decimal",
    "parse_integer",
    "parse_money",
    "parse_percent",
    "parse_year",
]
