"""Files at rest: loose SQLite files are tightened, foreign or linked ones refused, and the
server secret is never read through a symbolic link or from another user's file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from storage.database import DatabaseConfigError, open_database
from storage.server_secret import ServerSecret, ServerSecretError


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _loosen(folder: Path, path: Path, wal: Path) -> None:
    wal.write_bytes(b"")
    folder.chmod(0o755)
    path.chmod(0o644)
    wal.chmod(0o666)


async def test_a_loose_existing_database_is_tightened_on_open(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    path = folder / "oclep.db"
    async with await open_database(f"sqlite+aiosqlite:///{path}"):
        pass
    wal = Path(f"{path}-wal")
    _loosen(folder, path, wal)
    async with await open_database(f"sqlite+aiosqlite:///{path}"):
        assert (_mode(folder), _mode(path), _mode(wal)) == (0o700, 0o600, 0o600)


async def test_a_database_of_another_user_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "data" / "oclep.db"
    async with await open_database(f"sqlite+aiosqlite:///{path}"):
        pass
    monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 1)
    with pytest.raises(DatabaseConfigError, match="belongs to another user"):
        await open_database(f"sqlite+aiosqlite:///{path}")


async def test_a_database_behind_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere.db"
    real.write_bytes(b"")
    real.chmod(0o600)
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    (folder / "oclep.db").symlink_to(real)
    with pytest.raises(DatabaseConfigError, match="symbolic link"):
        await open_database(f"sqlite+aiosqlite:///{folder / 'oclep.db'}")


def test_the_server_secret_is_not_read_through_a_symbolic_link(tmp_path: Path) -> None:
    real = tmp_path / "real.secret"
    ServerSecret.load_or_create(real)
    link = tmp_path / "server.secret"
    link.symlink_to(real)
    with pytest.raises(ServerSecretError, match="symbolic link"):
        ServerSecret.load_or_create(link)


def test_a_server_secret_of_another_user_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "server.secret"
    ServerSecret.load_or_create(path)
    monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 1)
    with pytest.raises(ServerSecretError, match="another user"):
        ServerSecret.load_or_create(path)
