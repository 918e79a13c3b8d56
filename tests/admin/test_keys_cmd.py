"""`oclep-admin keys`: init and show, passphrase handling, and errors without tracebacks."""

from __future__ import annotations

import getpass
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from admin_cli.errors import PassphraseError, exit_on_errors
from admin_cli.keys_cmd import load_private_keys
from admin_cli.main import app
from storage.keys import KeyFileError, read_private_key_file, read_public_key_file

PASSPHRASE = "frase de paso suficientemente larga"
BIN = Path(sys.executable).parent


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def passphrase_file(tmp_path: Path) -> Path:
    path = tmp_path / "passphrase.txt"
    path.write_text(f"{PASSPHRASE}\nthis second line is ignored\n", encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.fixture(scope="module")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One X25519 pair made by the command, shared by the read-only tests."""
    folder = tmp_path_factory.mktemp("staff")
    secret = folder / "pass.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["keys", "init", "--out", str(folder / "keys"), "--passphrase-file", str(secret)]
    )
    assert result.exit_code == 0, result.output
    return folder / "keys"


def _fake_getpass(monkeypatch: pytest.MonkeyPatch, answers: list[str]) -> list[str]:
    prompts: list[str] = []
    replies: Iterator[str] = iter(answers)

    def fake(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(replies)

    monkeypatch.setattr(getpass, "getpass", fake)
    return prompts


def test_init_with_passphrase_file_writes_both_files(key_dir: Path) -> None:
    public_path, private_path = key_dir / "staff.pub", key_dir / "staff.key"
    assert public_path.stat().st_mode & 0o777 == 0o600
    assert private_path.stat().st_mode & 0o777 == 0o600
    assert key_dir.stat().st_mode & 0o777 == 0o700
    # First line only, without its newline, is the passphrase.
    key = read_private_key_file(private_path, PASSPHRASE)
    assert key.public_key == read_public_key_file(public_path)


def test_init_prints_suite_key_id_and_what_to_copy(
    runner: CliRunner, tmp_path: Path, passphrase_file: Path
) -> None:
    out = tmp_path / "keys"
    result = runner.invoke(
        app, ["keys", "init", "--out", str(out), "--passphrase-file", str(passphrase_file)]
    )
    assert result.exit_code == 0, result.output
    key_id = read_public_key_file(out / "staff.pub").key_id.hex()
    assert "X25519" in result.stdout
    assert key_id in result.stdout
    assert f"Copy {out / 'staff.pub'} to the server" in result.stdout
    assert "OCLEP_STAFF_PUBLIC_KEY" in result.stdout
    assert PASSPHRASE not in result.output


def test_init_pq(runner: CliRunner, tmp_path: Path, passphrase_file: Path) -> None:
    out = tmp_path / "keys"
    result = runner.invoke(
        app, ["keys", "init", "--out", str(out), "--pq", "--passphrase-file", str(passphrase_file)]
    )
    assert result.exit_code == 0, result.output
    assert "ML-KEM-768+X25519" in result.stdout
    assert read_public_key_file(out / "staff.pub").suite.label == "ML-KEM-768+X25519"


def test_init_refuses_to_overwrite(runner: CliRunner, key_dir: Path, passphrase_file: Path) -> None:
    before = {name: (key_dir / name).read_bytes() for name in ("staff.pub", "staff.key")}
    result = runner.invoke(
        app, ["keys", "init", "--out", str(key_dir), "--passphrase-file", str(passphrase_file)]
    )
    assert result.exit_code == 1
    assert "already exists; key files are never overwritten." in result.stderr
    assert "Traceback" not in result.output
    assert {name: (key_dir / name).read_bytes() for name in before} == before


def test_init_asks_twice_and_accepts_matching_passphrases(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts = _fake_getpass(monkeypatch, [PASSPHRASE, PASSPHRASE])
    result = runner.invoke(app, ["keys", "init", "--out", str(tmp_path / "keys")])
    assert result.exit_code == 0, result.output
    assert len(prompts) == 2
    read_private_key_file(tmp_path / "keys" / "staff.key", PASSPHRASE)


def test_init_refuses_mismatched_passphrases(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_getpass(monkeypatch, [PASSPHRASE, PASSPHRASE + "x"])
    result = runner.invoke(app, ["keys", "init", "--out", str(tmp_path / "keys")])
    assert result.exit_code == 1
    assert result.stderr == "Error: The two passphrases differ; nothing was written.\n"
    assert not (tmp_path / "keys" / "staff.key").exists()
    assert not (tmp_path / "keys" / "staff.pub").exists()


def test_init_refuses_a_short_passphrase(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_getpass(monkeypatch, ["short", "short"])
    result = runner.invoke(app, ["keys", "init", "--out", str(tmp_path / "keys")])
    assert result.exit_code == 1
    assert "at least 12 characters" in result.stderr
    assert not (tmp_path / "keys").exists()


def test_init_refuses_a_short_passphrase_from_a_file(runner: CliRunner, tmp_path: Path) -> None:
    short = tmp_path / "short.txt"
    short.write_text("short\n")
    result = runner.invoke(
        app, ["keys", "init", "--out", str(tmp_path / "keys"), "--passphrase-file", str(short)]
    )
    assert result.exit_code == 1
    assert "at least 12 characters" in result.stderr


def test_init_with_a_missing_passphrase_file(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["keys", "init", "--out", str(tmp_path / "k"), "--passphrase-file", str(tmp_path / "no")],
    )
    assert result.exit_code == 1
    assert "Cannot read the passphrase file" in result.stderr


def test_cancelled_prompt_is_one_sentence(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cancelled(prompt: str = "") -> str:
        raise EOFError

    monkeypatch.setattr(getpass, "getpass", cancelled)
    result = runner.invoke(app, ["keys", "init", "--out", str(tmp_path / "keys")])
    assert result.exit_code == 1
    assert "cancelled" in result.stderr
    assert "Traceback" not in result.output


def test_no_passphrase_option_exists(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["keys", "init", "--out", str(tmp_path / "keys"), "--passphrase", PASSPHRASE]
    )
    assert result.exit_code == 2
    assert not (tmp_path / "keys").exists()


def test_show_public_and_private(runner: CliRunner, key_dir: Path) -> None:
    key_id = read_public_key_file(key_dir / "staff.pub").key_id.hex()
    public = runner.invoke(app, ["keys", "show", str(key_dir / "staff.pub")])
    private = runner.invoke(app, ["keys", "show", str(key_dir / "staff.key")])
    assert public.exit_code == 0 and private.exit_code == 0
    assert "public key file" in public.stdout and "private key file" in private.stdout
    for result in (public, private):
        assert key_id in result.stdout
        assert "X25519" in result.stdout
    assert "64 MiB, 3 iterations" in private.stdout


def test_show_refuses_other_files(runner: CliRunner, tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("hello\n")
    result = runner.invoke(app, ["keys", "show", str(other)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {other} is not an OCLEP public key file.\n"
    missing = runner.invoke(app, ["keys", "show", str(tmp_path / "missing.pub")])
    assert missing.exit_code == 1
    assert "Cannot read" in missing.stderr


def test_load_private_keys_from_passphrase_file(key_dir: Path, passphrase_file: Path) -> None:
    keys = load_private_keys([key_dir / "staff.key"], passphrase_file)
    assert list(keys) == [read_public_key_file(key_dir / "staff.pub").key_id]


def test_load_private_keys_asks_per_key_and_reports_a_wrong_passphrase(
    key_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts = _fake_getpass(monkeypatch, ["not the passphrase"])
    with pytest.raises(KeyFileError, match=r"The passphrase is wrong or the key file is damaged\."):
        load_private_keys([key_dir / "staff.key"])
    assert prompts == [f"Passphrase for {key_dir / 'staff.key'}: "]


def test_exit_on_errors_gives_exit_code_one(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as caught, exit_on_errors():
        raise PassphraseError("The passphrase file x has an empty first line.")
    assert caught.value.exit_code == 1
    assert capsys.readouterr().err == "Error: The passphrase file x has an empty first line.\n"


def test_real_command_line(tmp_path: Path, passphrase_file: Path) -> None:
    out = tmp_path / "keys"
    command: list[str | Path] = [BIN / "oclep-admin", "keys", "init", "--out", out]
    done = subprocess.run(
        [*command, "--passphrase-file", passphrase_file],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    key_id = read_public_key_file(out / "staff.pub").key_id.hex()
    assert key_id in done.stdout
    again = subprocess.run(
        [*command, "--passphrase-file", passphrase_file],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert again.returncode == 1
    assert "Traceback" not in again.stderr
    assert again.stderr.strip().endswith("key files are never overwritten.")
