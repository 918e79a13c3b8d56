"""The staff audit log: one hash-chained entry per decrypting command; verify finds tampering."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from admin_cli.audit import AuditLog, AuditLogError
from tests.admin.cli_support import key_args, one_sentence, run
from tests.admin.fixtures.builder import FixtureDatabase


def fill(path: Path, count: int = 4) -> AuditLog:
    log = AuditLog(path)
    for i in range(count):
        log.append(
            command="export",
            filters={"month": f"2025-0{i + 1}"},
            counts={"decrypted": 10 + i},
            key_ids=["00112233aabbccdd"],
            outcome="written",
        )
    return log


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def rewrite(path: Path, new_lines: list[str]) -> None:
    path.write_text("\n".join(new_lines) + "\n", encoding="utf-8")


def test_intact_log_verifies(tmp_path: Path) -> None:
    log = fill(tmp_path / "a" / "audit.jsonl")
    head = log.verify()
    assert head.count == 4
    assert (tmp_path / "a" / "audit.jsonl").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize(
    ("tamper", "line", "words"),
    [
        ("edit", 2, "was edited"),
        ("edit_last", 4, "was edited"),
        ("remove", 2, "removed or reordered"),
        ("swap", 2, "removed or reordered"),
        ("rehash", 2, "does not follow"),
    ],
)
def test_tampering_is_found_at_the_first_bad_line(
    tmp_path: Path, tamper: str, line: int, words: str
) -> None:
    path = tmp_path / "audit.jsonl"
    fill(path)
    text = lines(path)
    if tamper in ("edit", "edit_last"):
        index = line - 1
        entry = json.loads(text[index])
        entry["counts"]["decrypted"] = 999
        text[index] = json.dumps(entry, sort_keys=True)
    elif tamper == "remove":
        del text[1]
    elif tamper == "swap":
        text[1], text[2] = text[2], text[1]
    else:  # an edit that recomputes its own hash still breaks the chain after it
        from admin_cli.audit import entry_hash

        entry = json.loads(text[0])
        entry["user"] = "someone else"
        entry["hash"] = entry_hash(entry)
        text[0] = json.dumps(entry, sort_keys=True)
    rewrite(path, text)
    with pytest.raises(AuditLogError, match=words) as caught:
        AuditLog(path).verify()
    assert f"Line {line} " in str(caught.value)


def test_verify_command_exit_codes(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    fill(path)
    ok = run(["audit", "verify", "--audit-log", path])
    assert ok.exit_code == 0 and "4 entries" in ok.stdout
    text = lines(path)
    rewrite(path, text[:1] + text[2:])
    bad = run(["audit", "verify", "--audit-log", path])
    assert bad.exit_code == 1
    assert "Line 2 " in one_sentence(bad)


def test_damaged_log_refuses_new_decryption(tmp_path: Path, built: FixtureDatabase) -> None:
    path = tmp_path / "audit.jsonl"
    fill(path, 2)
    text = lines(path)
    rewrite(path, [*text[:-1], text[-1].replace("export", "exp0rt")])
    out = tmp_path / "x.csv"
    result = run(["export", *key_args(built), "--audit-log", path, "--out", out])
    assert result.exit_code == 1 and "audit verify" in one_sentence(result)
    assert not out.exists()


def test_each_decrypting_command_appends_one_entry(
    built: FixtureDatabase, tmp_path: Path, private_audit_log: Path
) -> None:
    out = tmp_path / "r.json"
    args = ["report", *key_args(built), "--month", "2025-03", "--format", "json", "--out", out]
    assert run(args).exit_code == 0
    exported = tmp_path / "e.csv"
    assert (
        run(["export", *key_args(built), "--campaign", "redes_salud", "--out", exported]).exit_code
        == 0
    )
    log = AuditLog(private_audit_log)
    assert log.verify().count == 2
    report_entry, export_entry = log.entries()
    assert report_entry["command"] == "report" and export_entry["command"] == "export"
    assert export_entry["filters"]["campaign"] == "redes_salud"
    assert report_entry["counts"]["decrypted"] > 100
    assert report_entry["outcome"] == "written" and len(report_entry["key_ids"]) == 1
    # Never content: no answer codes, receipts or ids in the log.
    text = private_audit_log.read_text(encoding="utf-8")
    for known in built.known[:50]:
        assert known.submission_id not in text
    for word in ("mision_actual", "testimonio", "acepto"):
        assert word not in text
    shown = run(["audit", "--audit-log", private_audit_log])
    assert shown.exit_code == 0 and "report" in shown.stderr
