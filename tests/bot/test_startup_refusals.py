"""`oclep-bot run` refuses an unsafe Telegram set-up: exit 2, one sentence, nothing written."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.devkeys import DEV_KEY_MARKER, ensure_dev_staff_key
from bot.startup_safety import DEVELOPMENT_KEY, ONE_COPY_HOLDS_BOTH
from storage.keys import generate_staff_key, write_public_key_file
from tests.telegram_emulator import BotApiEmulator

BOT_COMMAND = Path(sys.executable).parent / "oclep-bot"

Setup = Callable[[Path], dict[str, str]]


def _real_key(tmp: Path) -> str:
    path = tmp / "keys" / "staff.pub"
    path.parent.mkdir(exist_ok=True)
    write_public_key_file(path, generate_staff_key().public_key)
    return str(path)


def _default_secret(tmp: Path) -> dict[str, str]:
    """Only the key set: the secret would be created in the data folder."""
    return {"OCLEP_STAFF_PUBLIC_KEY": _real_key(tmp)}


def _secret_in_a_subfolder_of_data(tmp: Path) -> dict[str, str]:
    return {
        "OCLEP_STAFF_PUBLIC_KEY": _real_key(tmp),
        "OCLEP_SERVER_SECRET_FILE": str(tmp / "data" / "private" / "server.secret"),
    }


def _secret_beside_a_database_elsewhere(tmp: Path) -> dict[str, str]:
    return {
        "OCLEP_STAFF_PUBLIC_KEY": _real_key(tmp),
        "OCLEP_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'db' / 'oclep.db'}",
        "OCLEP_SERVER_SECRET_FILE": str(tmp / "db" / "server.secret"),
    }


def _outside_secret(tmp: Path) -> str:
    return str(tmp / "etc" / "server.secret")


def _dev_key_in_place(tmp: Path) -> dict[str, str]:
    dev = ensure_dev_staff_key(tmp / "data")
    return {
        "OCLEP_STAFF_PUBLIC_KEY": str(dev.public_path),
        "OCLEP_SERVER_SECRET_FILE": _outside_secret(tmp),
    }


def _dev_key_copied_elsewhere(tmp: Path) -> dict[str, str]:
    dev = ensure_dev_staff_key(tmp / "scratch")
    copy = tmp / "keys" / "staff.pub"
    copy.parent.mkdir()
    shutil.copy(dev.public_path, copy)
    shutil.rmtree(tmp / "scratch")  # no trace of where it came from but its marker
    return {"OCLEP_STAFF_PUBLIC_KEY": str(copy), "OCLEP_SERVER_SECRET_FILE": _outside_secret(tmp)}


def _dev_key_copied_without_its_marker(tmp: Path) -> dict[str, str]:
    dev = ensure_dev_staff_key(tmp / "data")
    copy = tmp / "keys" / "staff.pub"
    copy.parent.mkdir()
    text = dev.public_path.read_text()
    assert DEV_KEY_MARKER in text
    copy.write_text(text.replace(DEV_KEY_MARKER, ""))
    return {"OCLEP_STAFF_PUBLIC_KEY": str(copy), "OCLEP_SERVER_SECRET_FILE": _outside_secret(tmp)}


def _files(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under `root` with its size and modification time, to see any write."""
    return {
        str(path.relative_to(root)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
    }


@pytest.mark.parametrize(
    ("setup", "sentence"),
    [
        pytest.param(_default_secret, ONE_COPY_HOLDS_BOTH, id="secret-default-in-data"),
        pytest.param(_secret_in_a_subfolder_of_data, ONE_COPY_HOLDS_BOTH, id="secret-in-data"),
        pytest.param(
            _secret_beside_a_database_elsewhere, ONE_COPY_HOLDS_BOTH, id="secret-beside-db"
        ),
        pytest.param(_dev_key_in_place, DEVELOPMENT_KEY, id="dev-key"),
        pytest.param(_dev_key_copied_elsewhere, DEVELOPMENT_KEY, id="dev-key-copy"),
        pytest.param(_dev_key_copied_without_its_marker, DEVELOPMENT_KEY, id="dev-key-unmarked"),
    ],
)
async def test_unsafe_telegram_setup_is_refused_before_anything_happens(
    tmp_path: Path, setup: Setup, sentence: str
) -> None:
    environment = setup(tmp_path)
    before = _files(tmp_path)
    async with await BotApiEmulator.start() as emulator:
        process = await asyncio.create_subprocess_exec(
            str(BOT_COMMAND),
            "run",
            cwd=tmp_path,
            env={
                "PATH": os.environ.get("PATH", ""),
                "OCLEP_TELEGRAM_TOKEN": emulator.token,
                "OCLEP_TELEGRAM_API_BASE": emulator.api_base,
                "OCLEP_DATA_DIR": str(tmp_path / "data"),
                **environment,
            },
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
        assert emulator.calls == []  # not even getMe
    assert process.returncode == 2, stderr.decode()
    default_secret = str(tmp_path / "data" / "server.secret")
    expected = sentence.format(path=environment.get("OCLEP_SERVER_SECRET_FILE", default_secret))
    assert stderr.decode() == f"oclep-bot: {expected}\n"
    assert stdout == b""
    assert _files(tmp_path) == before  # no secret, no database, no folder created
