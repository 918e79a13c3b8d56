"""Suggestion buttons carry the reading they propose, for every kind of question that has them."""

from decimal import Decimal

import pytest

from bot.callback_data import Action, QuestionToken, decode, encode
from flows.answers import Money
from flows.parsers import PROVINCES, country_codes
from flows.parsing import money_choice


@pytest.mark.parametrize(
    "code",
    [
        *PROVINCES,
        *sorted(country_codes())[:20],
        "h140",
        money_choice(Money(Decimal("99999.99"), "QAR")).code,
        money_choice(Money(Decimal(1200), "SAR")).code,
    ],
)
def test_a_suggestion_token_round_trips(code: str) -> None:
    token = QuestionToken(Action.SUGGESTION, 45, 123_456, code)
    assert decode(encode(token)) == token


@pytest.mark.parametrize("arg", ["", "a b", "ñandu", "x" * 33, "QAR1200.5"])
def test_a_malformed_suggestion_is_refused(arg: str) -> None:
    assert decode(f"k:3:4:{arg}") is None
