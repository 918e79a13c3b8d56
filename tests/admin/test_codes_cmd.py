"""`oclep-admin codes add|list|revoke` on SQLite and PostgreSQL: what staff see, and what the
bot will then resolve."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import Result

from storage.access_codes import AccessCodes, Grant, RevokedCode
from storage.database import Database
from storage.server_secret import ServerSecret
from storage.tables import AccessCodeKind
from tests.admin.cli_support import one_sentence, run
from tests.conftest import DatabaseTarget


async def codes(target: DatabaseTarget, *args: object) -> Result:
    """The command as staff run it, on its own event loop (it calls `asyncio.run`)."""
    return await asyncio.to_thread(run, ["codes", *args, "--database-url", target.url])


@pytest.fixture
def secret_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bot's server secret, outside the data folder, named as the bot is configured."""
    path = tmp_path / "secret" / "server.secret"
    ServerSecret.load_or_create(path)
    monkeypatch.setenv("OCLEP_SERVER_SECRET_FILE", str(path))
    return path


async def test_add_list_revoke_as_staff_do_and_the_bot_resolves(
    database: Database, database_target: DatabaseTarget, secret_file: Path
) -> None:
    added = await codes(
        database_target,
        "add",
        "--kind",
        "investigator",
        "--questionnaire",
        "informe_campo",
        "--label",
        "campo-oriente",
        "--bot-username",
        "@observatorio_bot",
    )
    assert added.exit_code == 0, added.stderr
    code, link = added.stdout.split()
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", code)
    assert link == f"https://t.me/observatorio_bot?start={code}"
    assert "shown this once" in added.stderr and code not in added.stderr
    short_id = re.search(r"code ([0-9a-f]{8}) for informe_campo", added.stderr)
    assert short_id is not None

    chosen = await codes(
        database_target, "add", "--kind", "campaign", "--label", "brasil", "--code", "brasil2026"
    )
    assert chosen.exit_code == 0, chosen.stderr
    assert chosen.stdout == ""  # staff chose it: nothing to show

    listed = await codes(database_target, "list")
    assert listed.exit_code == 0, listed.stderr
    today = datetime.now(UTC).date().isoformat()
    assert short_id[1] in listed.stdout and "campo-oriente" in listed.stdout
    assert "investigator" in listed.stdout and "campaign" in listed.stdout
    assert today in listed.stdout
    assert code not in listed.stdout and "brasil2026" not in listed.stdout

    revoked = await codes(database_target, "revoke", short_id[1])
    assert revoked.exit_code == 0, revoked.stderr
    assert f"revoked since {today}" in revoked.stdout

    resolver = AccessCodes(database, ServerSecret.load(secret_file))
    assert await resolver.resolve(code) == RevokedCode(short_id[1], AccessCodeKind.INVESTIGATOR)
    grant = await resolver.resolve("brasil2026")
    assert isinstance(grant, Grant)
    assert (grant.questionnaire, grant.label) == ("testimonio", "brasil")


async def test_refusals_are_one_sentence_and_never_echo_a_code(
    database: Database, database_target: DatabaseTarget, secret_file: Path
) -> None:
    del database, secret_file
    cases = [
        (
            ["add", "--kind", "campaign", "--label", "x", "--questionnaire", "informe_campo"],
            "only by investigator codes",
        ),
        (
            ["add", "--kind", "investigator", "--label", "x", "--code", "elegido-por-mi"],
            "always drawn at random",
        ),
        (
            ["add", "--kind", "campaign", "--label", "x", "--questionnaire", "encuesta"],
            "asks no questionnaire 'encuesta'",
        ),
        (["revoke", "00000000"], "No code has the id '00000000'"),
    ]
    for args, problem in cases:
        result = await codes(database_target, *args)
        assert result.exit_code == 1, args
        sentence = one_sentence(result)
        assert problem in sentence
        assert "elegido-por-mi" not in sentence


async def test_a_wrong_or_missing_secret_is_refused_before_anything_is_written(
    database: Database, database_target: DatabaseTarget, secret_file: Path, tmp_path: Path
) -> None:
    first = await codes(database_target, "add", "--kind", "campaign", "--label", "uno")
    assert first.exit_code == 0, first.stderr  # the database now knows the bot's secret
    other = tmp_path / "otro" / "server.secret"
    ServerSecret.load_or_create(other)
    for path, problem in ((other, "is not the one this database"), (tmp_path / "no", "no server")):
        result = await codes(
            database_target,
            "add",
            "--kind",
            "campaign",
            "--label",
            "dos",
            "--server-secret-file",
            path,
        )
        assert result.exit_code == 1
        assert problem in one_sentence(result)
    assert not (tmp_path / "no").exists()  # never created
    entries = await AccessCodes(database, ServerSecret.load(secret_file)).entries()
    assert [entry.label for entry in entries] == ["uno"]


async def test_the_default_secret_is_the_bots_in_the_data_folder(
    database: Database,
    database_target: DatabaseTarget,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    del database
    monkeypatch.delenv("OCLEP_SERVER_SECRET_FILE", raising=False)
    monkeypatch.setenv("OCLEP_DATA_DIR", str(tmp_path / "datos"))
    ServerSecret.load_or_create(tmp_path / "datos" / "server.secret")
    result = await codes(database_target, "list")
    assert result.exit_code == 0, result.stderr
    assert "No codes registered." in result.stdout
