"""`oclep-admin purge`: expired drafts become partial submissions closed with an end record,
as the bot's own expiry leaves them; tombstones are listed."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update
from typer.testing import Result

from storage.database import Database, open_database
from storage.keys import keyring, read_private_key_file
from storage.ratchet import ChainWalker, SealedAnswer, open_chain_key
from storage.reader import DecryptedSubmission, read_submissions
from storage.repository import end_record
from storage.server_secret import ServerSecret
from storage.tables import DRAFTS, SEALED_ANSWERS, SUBMISSIONS
from tests.admin.cli_support import one_sentence, run
from tests.admin.fixtures.builder import PASSPHRASE, Known, drive, engines
from tests.admin.fixtures.plans import make_plans
from tests.conftest import DatabaseTarget
from tests.storage.repository_support import QUESTIONNAIRE, Setup, count_rows, record

EXPIRED = "Expired drafts (now partial submissions, or deleted if empty):"


@pytest.fixture(autouse=True)
def no_bot_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The secret comes from what each test gives, never from the tester's environment."""
    monkeypatch.delenv("OCLEP_SERVER_SECRET_FILE", raising=False)
    monkeypatch.delenv("OCLEP_DATA_DIR", raising=False)


def statuses(folder: Path) -> dict[str, str]:
    key = read_private_key_file(folder / "staff.key", PASSPHRASE)

    async def read() -> dict[str, str]:
        found = {}
        async with await open_database(f"sqlite+aiosqlite:///{folder / 'oclep.db'}") as database:
            async for result in read_submissions(database, {key.key_id: key}):
                assert isinstance(result, DecryptedSubmission)
                found[result.meta.id.hex()] = result.meta.status
        return found

    return asyncio.run(read())


def test_purge_expires_drafts_and_lists_tombstones(tmp_path: Path) -> None:
    plans = make_plans(7, 200, {v: e.questionnaire for v, e in engines().items()})
    chosen = [p for p in plans if p.fate == "partial" and (p.stop_after or 99) <= 10][:2]
    chosen += [p for p in plans if p.fate == "withdrawn"][:1]
    chosen += [p for p in plans if p.fate == "complete"][:1]
    assert len(chosen) == 4
    known: list[Known] = asyncio.run(drive(tmp_path, chosen, purge_day=None))
    by_fate = {p.fate: k for p, k in zip(chosen, known, strict=True)}
    before = statuses(tmp_path)
    drafts = [k.submission_id for p, k in zip(chosen, known, strict=True) if p.fate == "partial"]
    assert all(before[d] == "in_progress" for d in drafts)
    assert by_fate["withdrawn"].submission_id not in before

    url = f"sqlite+aiosqlite:///{tmp_path / 'oclep.db'}"
    secret = ["--server-secret-file", tmp_path / "server.secret"]  # the one the bot used
    result = run(["purge", "--database-url", url, *secret])  # today is long after March 2025
    assert result.exit_code == 0, result.stderr
    assert f"{EXPIRED} 2" in result.stderr
    assert "end record" not in result.stderr  # every partial submission got one
    assert by_fate["withdrawn"].submission_id in result.stderr.replace("\n", "")
    after = statuses(tmp_path)
    assert all(after[d] == "partial" for d in drafts)
    assert after[by_fate["complete"].submission_id] == "complete"

    ids = run(["purge", "--database-url", url, *secret, "--ids-only"])
    assert ids.stdout.split() == [by_fate["withdrawn"].submission_id]
    assert "Expired drafts" not in ids.stderr


def test_purge_of_a_missing_database(tmp_path: Path) -> None:
    ServerSecret.load_or_create(tmp_path / "server.secret")
    url = f"sqlite+aiosqlite:///{tmp_path / 'none.db'}"
    result = run(
        ["purge", "--database-url", url, "--server-secret-file", tmp_path / "server.secret"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: There is no database")


# --- on SQLite and PostgreSQL: the result is the bot's own expiry ---


def bot_secret(folder: Path) -> tuple[Path, ServerSecret]:
    """The server secret file as the bot creates it (mode 0600), and the secret itself."""
    path = folder / "secret" / "server.secret"
    return path, ServerSecret.load_or_create(path)


async def answered(setup: Setup, user_id: int, answers: int) -> bytes:
    """A draft of `user_id` holding `answers` answers; its submission id."""
    repository = setup.repository()
    pseudonym = setup.pseudonym(user_id)
    draft = await repository.start_or_resume(
        pseudonym, questionnaire=QUESTIONNAIRE, campaign=None, initial_state=b"{}"
    )
    for step in range(answers):
        result = await repository.record_answer(
            pseudonym,
            update_id=step + 1,
            expected_version=draft.version,
            plaintext=record(f"q{step}", f"respuesta {step}"),
            new_state=b"{}",
        )
        assert result.draft is not None
        draft = result.draft
    return draft.submission_id


async def purge(target: DatabaseTarget, *options: object) -> Result:
    """The command as staff run it, on its own event loop (it calls `asyncio.run`)."""
    return await asyncio.to_thread(run, ["purge", "--database-url", target.url, *options])


async def sealed_records(database: Database, setup: Setup, submission_id: bytes) -> list[bytes]:
    """Every sealed record of a submission, end record included, opened with the staff key."""
    async with database.engine.connect() as connection:
        sealed_key = (
            await connection.execute(
                select(SUBMISSIONS.c.sealed_key).where(SUBMISSIONS.c.id == submission_id)
            )
        ).scalar_one()
        rows = (
            await connection.execute(
                select(
                    SEALED_ANSWERS.c.sequence, SEALED_ANSWERS.c.nonce, SEALED_ANSWERS.c.ciphertext
                )
                .where(SEALED_ANSWERS.c.submission_id == submission_id)
                .order_by(SEALED_ANSWERS.c.sequence)
            )
        ).all()
    questionnaire_hash = QUESTIONNAIRE.hash_bytes
    k0 = open_chain_key(
        keyring([setup.staff_key]), bytes(sealed_key), submission_id, questionnaire_hash
    )
    walker = ChainWalker(k0, submission_id, questionnaire_hash)
    assert [row.sequence for row in rows] == list(range(len(rows)))
    return [
        walker.open(row.sequence, SealedAnswer(bytes(row.nonce), bytes(row.ciphertext)))
        for row in rows
    ]


@pytest.mark.parametrize("given", ["option", "OCLEP_SERVER_SECRET_FILE", "OCLEP_DATA_DIR"])
async def test_purge_closes_expired_drafts_as_the_bot_does(
    database: Database,
    database_target: DatabaseTarget,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    given: str,
) -> None:
    path, secret = bot_secret(tmp_path)
    setup = Setup(database, secret=secret)  # the clock stands in March 2025
    expired = await answered(setup, 1, 3)
    empty = await answered(setup, 2, 0)
    setup.clock.now = datetime.now(UTC)
    current = await answered(setup, 3, 2)  # still within its days

    options: list[object] = []
    if given == "option":
        options = ["--server-secret-file", path]
    elif given == "OCLEP_SERVER_SECRET_FILE":
        monkeypatch.setenv(given, str(path))
    else:
        monkeypatch.setenv(given, str(path.parent))  # the bot's default: <data dir>/server.secret
    result = await purge(database_target, *options)
    assert result.exit_code == 0, result.stderr
    assert f"{EXPIRED} 2" in result.stderr

    by_id = {r.meta.id: r for r in await setup.decrypted()}
    assert set(by_id) == {expired, current}  # the empty draft is deleted
    assert empty not in by_id
    partial = by_id[expired]
    assert partial.meta.status == "partial" and partial.meta.answer_count == 3
    assert partial.answers == {f"q{i}": f"respuesta {i}" for i in range(3)}
    # The authenticated count the bot's expiry seals after the answers, under the chain.
    records = await sealed_records(database, setup, expired)
    assert len(records) == 4 and records[-1] == end_record(3)
    assert by_id[current].meta.status == "in_progress"
    assert await count_rows(database, DRAFTS) == 1


async def test_purge_warns_of_a_draft_it_cannot_close(
    database: Database, database_target: DatabaseTarget, tmp_path: Path
) -> None:
    path, secret = bot_secret(tmp_path)
    setup = Setup(database, secret=secret)
    intact = await answered(setup, 1, 2)
    damaged = await answered(setup, 2, 2)
    async with database.engine.begin() as connection:
        await connection.execute(
            update(DRAFTS)
            .where(DRAFTS.c.submission_id == damaged)
            .values(chain_key=b"\x01" + secrets.token_bytes(60))
        )
    result = await purge(database_target, "--server-secret-file", path)
    assert result.exit_code == 0, result.stderr
    assert f"{EXPIRED} 2" in result.stderr
    assert "1 of them could not be closed with an end record" in result.stderr
    assert (await sealed_records(database, setup, intact))[-1] == end_record(2)
    assert len(await sealed_records(database, setup, damaged)) == 2  # no end record


@pytest.mark.parametrize("problem", ["missing", "readable by others", "not the bot's"])
async def test_purge_without_the_bots_secret_changes_nothing(
    database: Database, database_target: DatabaseTarget, tmp_path: Path, problem: str
) -> None:
    path, secret = bot_secret(tmp_path)
    setup = Setup(database, secret=secret)
    draft = await answered(setup, 1, 2)
    given = tmp_path / "given" / "server.secret"
    if problem == "readable by others":
        given = path
        given.chmod(0o644)
    elif problem == "not the bot's":
        ServerSecret.load_or_create(given)
    result = await purge(database_target, "--server-secret-file", given)
    assert result.exit_code == 1
    sentence = one_sentence(result)
    assert str(given) in sentence
    expected = {
        "missing": "There is no server secret at",
        "readable by others": "can be read by other users",
        "not the bot's": "opens none of the 1 expired drafts, so it is not the bot's",
    }[problem]
    assert expected in sentence, sentence
    assert given.exists() == (problem != "missing")  # never created
    [unchanged] = await setup.decrypted()
    assert unchanged.meta.id == draft and unchanged.meta.status == "in_progress"
    assert await count_rows(database, DRAFTS) == 1
