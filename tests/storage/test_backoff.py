"""The one backoff rule: doubling from the first wait, capped, safe after any outage."""

from __future__ import annotations

import random

from storage.backoff import Backoff


def test_waits_double_from_the_first_and_stop_at_the_cap() -> None:
    backoff = Backoff(first=0.5, cap=3.0)
    assert [backoff.delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_a_long_outage_keeps_the_cap_instead_of_overflowing() -> None:
    # A poller failing every 30 s for a year has failed about a million times.
    assert Backoff(first=2.0, cap=30.0).delay(1_000_000) == 30.0


def test_jitter_keeps_the_second_half_of_each_wait_random() -> None:
    backoff, rng = Backoff(first=1.0, cap=8.0), random.Random(3)
    waits = [backoff.jittered(3, rng) for _ in range(200)]
    assert all(2.0 <= wait <= 4.0 for wait in waits)
    assert len(set(waits)) == len(waits)
