"""The installed console scripts start and answer --help."""

import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def test_admin_cli_help() -> None:
    out = subprocess.run([BIN / "oclep-admin", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    assert "oclep-admin" in out.stdout


def test_bot_cli_help() -> None:
    out = subprocess.run([BIN / "oclep-bot", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    assert "oclep-bot" in out.stdout
