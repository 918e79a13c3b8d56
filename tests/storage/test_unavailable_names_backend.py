"""A database that will not open is named as configured: SQLite never talks about a server."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from storage.database import DatabaseUnavailableError, open_database


async def test_an_unusable_sqlite_file_is_named_as_sqlite_not_a_server(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    path = folder / "oclep.db"
    path.write_bytes(b"not a database, a damaged copy " * 200)
    path.chmod(0o600)
    with pytest.raises(DatabaseUnavailableError) as refused:
        await open_database(f"sqlite+aiosqlite:///{path}")
    message = str(refused.value)
    assert message.startswith(f"Cannot use the SQLite database file {path} (")
    assert "read and write the file and its folder" in message
    assert "server" not in message and "\n" not in message


async def test_an_unreachable_postgresql_server_is_named_as_postgresql() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nobody listens there
    with pytest.raises(DatabaseUnavailableError) as refused:
        await open_database(f"postgresql+asyncpg://oclep@127.0.0.1:{port}/oclep")
    message = str(refused.value)
    assert message.startswith(
        f"Cannot use the PostgreSQL database at postgresql+asyncpg://oclep@127.0.0.1:{port}/oclep ("
    )
    assert "the PostgreSQL server is running" in message and "\n" not in message
