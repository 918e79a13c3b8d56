"""Refusals of the decrypting commands: one sentence, exit code 1, nothing written."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest

from storage.keys import generate_staff_key, read_private_key_header, write_private_key_file
from tests.admin.cli_support import key_args, leftovers, one_sentence, run
from tests.admin.fixtures.builder import PASSPHRASE, FixtureDatabase


@pytest.fixture(autouse=True)
def audit_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "audit" / "audit.jsonl"
    monkeypatch.setenv("OCLEP_AUDIT_LOG", str(path))
    return path


def entries(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("command", ["export", "report"])
def test_wrong_passphrase(
    built: FixtureDatabase, out_dir: Path, tmp_path: Path, command: str
) -> None:
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n", encoding="utf-8")
    wrong.chmod(0o600)
    args = key_args(built)
    args[args.index("--passphrase-file") + 1] = str(wrong)
    result = run([command, *args, "--month", "2025-03", "--out", out_dir / "x"])
    assert result.exit_code == 1
    assert "passphrase is wrong" in one_sentence(result)
    assert leftovers(out_dir) == []


def test_unknown_campaign(built: FixtureDatabase, out_dir: Path, audit_log: Path) -> None:
    result = run(["export", *key_args(built), "--campaign", "nadie", "--out", out_dir / "x.csv"])
    assert result.exit_code == 1
    assert "campaign 'nadie'" in one_sentence(result)
    assert leftovers(out_dir) == [] and entries(audit_log) == 0


def test_unknown_status(built: FixtureDatabase, out_dir: Path, audit_log: Path) -> None:
    args = ["export", *key_args(built), "--status", "complete", "--status", "finished"]
    result = run([*args, "--out", out_dir / "x.csv"])
    assert result.exit_code == 1
    assert one_sentence(result) == (
        "Error: The status 'finished' is unknown; give complete, partial or in_progress. "
        "Nothing was written."
    )
    assert leftovers(out_dir) == [] and entries(audit_log) == 0


@pytest.mark.parametrize("command", ["export", "report"])
def test_empty_month(built: FixtureDatabase, out_dir: Path, command: str) -> None:
    result = run([command, *key_args(built), "--month", "2024-01", "--out", out_dir / "x"])
    assert result.exit_code == 1
    assert "no complete or partial submission in 2024-01" in one_sentence(result)
    assert leftovers(out_dir) == []


@pytest.mark.parametrize("command", ["export", "report"])
def test_missing_key(
    built: FixtureDatabase, out_dir: Path, tmp_path: Path, audit_log: Path, command: str
) -> None:
    other = generate_staff_key()
    write_private_key_file(tmp_path / "other.key", other, PASSPHRASE)
    args = key_args(built)
    args[args.index("--key") + 1] = str(tmp_path / "other.key")
    result = run([command, *args, "--month", "2025-03", "--out", out_dir / "x"])
    assert result.exit_code == 1
    sentence = one_sentence(result)
    sealed_to = read_private_key_header(built.private_key).key_id.hex()
    in_march = [k for k in built.known if k.status in ("complete", "partial") and k.day.month == 3]
    assert f"{len(in_march)} submissions could not be read" in sentence
    assert sealed_to in sentence and "Nothing was written" in sentence
    assert leftovers(out_dir) == []
    assert entries(audit_log) == 2  # keys were opened: the attempt is on record, start and end
    assert '"outcome": "refused"' in audit_log.read_text(encoding="utf-8")


def test_passphrase_is_asked_with_getpass(
    built: FixtureDatabase, out_dir: Path, monkeypatch: pytest.MonkeyPatch, audit_log: Path
) -> None:
    asked: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        asked.append(prompt)
        return PASSPHRASE

    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    args = key_args(built)
    del args[args.index("--passphrase-file") : args.index("--passphrase-file") + 2]
    result = run(
        ["report", *args, "--month", "2025-03", "--format", "json", "--out", out_dir / "r.json"]
    )
    assert result.exit_code == 0, result.stderr
    assert len(asked) == 1 and str(built.private_key) in asked[0]
    assert entries(audit_log) == 2  # start and end


def test_no_passphrase_option_or_variable(built: FixtureDatabase, out_dir: Path) -> None:
    result = run(["export", *key_args(built), "--passphrase", PASSPHRASE, "--out", out_dir / "x"])
    assert result.exit_code == 2  # no such option: passphrases never travel as arguments
    assert leftovers(out_dir) == []


def test_unknown_questionnaire_version(built: FixtureDatabase, out_dir: Path) -> None:
    args = key_args(built)
    del args[args.index("--questionnaire") : args.index("--questionnaire") + 2]
    result = run(["export", *args, "--month", "2025-03", "--out", out_dir / "x.csv"])
    assert result.exit_code == 1
    assert "--questionnaire" in one_sentence(result)
    assert leftovers(out_dir) == []
