"""Receipts: format, normalization and randomness."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.receipts import new_receipt, normalize_receipt

CANONICAL = re.compile(r"[0-9]{4} [0-9]{4} [0-9]{4} [0-9]{4}")


def test_format_is_four_groups_of_four_digits() -> None:
    for _ in range(200):
        receipt = new_receipt()
        assert CANONICAL.fullmatch(receipt), receipt
        assert normalize_receipt(receipt) == receipt


def test_no_repeats_in_ten_thousand() -> None:
    receipts = [new_receipt() for _ in range(10_000)]
    assert len(set(receipts)) == 10_000


def test_every_position_takes_every_digit() -> None:
    receipts = [new_receipt().replace(" ", "") for _ in range(2000)]
    for position in range(16):
        counts = Counter(receipt[position] for receipt in receipts)
        assert set(counts) == set("0123456789"), position
        assert min(counts.values()) > 100  # 200 expected each; a stuck digit would show


@pytest.mark.parametrize(
    "typed",
    [
        "1234 5678 9012 3456",
        "1234567890123456",
        "1234-5678-9012-3456",
        "1234.5678.9012.3456",
        "  1234  5678-9012.3456 \n",
        "12 34 56 78 90 12 34 56",
    ],
)
def test_accepted_spellings(typed: str) -> None:
    assert normalize_receipt(typed) == "1234 5678 9012 3456"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "1234 5678 9012 345",
        "1234 5678 9012 34567",
        "1234 5678 9012 345a",
        "1234_5678_9012_3456",
        "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦",  # Arabic-Indic digits
        "１２３４５６７８９０１２３４５６",  # full-width digits
        "+1234 5678 9012 3456",
    ],
)
def test_refused_spellings(typed: str) -> None:
    assert normalize_receipt(typed) is None


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet="0123456789", min_size=16, max_size=16),
    st.lists(st.sampled_from([" ", "-", ".", "  "]), min_size=17, max_size=17),
)
def test_any_separators_give_the_canonical_form(digits: str, separators: list[str]) -> None:
    typed = "".join(separator + digit for separator, digit in zip(separators, digits, strict=False))
    typed += separators[-1]
    expected = " ".join(digits[i : i + 4] for i in range(0, 16, 4))
    assert normalize_receipt(typed) == expected


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_never_raises_and_output_is_canonical(text: str) -> None:
    result = normalize_receipt(text)
    assert result is None or CANONICAL.fullmatch(result)
