"""The six-month fixture ledger and a site built from it, shared by the site tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.admin.cli_support import run
from tests.admin.site.ledger_fixture import FixtureLedger, write_fixture_ledger
from tests.admin.site.quotes_fixture import write_quotes_file


@pytest.fixture(scope="session")
def six_months(tmp_path_factory: pytest.TempPathFactory) -> FixtureLedger:
    return write_fixture_ledger(tmp_path_factory.mktemp("ledger"))


@pytest.fixture(scope="session")
def quotes_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_quotes_file(tmp_path_factory.mktemp("quotes") / "quotes.json")


def build_site(fixture: FixtureLedger, out: Path, *extra: object) -> Path:
    result = run(
        ["site", "build", "--ledger", fixture.ledger, *fixture.key_args(), "--out", out, *extra]
    )
    assert result.exit_code == 0, result.stderr + result.stdout
    return out


@pytest.fixture(scope="session")
def site(
    six_months: FixtureLedger, quotes_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return build_site(
        six_months,
        tmp_path_factory.mktemp("site") / "public",
        "--quotes",
        quotes_file,
        "--bot-link",
        "https://t.me/ejemplo_testimonio_bot",
    )
