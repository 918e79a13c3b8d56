"""Answer values survive their JSON encoding unchanged."""

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.answers import (
    ANSWERED,
    SKIPPED,
    AnswerFormatError,
    AnswerValue,
    Money,
    decode_answer,
    decode_navigation_value,
    encode_answer,
)

answer_values = st.one_of(
    st.text(),
    st.lists(st.text(min_size=1), max_size=5).map(tuple),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.builds(
        Money,
        st.decimals(allow_nan=False, allow_infinity=False),
        st.sampled_from(["USD", "EUR", "CUP"]),
    ),
    st.just(SKIPPED),
)


@given(answer_values)
def test_every_answer_value_round_trips_through_json(value: AnswerValue) -> None:
    wire = json.loads(json.dumps(encode_answer(value)))
    decoded = decode_answer(wire)
    assert decoded == value
    assert type(decoded) is type(value)
    if isinstance(value, Decimal):
        assert str(decoded) == str(value)  # "3.50" stays "3.50"


def test_tags_are_the_documented_ones() -> None:
    assert encode_answer("si") == {"t": "text", "v": "si"}
    assert encode_answer(("a", "b")) == {"t": "codes", "v": ["a", "b"]}
    assert encode_answer(2019) == {"t": "int", "v": 2019}
    assert encode_answer(Decimal("45.5")) == {"t": "dec", "v": "45.5"}
    assert encode_answer(Money(Decimal("3000"), "USD")) == {"t": "money", "v": "3000", "c": "USD"}
    assert encode_answer(SKIPPED) == {"t": "skip"}
    assert decode_answer({"t": "code", "v": "si"}) == "si"


def test_routing_placeholder_is_a_navigation_value_but_not_an_answer() -> None:
    wire = encode_answer(ANSWERED)
    assert decode_navigation_value(wire) is ANSWERED
    with pytest.raises(AnswerFormatError):
        decode_answer(wire)


@pytest.mark.parametrize(
    "obj",
    [
        {"t": "int", "v": "3"},
        {"t": "int", "v": True},
        {"t": "dec", "v": "NaN"},
        {"t": "dec", "v": "tres"},
        {"t": "money", "v": "3"},
        {"t": "codes", "v": [1]},
        {"t": "nope"},
        {},
    ],
)
def test_malformed_records_raise_a_typed_error(obj: dict[str, object]) -> None:
    with pytest.raises(AnswerFormatError):
        decode_answer(obj)


def test_a_bool_is_not_an_answer() -> None:
    with pytest.raises(TypeError):
        encode_answer(True)
