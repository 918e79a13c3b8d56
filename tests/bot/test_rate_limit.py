"""The flood limits on a respondent's events: counted in memory, per RATE pseudonym."""

from __future__ import annotations

from bot.rate_limit import EventWindows, RateLimit
from storage.database import Database
from tests.conftest import DatabaseTarget
from tests.storage.repository_support import Setup


async def test_rate_limit_counts_per_window_and_writes_nothing(
    database: Database, database_target: DatabaseTarget
) -> None:
    setup = Setup(database)
    setup.repository()
    rate = setup.pseudonyms.rate(1234567890)
    other = setup.pseudonyms.rate(987654321)
    before = database_target.stored_bytes()
    limit = RateLimit(3, clock=lambda: setup.clock().timestamp())
    allowed = [limit.allow_event(rate) for _ in range(5)]
    assert allowed == [True, True, True, False, False]
    assert limit.allow_event(other)
    setup.clock.advance(seconds=60)
    assert limit.allow_event(rate)  # a new window starts at zero
    assert not database_target.holds(rate) and not database_target.holds(other)
    if database_target.kind == "sqlite":
        assert database_target.stored_bytes() == before  # not even a write


def test_rate_windows_are_bounded() -> None:
    windows = EventWindows(max_respondents=2)
    assert [windows.hit(b"a", 7), windows.hit(b"a", 7), windows.hit(b"b", 7)] == [1, 2, 1]
    assert windows.hit(b"c", 7) == 1  # "a", the least recently seen, is dropped
    assert windows.hit(b"a", 7) == 1
    assert windows.hit(b"c", 8) == 1  # a new window keeps nothing of the last


def test_toggles_have_their_own_budget() -> None:
    # Ticking boxes quickly does not eat the budget of answers, nor the reverse.
    limit = RateLimit(2, clock=lambda: 0.0)
    assert [limit.allow_toggle(b"a") for _ in range(3)] == [True, True, False]
    assert [limit.allow_event(b"a") for _ in range(3)] == [True, True, False]
