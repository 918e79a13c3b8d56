"""A server secret that is not the database's own stops `oclep-bot run` before anything else.

Played with the real command as a subprocess: exit code 2, one sentence, no Bot API call
(a listener on the API address counts connections) and no file written.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from storage.database import open_database
from storage.keys import generate_staff_key, read_public_key_file, write_public_key_file
from storage.secret_check import adopt_server_secret, open_server_secret
from storage.server_secret import ServerSecret, ServerSecretError
from tests.conftest import DatabaseTarget

BOT_COMMAND = Path(sys.executable).parent / "oclep-bot"


@contextmanager
def counting_listener() -> Iterator[tuple[str, list[int]]]:
    """A TCP port on loopback that accepts and counts connections (none are expected)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.05)
    connections: list[int] = []
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", connections
    finally:
        while True:
            try:
                accepted, _ = server.accept()
            except TimeoutError:
                break
            connections.append(1)
            accepted.close()
        server.close()


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file() and not path.name.endswith(("-wal", "-shm"))
    }


async def _used_with(url: str, secret_path: Path, staff_pub: Path) -> None:
    """The database after a first start with the secret at `secret_path`."""
    async with await open_database(url, upgrade=True) as database:
        secret = await open_server_secret(database, secret_path)
        await adopt_server_secret(database, secret, read_public_key_file(staff_pub), _today())


def _today() -> date:
    return datetime.now(UTC).date()


@pytest.mark.parametrize("problem", ["another secret", "no secret file"])
def test_the_bot_refuses_a_secret_that_is_not_the_databases(
    database_target: DatabaseTarget, tmp_path: Path, problem: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    staff_pub = tmp_path / "keys" / "staff.pub"
    staff_pub.parent.mkdir()
    write_public_key_file(staff_pub, generate_staff_key().public_key)
    right = tmp_path / "secret" / "server.secret"
    asyncio.run(_used_with(database_target.url, right, staff_pub))
    given = tmp_path / "other" / "server.secret"
    if problem == "another secret":
        ServerSecret.load_or_create(given)
    before = _files(tmp_path)
    with counting_listener() as (api_base, connections):
        environment = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "OCLEP_TELEGRAM_TOKEN": "123456:TEST-token-never-used",
            "OCLEP_TELEGRAM_API_BASE": api_base,
            "OCLEP_DATABASE_URL": database_target.url,
            "OCLEP_DATA_DIR": str(data),
            "OCLEP_STAFF_PUBLIC_KEY": str(staff_pub),
            "OCLEP_SERVER_SECRET_FILE": str(given),
        }
        result = subprocess.run(
            [str(BOT_COMMAND), "run"],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2, result.stderr
    output = (result.stdout + result.stderr).strip()
    assert "Traceback" not in output
    expected = {
        "another secret": "is not the one this database was used with",
        "no secret file": "but this database was used with one",
    }[problem]
    [sentence] = [line for line in output.splitlines() if line.startswith("oclep-bot:")]
    assert expected in sentence and str(given) in sentence
    assert sentence.count(". ") == 0, sentence  # one sentence
    assert connections == []  # no Bot API call was made
    assert _files(tmp_path) == before  # nothing written, no secret created


async def test_the_right_secret_passes_and_a_fresh_database_takes_a_new_one(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    path = tmp_path / "secret" / "server.secret"
    async with await open_database(database_target.url, upgrade=True) as database:
        first = await open_server_secret(database, path)  # fresh: created
        await adopt_server_secret(database, first, generate_staff_key().public_key, _today())
        again = await open_server_secret(database, path)
        assert again.check_value() == first.check_value()
        path.unlink()
        with pytest.raises(ServerSecretError, match="was used with one"):
            await open_server_secret(database, path)
        assert not path.exists()


async def test_forgetting_a_lost_secret_keeps_every_answer_and_allows_a_new_one(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    from tests.admin.cli_support import run
    from tests.storage.repository_support import QUESTIONNAIRE, Setup, record

    async with await open_database(database_target.url, upgrade=True) as database:
        setup = Setup(database)
        lost = tmp_path / "lost" / "server.secret"
        secret = await open_server_secret(database, lost)
        await adopt_server_secret(database, secret, setup.staff_key.public_key, _today())
        key = setup.pseudonym(4_000_000_001)
        await setup.respond(key, [record("rol", "familiar")])
        lost.unlink()
        staff_pub = tmp_path / "staff.pub"
        write_public_key_file(staff_pub, setup.staff_key.public_key)
        options = ["--database-url", database_target.url, "--staff-public-key", str(staff_pub)]
        result = await asyncio.to_thread(run, ["db", "forget-server-secret", *options])
        assert result.exit_code == 0, result.stderr
        assert "Open drafts closed as partial submissions: 1." in result.stderr
        [partial] = await setup.decrypted()
        assert partial.meta.status == "partial" and partial.answers == {"rol": "familiar"}
        assert partial.meta.questionnaire == QUESTIONNAIRE
        fresh = await open_server_secret(database, tmp_path / "new" / "server.secret")
        assert fresh.check_value() != secret.check_value()
