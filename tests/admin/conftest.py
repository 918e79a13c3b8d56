"""Session fixtures of the admin tests: the conversation-built database, cached on disk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.admin.fixtures.builder import COUNT, FixtureDatabase, cached_fixture


@pytest.fixture(scope="session")
def built() -> FixtureDatabase:
    """~300 submissions driven through the conversation service (see fixtures/builder.py).

    `OCLEP_ADMIN_FIXTURE_COUNT` builds a smaller one while working on the tests (some
    assertions about the fixture's spread then fail on purpose).
    """
    return cached_fixture(int(os.environ.get("OCLEP_ADMIN_FIXTURE_COUNT", COUNT)))


@pytest.fixture(autouse=True)
def private_audit_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Decrypting commands append to an audit log: never the tester's own."""
    path = tmp_path / "audit" / "audit.jsonl"
    monkeypatch.setenv("OCLEP_AUDIT_LOG", str(path))
    return path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The first test to use `built` may build it (minutes of conversation when not cached)."""
    for item in items:
        if "built" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.timeout(900))
