"""`oclep-admin purge`: expired drafts become partial submissions closed with an end record,
as the bot's own expiry leaves them; tombstones are listed. Only the staff public key is
needed: purge never reads the server secret."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update
from typer.testing import Result

from storage.database import Database, open_database
from storage.envelope import open_record
from storage.expiry import end_record
from storage.keys import generate_staff_key, keyring, read_private_key_file, write_public_key_file
from storage.pseudonyms import DraftKey
from storage.reader import DecryptedSubmission, read_submissions
from storage.repository import Change
from storage.tables import DRAFTS, SEALED_ANSWERS
from tests.admin.cli_support import one_sentence, run
from tests.admin.fixtures.builder import PASSPHRASE, Known, drive, engines
from tests.admin.fixtures.plans import make_plans
from tests.conftest import DatabaseTarget
from tests.storage.repository_support import QUESTIONNAIRE, Setup, at_version, count_rows, record

EXPIRED = "Expired drafts (now partial submissions, or deleted if empty):"


@pytest.fixture(autouse=True)
def no_bot_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The key comes from what each test gives, never from the tester's environment."""
    monkeypatch.delenv("OCLEP_STAFF_PUBLIC_KEY", raising=False)
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
    secret = ["--staff-public-key", tmp_path / "staff.pub"]  # the one the bot used
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
    setup_key = tmp_path / "staff.pub"
    write_public_key_file(setup_key, generate_staff_key().public_key)
    url = f"sqlite+aiosqlite:///{tmp_path / 'none.db'}"
    result = run(["purge", "--database-url", url, "--staff-public-key", setup_key])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: There is no database")


# --- on SQLite and PostgreSQL: the result is the bot's own expiry ---


def public_key_file(setup: Setup, folder: Path) -> Path:
    """The staff public key file as it sits on the server."""
    path = folder / "staff.pub"
    write_public_key_file(path, setup.staff_key.public_key)
    return path


async def answered(setup: Setup, user_id: int, answers: int) -> bytes:
    """A draft of `user_id` holding `answers` answers; its submission id."""
    repository = setup.repository()
    pseudonym: DraftKey = setup.pseudonym(user_id)
    draft = await repository.start_or_resume(
        pseudonym, questionnaire=QUESTIONNAIRE, campaign=None, initial_state=b"{}"
    )
    for step in range(answers):
        result = await repository.apply(
            pseudonym,
            update_id=step + 1,
            decide=at_version(
                draft.version,
                Change(state=b"{}", answers=(record(f"q{step}", f"respuesta {step}"),)),
            ),
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
        rows = (
            await connection.execute(
                select(SEALED_ANSWERS.c.sequence, SEALED_ANSWERS.c.ciphertext)
                .where(SEALED_ANSWERS.c.submission_id == submission_id)
                .order_by(SEALED_ANSWERS.c.sequence)
            )
        ).all()
    assert [row.sequence for row in rows] == list(range(len(rows)))
    keys = keyring([setup.staff_key])
    return [
        open_record(
            keys, bytes(row.ciphertext), submission_id, row.sequence, QUESTIONNAIRE.hash_bytes
        )
        for row in rows
    ]


@pytest.mark.parametrize("given", ["option", "OCLEP_STAFF_PUBLIC_KEY"])
async def test_purge_closes_expired_drafts_as_the_bot_does(
    database: Database,
    database_target: DatabaseTarget,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    given: str,
) -> None:
    setup = Setup(database)  # the clock stands in March 2025
    key_file = public_key_file(setup, tmp_path)
    expired = await answered(setup, 1, 3)
    empty = await answered(setup, 2, 0)
    setup.clock.now = datetime.now(UTC)
    current = await answered(setup, 3, 2)  # still within its days

    options: list[object] = []
    if given == "option":
        options = ["--staff-public-key", key_file]
    else:
        monkeypatch.setenv(given, str(key_file))
    result = await purge(database_target, *options)
    assert result.exit_code == 0, result.stderr
    assert f"{EXPIRED} 2" in result.stderr

    by_id = {r.meta.id: r for r in await setup.decrypted()}
    assert set(by_id) == {expired, current}  # the empty draft is deleted
    assert empty not in by_id
    partial = by_id[expired]
    assert partial.meta.status == "partial" and partial.meta.answer_count == 3
    assert partial.answers == {f"q{i}": f"respuesta {i}" for i in range(3)}
    # The authenticated count the bot's expiry seals after the answers.
    records = await sealed_records(database, setup, expired)
    assert len(records) == 4 and records[-1] == end_record(3)
    assert by_id[current].meta.status == "in_progress"
    assert await count_rows(database, DRAFTS) == 1


async def test_purge_warns_of_a_format_1_draft_it_cannot_close(
    database: Database, database_target: DatabaseTarget, tmp_path: Path
) -> None:
    setup = Setup(database)
    key_file = public_key_file(setup, tmp_path)
    intact = await answered(setup, 1, 2)
    legacy = await answered(setup, 2, 2)
    # A draft started before record format 2 carries its ratchet key, sealed with a key
    # that only the bot's one-time conversion of a format 1 secret holds.
    async with database.engine.begin() as connection:
        await connection.execute(
            update(DRAFTS).where(DRAFTS.c.submission_id == legacy).values(chain_key=b"\x01" * 61)
        )
    result = await purge(database_target, "--staff-public-key", key_file)
    assert result.exit_code == 0, result.stderr
    assert f"{EXPIRED} 2" in result.stderr
    assert "1 of them could not be closed with an end record" in result.stderr
    assert (await sealed_records(database, setup, intact))[-1] == end_record(2)
    assert len(await sealed_records(database, setup, legacy)) == 2  # no end record


@pytest.mark.parametrize("problem", ["not given", "missing", "not a key"])
async def test_purge_without_the_staff_public_key_changes_nothing(
    database: Database, database_target: DatabaseTarget, tmp_path: Path, problem: str
) -> None:
    setup = Setup(database)
    draft = await answered(setup, 1, 2)
    given = tmp_path / "given" / "staff.pub"
    if problem == "not a key":
        given.parent.mkdir()
        given.write_text("not a key\n")
    options: list[object] = [] if problem == "not given" else ["--staff-public-key", given]
    result = await purge(database_target, *options)
    assert result.exit_code == 1
    sentence = one_sentence(result)
    assert "Nothing was changed." in sentence, sentence
    if problem != "not given":
        assert str(given) in sentence
    assert not given.exists() or problem == "not a key"
    [unchanged] = await setup.decrypted()
    assert unchanged.meta.id == draft and unchanged.meta.status == "in_progress"
    assert await count_rows(database, DRAFTS) == 1
