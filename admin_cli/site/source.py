"""What the site may show: the months of a verified release ledger, one release each."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from admin_cli.errors import CommandError
from admin_cli.ledger import Ledger, LedgerEntry
from admin_cli.report.disclosure import ReaderView
from storage.keys import StaffPrivateKey


class SiteError(CommandError):
    """The site cannot be built from what it was given; one sentence for staff."""


@dataclass(frozen=True)
class PublishedMonth:
    """The release of one month the site shows: the last one recorded for that month (the
    final release once there is one; a provisional one is marked as such)."""

    period: str
    kind: str
    release: int
    issued: str
    min_cell: int
    report: Mapping[str, Any]
    view: ReaderView
    seal: str

    @property
    def provisional(self) -> bool:
        return self.kind == "provisional"


def published_months(entries: Iterable[LedgerEntry]) -> list[PublishedMonth]:
    """The last release of each month, oldest month first."""
    last: dict[str, LedgerEntry] = {}
    for entry in entries:
        last[entry.period] = entry  # entries are in ledger order: a later one replaces
    return [
        PublishedMonth(
            period=e.period,
            kind=e.kind,
            release=e.release,
            issued=e.issued,
            min_cell=e.min_cell,
            report=e.report,
            view=ReaderView.from_json(e.view),
            seal=e.mac,
        )
        for e in sorted(last.values(), key=lambda e: e.period)
    ]


def verified_months(path: Path, keys: Mapping[bytes, StaffPrivateKey]) -> list[PublishedMonth]:
    """The months of the ledger at `path`, after its every seal and link was checked.

    The site is built from nothing else: a broken ledger stops the build (its `LedgerError`
    names the first bad entry), and so does an empty one.
    """
    if not path.exists():
        raise SiteError(f"There is no release ledger at {path}; publish a report first.")
    entries = Ledger(path).verify(keys)
    if not entries:
        raise SiteError(f"The release ledger {path} records no release yet; nothing to publish.")
    return published_months(entries)
