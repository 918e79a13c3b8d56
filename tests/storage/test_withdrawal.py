"""Withdrawal: the submission, its answers and its sealed key are gone; a tombstone remains."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import col

from storage.database import Database
from storage.pseudonyms import DraftKey
from storage.repository import Change
from storage.tables import AuditEvent, Draft, SealedAnswer, Submission, Tombstone
from tests.conftest import DatabaseTarget
from tests.storage.repository_support import Setup, at_version, count_rows, record


async def _answered(setup: Setup, user_id: int, texts: list[str]) -> DraftKey:
    pseudonym = setup.pseudonym(user_id)
    await setup.respond(pseudonym, [record("testimonio", t) for t in texts], state=b"s")
    return pseudonym


async def _ciphertexts(database: Database) -> list[bytes]:
    async with database.engine.connect() as connection:
        rows = await connection.execute(
            select(col(SealedAnswer.ciphertext), col(SealedAnswer.nonce))
        )
        # Format 2 records have no nonce (empty): only stored bytes count.
        return [bytes(value) for row in rows for value in row if value]


async def _sealed_keys(database: Database) -> list[bytes]:
    async with database.engine.connect() as connection:
        rows = await connection.execute(select(col(Submission.sealed_key)))
        return [bytes(k) for k in rows.scalars() if k]  # format 2 has no sealed K0


async def test_withdrawing_an_unfinished_questionnaire(
    database: Database, database_target: DatabaseTarget
) -> None:
    setup = Setup(database)
    repo = setup.repository()
    kept = await _answered(setup, 3000000001, ["otra persona"])
    gone = await _answered(setup, 3000000002, ["primera parte", "segunda parte"])
    everything_before = set(await _ciphertexts(database)) | set(await _sealed_keys(database))
    [submission_id] = [r.meta.id for r in await setup.decrypted() if r.meta.answer_count == 2]

    assert await repo.withdraw_unfinished(gone)
    assert not await repo.withdraw_unfinished(gone)  # nothing left to withdraw

    assert (await repo.load(gone)).draft is None and (await repo.load(kept)).draft is not None
    assert await count_rows(database, Submission) == 1
    assert await count_rows(database, SealedAnswer) == 1
    assert await count_rows(database, Draft) == 1
    async with database.engine.connect() as connection:
        tombstone = (await connection.execute(select(Tombstone))).one()
        audit = (await connection.execute(select(AuditEvent))).one()
    assert (bytes(tombstone.submission_id), tombstone.withdrawn_on) == (
        submission_id,
        date(2025, 3, 14),
    )
    assert (audit.event, audit.details) == ("submission_withdrawn", {"via": "draft"})
    remaining = set(await _ciphertexts(database)) | set(await _sealed_keys(database))
    shredded = everything_before - remaining
    assert len(shredded) == 2  # the two answer records, each sealed to the staff key
    stored = database_target.stored_bytes()
    assert not any(database_target.holds(value, stored) for value in shredded)
    # The same check finds what is still there: it would see the shredded values too.
    assert all(database_target.holds(value, stored) for value in remaining)


async def test_withdrawing_a_finished_questionnaire_by_receipt(
    database: Database, database_target: DatabaseTarget
) -> None:
    setup = Setup(database)
    repo = setup.repository()
    pseudonym = await _answered(setup, 3000000003, ["me quitaron el pasaporte"])
    done = await repo.apply(pseudonym, update_id=99, decide=at_version(2, Change(complete=True)))
    assert done.receipt is not None
    shredded = set(await _ciphertexts(database)) | set(await _sealed_keys(database))

    assert not await repo.withdraw_by_receipt("0000 0000 0000 0000")
    assert not await repo.withdraw_by_receipt("no es un recibo")
    typed = done.receipt.replace(" ", "-")  # how a respondent might type it
    assert await repo.withdraw_by_receipt(typed)
    assert not await repo.withdraw_by_receipt(done.receipt)

    assert await count_rows(database, Submission) == 0
    assert await count_rows(database, SealedAnswer) == 0
    assert await count_rows(database, Tombstone) == 1
    assert await setup.read_all() == []
    stored = database_target.stored_bytes()
    assert not any(database_target.holds(value, stored) for value in shredded)
