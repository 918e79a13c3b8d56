"""Pure parsers of respondents' typed answers: numbers, hours, money, places, text.

None of them raises on respondent input: each returns the value or a `Message` (a Spanish
msgid) saying how to answer, or a `Confirm` of readings the respondent picks from; place
matchers return a match with suggestions when unsure.
"""

from flows.parsers.confirm import Confirm
from flows.parsers.countries import CountryMatch, country_codes, country_name, match_country
from flows.parsers.hours import HOURS_PER_WEEK_MAX, parse_weekly_hours
from flows.parsers.money import MLC, currency_place, parse_money, show_money
from flows.parsers.numbers import parse_decimal, parse_integer, parse_percent, parse_year
from flows.parsers.provinces import PROVINCES, ProvinceMatch, match_province
from flows.parsers.text import check_text

__all__ = [
    "HOURS_PER_WEEK_MAX",
    "MLC",
    "PROVINCES",
    "Confirm",
    "CountryMatch",
    "ProvinceMatch",
    "check_text",
    "country_codes",
    "country_name",
    "currency_place",
    "match_country",
    "match_province",
    "parse_decimal",
    "parse_integer",
    "parse_money",
    "parse_percent",
    "parse_weekly_hours",
    "parse_year",
    "show_money",
]
