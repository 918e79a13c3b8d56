"""The release ledger: final and provisional releases, re-issues audited against it, seals."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from admin_cli.ledger import Ledger, LedgerError
from tests.admin.cli_support import key_args, leftovers, one_sentence, run
from tests.admin.fixtures.builder import FixtureDatabase


@pytest.fixture
def copy_of(built: FixtureDatabase, tmp_path: Path) -> tuple[str, Path]:
    """A private copy of the fixture database (a test may withdraw a submission from it)."""
    source = Path(built.url.removeprefix("sqlite+aiosqlite:///"))
    target = tmp_path / "db" / "oclep.db"
    target.parent.mkdir()
    shutil.copy(source, target)
    return f"sqlite+aiosqlite:///{target}", target


def release(built: FixtureDatabase, url: str, out: Path, ledger: Path, *flags: str) -> Any:
    args = ["report", *key_args(built, database_url=url), "--format", "json", "--out", out]
    return run([*args, "--ledger", ledger, *flags])


def withdraw(database: Path, count: int) -> None:
    """What /borrar does to a submission: its row and sealed answers go."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT id FROM submissions WHERE status = 'complete' AND completed_on LIKE '2025-02%' "
            "ORDER BY id LIMIT ?",
            (count,),
        ).fetchall()
        assert len(rows) == count
        for (sid,) in rows:
            connection.execute("DELETE FROM sealed_answers WHERE submission_id = ?", (sid,))
            connection.execute("DELETE FROM submissions WHERE id = ?", (sid,))


def test_final_release_is_recorded_sealed_and_stamped(
    built: FixtureDatabase, copy_of: tuple[str, Path], tmp_path: Path
) -> None:
    url, _ = copy_of
    ledger = tmp_path / "ledger.jsonl"
    out = tmp_path / "feb.json"
    result = release(built, url, out, ledger, "--month", "2025-02", "--final")
    assert result.exit_code == 0, result.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["release"] == {"kind": "final", "number": 1}
    (entry,) = Ledger(ledger).entries()
    assert entry.period == "2025-02" and entry.kind == "final" and entry.release == 1
    assert entry.report == json.loads(json.dumps(report))  # the published figures, as published
    assert len(entry.submissions) == report["tables"]["status"]["total"] == 13
    assert entry.audit_anchor == report["audit_anchor"]
    assert ledger.stat().st_mode & 0o777 == 0o600
    # The 12/13-testimony month publishes its totals.
    assert report["tables"]["status"]["total"] == 13
    listed = run(["ledger", "list", "--ledger", ledger])
    assert listed.exit_code == 0 and "2025-02" in listed.stderr + listed.stdout
    verified = run(["ledger", "verify", "--ledger", ledger, *key_args(built)[:4]])
    assert verified.exit_code == 0 and "1 releases" in verified.stdout


def test_final_is_refused_while_drafts_of_the_month_are_open(
    built: FixtureDatabase, copy_of: tuple[str, Path], tmp_path: Path
) -> None:
    url, _ = copy_of
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    ledger = tmp_path / "ledger.jsonl"
    result = release(built, url, outputs / "m.json", ledger, "--month", "2025-03", "--final")
    assert result.exit_code == 1
    assert "still open" in one_sentence(result) and "--provisional" in one_sentence(result)
    assert leftovers(outputs) == [] and not ledger.exists()
    provisional = release(
        built,
        url,
        outputs / "m.html",
        ledger,
        "--month",
        "2025-03",
        "--provisional",
        "--format",
        "html",
    )
    assert provisional.exit_code == 0, provisional.stderr
    html = (outputs / "m.html").read_text(encoding="utf-8")
    assert html.count("PROVISIONAL") >= 2 and 'class="banner"' in html
    assert "position: fixed" in html  # the banner repeats on every printed page


def test_a_reissue_after_one_withdrawal_is_refused(
    built: FixtureDatabase, copy_of: tuple[str, Path], tmp_path: Path
) -> None:
    url, database = copy_of
    ledger = tmp_path / "ledger.jsonl"
    assert (
        release(built, url, tmp_path / "a.json", ledger, "--month", "2025-02", "--final").exit_code
        == 0
    )
    withdraw(database, 1)
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    again = release(built, url, outputs / "b.json", ledger, "--month", "2025-02", "--final")
    assert again.exit_code == 1
    sentence = one_sentence(again)
    assert "1 testimonies changed" in sentence and "Nothing was written" in sentence
    assert leftovers(outputs) == [] and len(Ledger(ledger).entries()) == 1
    # The ledger still holds only the first release: trying again changes nothing.
    still = release(built, url, outputs / "c.json", ledger, "--month", "2025-02", "--final")
    assert still.exit_code == 1 and leftovers(outputs) == []


def test_an_unchanged_reissue_is_the_next_release(
    built: FixtureDatabase, copy_of: tuple[str, Path], tmp_path: Path
) -> None:
    url, _ = copy_of
    ledger = tmp_path / "ledger.jsonl"
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert release(built, url, first, ledger, "--month", "2025-02", "--final").exit_code == 0
    assert release(built, url, second, ledger, "--month", "2025-02", "--final").exit_code == 0
    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (first, second))
    assert b["release"] == {"kind": "final", "number": 2}
    assert a["tables"] == b["tables"] and a["figures"] == b["figures"]
    refused = release(
        built, url, tmp_path / "c.json", ledger, "--month", "2025-02", "--provisional"
    )
    assert refused.exit_code == 1 and "already has a final release" in one_sentence(refused)


def _entries(ledger: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in ledger.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("tamper", ["edit", "remove", "unknown_field", "not_json"])
def test_verify_finds_tampering(
    built: FixtureDatabase, copy_of: tuple[str, Path], tmp_path: Path, tamper: str
) -> None:
    url, _ = copy_of
    ledger = tmp_path / "ledger.jsonl"
    for name in ("a", "b"):
        out = tmp_path / f"{name}.json"
        assert release(built, url, out, ledger, "--month", "2025-02", "--final").exit_code == 0
    entries = _entries(ledger)
    lines = [json.dumps(e, sort_keys=True) for e in entries]
    if tamper == "edit":
        entries[0]["report"]["tables"]["status"]["total"] = 99
        lines[0] = json.dumps(entries[0], sort_keys=True)
        words = "was edited"
    elif tamper == "remove":
        del lines[0]
        words = "does not follow"
    elif tamper == "unknown_field":
        entries[1]["extra"] = 1
        lines[1] = json.dumps(entries[1], sort_keys=True)
        words = "not a ledger entry"
    else:
        lines[1] = "{not json"
        words = "not a ledger entry"
    ledger.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(["ledger", "verify", "--ledger", ledger, *key_args(built)[:4]])
    assert result.exit_code == 1 and words in one_sentence(result)
    with pytest.raises(LedgerError):
        Ledger(ledger).entries() if tamper in ("unknown_field", "not_json") else (
            _ for _ in ()
        ).throw(LedgerError("checked through the command above"))
