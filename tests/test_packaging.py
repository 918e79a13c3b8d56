"""The installed console scripts: --help, --version, `run` refusing without a token, and
`make run` as the one-command console."""

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from storage.keys import generate_staff_key, write_public_key_file

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent


def test_admin_cli_help() -> None:
    out = subprocess.run([BIN / "oclep-admin", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    assert "oclep-admin" in out.stdout


def test_bot_cli_help() -> None:
    out = subprocess.run([BIN / "oclep-bot", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    assert "oclep-bot" in out.stdout


def test_both_commands_print_the_installed_version() -> None:
    installed = version("oclep")
    for command in ("oclep-bot", "oclep-admin"):
        out = subprocess.run([BIN / command, "--version"], capture_output=True, text=True)
        assert (out.returncode, out.stdout) == (0, f"{command} {installed}\n")


def test_run_without_a_token_exits_2_with_one_sentence_and_writes_nothing(
    tmp_path: Path,
) -> None:
    env = {"PATH": os.environ["PATH"], "OCLEP_DATA_DIR": str(tmp_path / "data")}
    out = subprocess.run(
        [BIN / "oclep-bot", "run"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.startswith("oclep-bot: OCLEP_TELEGRAM_TOKEN is not set;")
    assert out.stderr.count("\n") == 1 and out.stderr.count(". ") == 0
    assert list(tmp_path.iterdir()) == []  # no data folder, key, secret or database


def test_make_run_is_the_console(tmp_path: Path) -> None:
    """The README's first command: the questionnaire in the terminal, no token needed."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "OCLEP_DATA_DIR": str(tmp_path / "data"),
    }
    out = subprocess.run(
        ["make", "--no-print-directory", "run"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        input="",
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    assert "DEVELOPMENT CONSOLE" in out.stderr
    assert "Hasta pronto." in out.stdout
    assert (tmp_path / "data" / "dev-staff.pub").exists()


def test_a_missing_postgres_driver_names_the_extra(tmp_path: Path) -> None:
    """A bot server installed without `oclep[postgres]` and pointed at PostgreSQL."""
    script = (
        "import sys; sys.modules['asyncpg'] = None\n"  # as if the extra were not installed
        "from bot.cli import main; main()"
    )
    env = {
        "PATH": os.environ["PATH"],
        "OCLEP_TELEGRAM_TOKEN": "123456:" + "A" * 35,
        "OCLEP_TELEGRAM_API_BASE": "http://127.0.0.1:9",
        "OCLEP_DATABASE_URL": "postgresql+asyncpg://oclep@127.0.0.1:9/oclep",
        "OCLEP_DATA_DIR": str(tmp_path / "data"),
        "OCLEP_SERVER_SECRET_FILE": str(tmp_path / "secret" / "server.secret"),
        "OCLEP_STAFF_PUBLIC_KEY": str(tmp_path / "staff.pub"),
    }
    write_public_key_file(tmp_path / "staff.pub", generate_staff_key().public_key)
    out = subprocess.run(
        [sys.executable, "-c", script, "run"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    assert "database driver asyncpg" in out.stderr
    assert "pip install 'oclep[postgres]'" in out.stderr
