"""What the systemd units rely on: credentials as settings, sd_notify, a new server secret."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot import systemd
from bot.settings import load_settings

BIN = Path(sys.executable).parent


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if name.startswith("OCLEP_") or name in ("CREDENTIALS_DIRECTORY", "NOTIFY_SOCKET"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env
    return tmp_path


def test_credentials_fill_the_token_and_webhook_secret(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    credentials = clean_environment / "credentials"
    credentials.mkdir()
    (credentials / "oclep_telegram_token").write_text("123:from-credential\n")
    (credentials / "oclep_webhook_secret").write_text("s" * 32)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(credentials))
    settings = load_settings()
    assert settings.telegram_token is not None
    assert settings.telegram_token.get_secret_value() == "123:from-credential"
    assert settings.webhook_secret is not None
    assert settings.webhook_secret.get_secret_value() == "s" * 32
    # The environment wins over a credential (an operator's explicit override).
    monkeypatch.setenv("OCLEP_TELEGRAM_TOKEN", "456:from-environment")
    overridden = load_settings().telegram_token
    assert overridden is not None and overridden.get_secret_value() == "456:from-environment"


def test_without_credentials_nothing_is_read(clean_environment: Path) -> None:
    assert load_settings().telegram_token is None


@pytest.mark.parametrize("abstract", [False, True])
def test_sd_notify_reaches_the_socket(
    abstract: bool, clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    name = f"oclep-test-{os.getpid()}" if abstract else str(clean_environment / "notify")
    receiver.bind("\0" + name if abstract else name)
    receiver.settimeout(5)
    monkeypatch.setenv("NOTIFY_SOCKET", "@" + name if abstract else name)
    try:
        assert systemd.notify(systemd.READY, "STATUS=up")
        assert receiver.recv(4096) == b"READY=1\nSTATUS=up"
    finally:
        receiver.close()


def test_sd_notify_outside_systemd_does_nothing(clean_environment: Path) -> None:
    assert systemd.notify(systemd.WATCHDOG) is False


def test_watchdog_interval_is_for_this_process_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHDOG_USEC", "120000000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    assert systemd.watchdog_seconds() == 120.0
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid() + 1))
    assert systemd.watchdog_seconds() is None
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert systemd.watchdog_seconds() == 120.0
    monkeypatch.delenv("WATCHDOG_USEC")
    assert systemd.watchdog_seconds() is None


def test_new_server_secret_creates_once_and_never_replaces(tmp_path: Path) -> None:
    path = tmp_path / "credentials" / "server-secret"
    command = [str(BIN / "oclep-bot"), "new-server-secret", str(path)]
    first = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert first.returncode == 0, first.stderr
    created = path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert second.returncode == 2
    assert second.stderr.count("\n") == 1 and "already exists" in second.stderr
    assert path.read_bytes() == created
