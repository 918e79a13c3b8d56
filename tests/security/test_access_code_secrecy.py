"""An access code is in no file and no log: only in the one line `codes add` prints.

Staff register codes with the real `oclep-admin` in a subprocess; the code is then resolved as
the bot will, with every logger at DEBUG (SQLAlchemy's statement and parameter log
included). The database at rest (SQLite file and WAL, or a pg_dump), the command's stderr,
`codes list` and the logs are searched for the code in clear, as tests/security does for
respondents' answers. The searches are shown to see: the keyed hash is in the database, the
statements are in the log.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage.access_codes import AccessCodes, Grant, RevokedCode
from storage.database import open_database
from storage.server_secret import ServerSecret
from tests.conftest import DatabaseTarget

ADMIN = Path(sys.executable).parent / "oclep-admin"


def _admin(target: DatabaseTarget, secret: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "OCLEP_DATABASE_URL": target.url,
        "OCLEP_SERVER_SECRET_FILE": str(secret),
    }
    return subprocess.run(
        [str(ADMIN), *args],
        capture_output=True,
        text=True,
        env=environment,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=120,
    )


async def test_a_code_is_in_no_file_and_no_log(
    database_target: DatabaseTarget, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret_file = tmp_path / "secret" / "server.secret"
    ServerSecret.load_or_create(secret_file)
    upgraded = _admin(database_target, secret_file, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    added = _admin(
        database_target,
        secret_file,
        "codes",
        "add",
        "--kind",
        "investigator",
        "--questionnaire",
        "informe_campo",
        "--label",
        "campo-occidente",
    )
    assert added.returncode == 0, added.stderr
    code = added.stdout.strip()
    assert len(code) == 32 and code not in added.stderr
    chosen = "campania-discreta-77"
    made = _admin(
        database_target, secret_file, "codes", "add", "--kind", "campaign", "--label", "eu",
        "--code", chosen,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert chosen not in made.stdout + made.stderr

    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.DEBUG)
    try:
        async with await open_database(database_target.url) as database:
            codes = AccessCodes(database, ServerSecret.load(secret_file))
            grant = await codes.resolve(code)
            assert isinstance(grant, Grant)
            assert isinstance(await codes.resolve(chosen), Grant)
            assert await codes.resolve(code[:-1] + ("A" if code[-1] != "A" else "B")) is None
            revoked = _admin(database_target, secret_file, "codes", "revoke", grant.short_id)
            assert revoked.returncode == 0, revoked.stderr
            assert isinstance(await codes.resolve(code), RevokedCode)
            listed = _admin(database_target, secret_file, "codes", "list")
            assert listed.returncode == 0, listed.stderr
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)

    assert "access_codes" in caplog.text  # the statements were logged, with their parameters
    for secret_code in (code, chosen):
        assert secret_code not in caplog.text
        assert secret_code not in revoked.stdout + revoked.stderr
        assert secret_code not in listed.stdout + listed.stderr
    stored = database_target.stored_bytes()
    secret = ServerSecret.load(secret_file)
    assert database_target.holds(secret.access_code_hash(code), stored)
    for secret_code in (code, chosen):
        assert not database_target.holds(secret_code.encode(), stored)
    # Nor does the secret file hold a code (it holds keys only).
    assert code.encode() not in secret_file.read_bytes()
