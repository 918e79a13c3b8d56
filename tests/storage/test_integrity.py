"""What a tampered or seized database cannot hide or reveal: dropped records, insert order,
expired drafts, and keys or plaintext in reprs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import col

from storage.database import Database, open_database
from storage.reader import INCOMPLETE, DecryptedSubmission, ReadResult, UnreadableSubmission
from storage.repository import Change, ChangeResult, Decided, DraftHandle, Outcome, _Loaded
from storage.tables import Draft, SealedAnswer, Submission
from tests.storage.repository_support import QUESTIONNAIRE, Setup, at_version, record

SECRET_TEXT = "me quitaron el pasaporte"


async def _answered(setup: Setup, user_id: int, answers: int, *, complete: bool) -> bytes:
    repo = setup.repository()
    pseudonym = setup.pseudonym(user_id)
    draft = await repo.start_or_resume(
        pseudonym, questionnaire=QUESTIONNAIRE, campaign=None, initial_state=b"{}"
    )
    version = draft.version
    for step in range(answers):
        result = await repo.apply(
            pseudonym,
            update_id=step + 1,
            decide=at_version(
                version, Change(state=b"{}", answers=(record(f"q{step}", SECRET_TEXT),))
            ),
        )
        assert result.draft is not None
        version = result.draft.version
    if complete:
        done = await repo.apply(
            pseudonym, update_id=99, decide=at_version(version, Change(complete=True))
        )
        assert done.outcome is Outcome.APPLIED
    return draft.submission_id


async def _drop(database: Database, submission_id: bytes, *sequences: int) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(
            delete(SealedAnswer)
            .where(col(SealedAnswer.submission_id) == submission_id)
            .where(col(SealedAnswer.sequence).in_(sequences))
        )


async def _set_count(database: Database, submission_id: bytes, count: int) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(
            update(Submission).where(col(Submission.id) == submission_id).values(answer_count=count)
        )


async def _only_result(setup: Setup, submission_id: bytes) -> ReadResult:
    [result] = [r for r in await setup.read_all() if r.meta.id == submission_id]
    return result


async def test_a_gap_in_the_records_makes_the_submission_incomplete(database: Database) -> None:
    setup = Setup(database)
    target = await _answered(setup, 1, 3, complete=True)
    intact = await _answered(setup, 2, 3, complete=True)
    await _drop(database, target, 1)
    result = await _only_result(setup, target)
    assert isinstance(result, UnreadableSubmission) and result.reason == INCOMPLETE
    assert isinstance(await _only_result(setup, intact), DecryptedSubmission)


async def test_a_dropped_tail_is_noticed_even_with_the_count_edited_to_match(
    database: Database,
) -> None:
    setup = Setup(database)
    target = await _answered(setup, 1, 3, complete=True)  # records 0-2, end record 3
    await _drop(database, target, 2, 3)
    result = await _only_result(setup, target)
    assert isinstance(result, UnreadableSubmission) and result.reason == INCOMPLETE
    await _set_count(database, target, 2)  # the count now agrees with what is left
    result = await _only_result(setup, target)
    assert isinstance(result, UnreadableSubmission) and result.reason == INCOMPLETE


async def test_an_expired_draft_is_closed_with_an_end_record(database: Database) -> None:
    setup = Setup(database)
    target = await _answered(setup, 1, 2, complete=False)
    setup.clock.advance(days=31)
    assert await setup.repository().expire_drafts() == 1
    result = await _only_result(setup, target)
    assert isinstance(result, DecryptedSubmission)
    assert result.meta.status == "partial" and list(result.answers) == ["q0", "q1"]
    assert result.meta.answer_count == 2  # the end record is not counted
    await _drop(database, target, 1)
    result = await _only_result(setup, target)
    assert isinstance(result, UnreadableSubmission) and result.reason == INCOMPLETE


async def test_a_damaged_questionnaire_hash_makes_one_submission_unreadable(
    database: Database,
) -> None:
    setup = Setup(database)
    target = await _answered(setup, 1, 1, complete=True)
    intact = await _answered(setup, 2, 1, complete=True)
    async with database.engine.begin() as connection:
        await connection.execute(
            update(Submission)
            .where(col(Submission.id) == target)
            .values(questionnaire_hash="not hex")
        )
    results = await setup.read_all()
    by_id = {r.meta.id: r for r in results}
    assert isinstance(by_id[target], UnreadableSubmission)
    assert "questionnaire hash" in by_id[target].reason  # type: ignore[union-attr]
    assert isinstance(by_id[intact], DecryptedSubmission)


async def test_sqlite_tables_keep_no_insertion_order(tmp_path: Path) -> None:
    # SQLite only: PostgreSQL's physical order is a documented limit (docs/storage.md).
    path = tmp_path / "data" / "oclep.db"
    async with await open_database(f"sqlite+aiosqlite:///{path}") as database:
        setup = Setup(database)
        await _answered(setup, 1, 2, complete=True)
        for table in ("submissions", "sealed_answers", "drafts", "processed_updates", "tombstones"):
            with pytest.raises(DBAPIError, match="rowid"):
                async with database.engine.connect() as connection:
                    await connection.exec_driver_sql(f"SELECT rowid FROM {table}")


async def test_an_expired_draft_is_never_loaded_nor_extended(database: Database) -> None:
    setup = Setup(database)
    repo = setup.repository()
    pseudonym = setup.pseudonym(1)
    await _answered(setup, 1, 1, complete=False)
    setup.clock.advance(days=31)
    called: list[DraftHandle] = []

    def decide(draft: DraftHandle) -> Decided[None]:
        called.append(draft)
        return Decided(Change(state=b"{}"), None)

    result = await repo.apply(pseudonym, update_id=50, decide=decide)
    assert result.outcome is Outcome.NO_DRAFT and called == []
    # It was expired on the spot, not saved with a later expiry date.
    async with database.engine.connect() as connection:
        drafts = (await connection.execute(Draft.__table__.select())).all()  # type: ignore[attr-defined]
    assert drafts == []
    assert (await repo.load(pseudonym)).draft is None


async def test_an_expired_draft_found_by_load_is_expired(database: Database) -> None:
    setup = Setup(database)
    repo = setup.repository()
    submission_id = await _answered(setup, 1, 1, complete=False)
    setup.clock.advance(days=31)
    assert (await repo.load(setup.pseudonym(1))).draft is None
    result = await _only_result(setup, submission_id)
    assert result.meta.status == "partial"


def test_reprs_show_no_plaintext_nor_keys() -> None:
    secret = SECRET_TEXT.encode()
    change = Change(state=b"routing " + secret, answers=(secret,))
    handle = DraftHandle(
        submission_id=b"\x00" * 16,
        questionnaire=QUESTIONNAIRE,
        campaign=None,
        version=1,
        last_update_id=0,
        next_sequence=0,
        state=secret,
        expires_on=date(2025, 1, 1),
    )
    pseudonym = b"\xab" * 32
    loaded = _Loaded(handle=handle, pseudonym=pseudonym, update_seen=False)
    result: ChangeResult[str] = ChangeResult(
        Outcome.APPLIED, handle, receipt="1234 5678 9012 3456", decided=SECRET_TEXT
    )
    for shown in (repr(change), repr(loaded), repr(result)):
        assert SECRET_TEXT not in shown and str(secret) not in shown
        assert repr(pseudonym) not in shown and "1234 5678" not in shown
