"""A release ledger of six published months, written through the report's own publishing path.

Each month's records are synthetic (seeded), tallied, put through disclosure control and
appended to a sealed ledger exactly as `oclep-admin report --final` appends them; the raw
tallies are kept so the tests can compare what the site shows with the true counts.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from admin_cli.ledger import Ledger, ledger_key, submission_digest
from admin_cli.report.figures import Tally
from admin_cli.report.model import Period, Stamp
from admin_cli.report.publish import publish_with_view
from admin_cli.report.render_json import report_dict
from storage.keys import StaffPrivateKey, generate_staff_key, write_private_key_file
from tests.admin.report_synthetic import make_record

MONTHS: Final = ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06")
# Different sizes: small months hide more cells, so the trend audit has work to do.
SIZES: Final = (46, 23, 61, 34, 52, 40)
PASSPHRASE: Final = "six months of evidence"
MIN_CELL: Final = 5


@dataclass(frozen=True)
class FixtureLedger:
    ledger: Path
    key_file: Path
    passphrase_file: Path
    key: StaffPrivateKey
    tallies: dict[str, Tally]

    def key_args(self) -> list[str]:
        return ["--key", str(self.key_file), "--passphrase-file", str(self.passphrase_file)]


def _tally(month: str, size: int, seed: int) -> Tally:
    rng = random.Random(seed)
    start = Period.of_month(month).start
    raw = Tally()
    for i in range(size):
        raw.add(make_record(rng, start + timedelta(days=i % 28)))
    return raw


def write_fixture_ledger(folder: Path) -> FixtureLedger:
    """Six final releases (and one provisional before the last month's final)."""
    folder.mkdir(parents=True, exist_ok=True)
    key = generate_staff_key()
    key_file = folder / "staff.key"
    write_private_key_file(key_file, key, PASSPHRASE)
    passphrase_file = folder / "passphrase"
    passphrase_file.write_text(PASSPHRASE + "\n", encoding="utf-8")
    book = Ledger(folder / "ledger.jsonl")
    mac_key = ledger_key(key)
    tallies: dict[str, Tally] = {}
    plan = [(m, s, "final") for m, s in zip(MONTHS, SIZES, strict=True)]
    # The last month was first published provisionally, with the same testimonies.
    plan.insert(len(plan) - 1, (MONTHS[-1], SIZES[-1], "provisional"))
    for index, (month, size, kind) in enumerate(plan):
        raw = _tally(month, size, seed=1000 + MONTHS.index(month))
        tallies[month] = raw
        period = Period.of_month(month)
        report, view = publish_with_view(raw, period=period, lang="es", min_cell=MIN_CELL)
        number = sum(1 for e in book.entries() if e.period == month) + 1
        anchor = f"{index + 1}:{index + 1:064x}"
        published = dataclasses.replace(report, stamp=Stamp(anchor, kind, number))  # type: ignore[arg-type]
        ids = [f"{month}-{i}".encode() for i in range(size)]
        book.append(
            key,
            period=month,
            kind=kind,  # type: ignore[arg-type]
            min_cell=MIN_CELL,
            audit_anchor=anchor,
            submissions={submission_digest(mac_key, sid) for sid in ids},
            view=view,
            report=report_dict(published),
            now=datetime.combine(period.end + timedelta(days=3), datetime.min.time(), UTC),
        )
    return FixtureLedger(book.path, key_file, passphrase_file, key, tallies)
