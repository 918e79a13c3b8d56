"""The staff audit log: one hash-chained entry per decrypting command; verify finds tampering."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from admin_cli.audit import AuditAnchor, AuditLog, AuditLogError, entry_hash, output_digest
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


def test_each_decrypting_command_appends_a_start_and_an_end_entry(
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
    assert log.verify().count == 4
    report_start, report_entry, export_start, export_entry = log.entries()
    assert [e["phase"] for e in log.entries()] == ["start", "end"] * 2
    assert report_start["outcome"] == "started" and report_entry["start"] == report_start["n"]
    assert report_entry["command"] == "report" and export_entry["command"] == "export"
    assert export_entry["filters"]["campaign"] == "redes_salud"
    assert report_entry["counts"]["decrypted"] > 100
    assert report_entry["outcome"] == "written" and len(report_entry["key_ids"]) == 1
    # Each output carries the anchor of its start entry, and the end entry its digest.
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["audit_anchor"] == f"{report_start['n']}:{report_start['hash']}"
    assert report_entry["outputs"]["out"] == output_digest(out)
    codebook = (tmp_path / "e.csv.codebook.csv").read_text(encoding="utf-8").splitlines()
    assert codebook[-1].startswith("_audit_log,") and export_start["hash"] in codebook[-1]
    # Never content: no answer codes, receipts or ids in the log.
    text = private_audit_log.read_text(encoding="utf-8")
    for known in built.known[:50]:
        assert known.submission_id not in text
    for word in ("mision_actual", "testimonio", "acepto"):
        assert word not in text
    shown = run(["audit", "--audit-log", private_audit_log])
    assert shown.exit_code == 0 and "report" in shown.stderr


def test_a_rewritten_chain_no_longer_holds_a_published_anchor(
    built: FixtureDatabase, tmp_path: Path, private_audit_log: Path
) -> None:
    """Removing an --include-text export's entries and recomputing every hash verifies as a
    chain, but a report made afterwards anchors the old chain: verify --anchor finds it."""
    text_export = tmp_path / "t.csv"
    assert run(["export", *key_args(built), "--include-text", "--out", text_export]).exit_code == 0
    out = tmp_path / "r.json"
    args = ["report", *key_args(built), "--month", "2025-03", "--format", "json", "--out", out]
    assert run(args).exit_code == 0
    anchor = json.loads(out.read_text(encoding="utf-8"))["audit_anchor"]
    ok = run(["audit", "verify", "--audit-log", private_audit_log, "--anchor", anchor])
    assert ok.exit_code == 0, ok.stderr
    # The forger drops the export's two entries and rebuilds the chain from the genesis.
    entries = AuditLog(private_audit_log).entries()[2:]
    previous = "0" * 64
    for number, entry in enumerate(entries, start=1):
        entry.update(n=number, prev=previous)
        if "start" in entry:
            entry["start"] = number - 1
        entry["hash"] = entry_hash(entry)
        previous = entry["hash"]
    rewrite(private_audit_log, [json.dumps(e, sort_keys=True) for e in entries])
    assert AuditLog(private_audit_log).verify().count == 2  # the chain alone cannot tell
    bad = run(["audit", "verify", "--audit-log", private_audit_log, "--anchor", anchor])
    assert bad.exit_code == 1
    assert "cut short or rewritten" in one_sentence(bad)
    with pytest.raises(AuditLogError):
        AuditLog(private_audit_log).verify([AuditAnchor.parse(anchor)])


def _no_plaintext(folder: Path) -> None:
    assert [p.name for p in folder.iterdir()] == []


@pytest.mark.parametrize("command", ["export", "report"])
@pytest.mark.parametrize("case", ["dev_null", "symlink", "unwritable", "damaged"])
def test_an_unusable_log_stops_the_command_before_any_key_is_read(
    built: FixtureDatabase,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    case: str,
) -> None:
    real = tmp_path / "real.jsonl"
    if case == "dev_null":
        path = Path("/dev/null")
    elif case == "symlink":
        fill(real, 1)
        path = tmp_path / "link.jsonl"
        path.symlink_to(real)
    elif case == "unwritable":  # its folder is a file: nothing can be created there
        blocker = tmp_path / "not_a_folder"
        blocker.write_text("", encoding="utf-8")
        path = blocker / "audit.jsonl"
    else:
        path = real
        fill(path, 2)
        rewrite(path, [*lines(path)[:-1], lines(path)[-1].replace("export", "exp0rt")])
    before = path.read_bytes() if path.is_file() and case != "dev_null" else None

    def no_key(*_: object, **__: object) -> None:
        raise AssertionError("a key was read")

    # Every decrypting command reads its keys through the one skeleton.
    monkeypatch.setattr("admin_cli.decrypting_command.load_private_keys", no_key)
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    extra = ["--month", "2025-03"] if command == "report" else []
    result = run([command, *key_args(built), *extra, "--audit-log", path, "--out", outputs / "o"])
    assert result.exit_code == 1
    assert "audit log" in one_sentence(result)
    _no_plaintext(outputs)
    if before is not None:
        assert path.read_bytes() == before


def test_an_end_entry_that_cannot_be_written_leaves_no_output(
    built: FixtureDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The start entry is on disk before decryption; if the log then fails, the plaintext
    written so far is discarded and the command says so in one sentence."""
    path = tmp_path / "audit.jsonl"
    original = AuditLog.append
    calls = []

    def failing_second(self: AuditLog, **kwargs: object) -> dict[str, object]:
        calls.append(kwargs.get("phase"))
        if kwargs.get("phase") == "end":
            raise AuditLogError(f"Cannot write the audit log {self.path} (disk full).")
        return original(self, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(AuditLog, "append", failing_second)
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    result = run(["export", *key_args(built), "--audit-log", path, "--out", outputs / "e.csv"])
    assert result.exit_code == 1 and "audit log" in one_sentence(result)
    _no_plaintext(outputs)
    assert calls[0] == "start"
    assert [e["phase"] for e in AuditLog(path).entries()] == ["start"]
