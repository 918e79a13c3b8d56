"""`oclep-admin db current` and `db check`: the schema's revision in one sentence."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from admin_cli.main import app
from storage.database import head_revision, open_database
from tests.conftest import DatabaseTarget


def _db(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["db", *args])
    return result.exit_code, result.output


async def _set_revision(url: str, revision: str) -> None:
    database = await open_database(url, upgrade=False)
    try:
        async with database.engine.begin() as connection:
            await connection.execute(
                text("UPDATE alembic_version SET version_num = :r"), {"r": revision}
            )
    finally:
        await database.close()


# Synchronous: the commands run their own event loop, as they do for staff.
def test_current_and_check_follow_the_schema(database_target: DatabaseTarget) -> None:
    url = database_target.url
    head = head_revision()
    if database_target.kind == "postgresql":  # an empty schema: nothing created yet
        code, output = _db("check", "--database-url", url)
        assert code == 1 and "has no schema yet" in output and "db upgrade" in output
        assert _db("current", "--database-url", url)[0] == 0

    assert _db("upgrade", "--database-url", url)[0] == 0
    for command in ("current", "check"):
        code, output = _db(command, "--database-url", url)
        assert code == 0 and f"at schema revision {head} (newest)." in output, output

    asyncio.run(_set_revision(url, "0001"))
    code, output = _db("check", "--database-url", url)
    assert code == 1 and f"revision 0001, behind this program's {head}" in output, output
    code, output = _db("current", "--database-url", url)
    assert code == 0 and "revision 0001" in output  # reports; only `check` fails

    asyncio.run(_set_revision(url, "9999"))
    code, output = _db("check", "--database-url", url)
    assert code == 1 and "newer version of OCLEP" in output, output
    assert output.count("\n") == 1 and "Traceback" not in output


def test_check_never_creates_a_missing_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "oclep.db"
    code, output = _db("check", "--database-url", f"sqlite+aiosqlite:///{path}")
    assert code == 1 and not path.exists()
    assert output.count("\n") == 1 and "Traceback" not in output
