"""Order statistics (median, quartiles, range) of exact decimal values."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal


def quantile(ordered: Sequence[Decimal], fraction: Decimal) -> Decimal:
    """Linear interpolation between order statistics at (n - 1) * fraction.

    This is the "inclusive" method of `statistics.quantiles` and numpy's default: min and max
    are the 0 and 1 quantiles, so the box of a box plot never lies outside the published range.
    """
    if not ordered:
        raise ValueError("quantile of an empty list")
    position = (len(ordered) - 1) * fraction
    below = int(position)
    if below + 1 >= len(ordered):
        return ordered[-1]
    weight = position - below
    return ordered[below] + weight * (ordered[below + 1] - ordered[below])


def rounded(value: Decimal, places: int) -> Decimal:
    """Half-up rounding, the convention readers expect from published tables."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def rounded_to(value: Decimal, step: Decimal) -> Decimal:
    """Half-up rounding to a multiple of `step` (1 for whole percent, 100 for dollars)."""
    return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
