"""What a seized database (plus the server secret) reveals: no ids, no answers, no past keys."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select
from sqlmodel import col

from storage.database import Database
from storage.ratchet import SealedAnswer as SealedRecord
from storage.ratchet import SealedAnswerError, next_chain_key, open_answer
from storage.repository import _chain_context
from storage.server_secret import Purpose
from storage.tables import Draft, SealedAnswer
from tests.conftest import DatabaseTarget
from tests.storage.repository_support import (
    QUESTIONNAIRE,
    Setup,
    random_telegram_id,
    record,
)

ANSWER_TEXTS = [
    "Me quitaron el pasaporte en Caracas",
    "Trabajaba 14 horas al día sin descanso",
    "Amenazaron a mi familia en Holguín",
    "El 75 % del salario se lo quedaba el Estado",
]


def _user_id_forms(user_id: int) -> list[bytes]:
    return [
        user_id.to_bytes(8, "big", signed=True),
        user_id.to_bytes(8, "little", signed=True),
        str(user_id).encode(),
    ]


async def test_nothing_identifying_or_readable_is_stored_or_logged(
    database: Database, database_target: DatabaseTarget, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy", "aiosqlite", "asyncpg", "alembic", "storage"):
        caplog.set_level(logging.DEBUG, logger=name)
    setup = Setup(database)
    repo = setup.repository()
    finished_id, unfinished_id = random_telegram_id(), random_telegram_id()
    receipts: list[str] = []
    for user_id, complete in ((finished_id, True), (unfinished_id, False)):
        pseudonym = setup.pseudonym(user_id)
        assert await repo.rate_hit(setup.secret.pseudonym(Purpose.RATE, user_id), limit=60)
        version = await setup.respond(
            pseudonym,
            [record("testimonio", text) for text in ANSWER_TEXTS],
            campaign="difusion_2025",
            state=b"routing: lugar_seguro=si",  # sealed by the server key
            first_update_id=500_000_000,
        )
        if complete:
            done = await repo.complete(pseudonym, update_id=600_000_000, expected_version=version)
            assert done.receipt is not None
            receipts.append(done.receipt)

    secrets_of_respondents = [
        *_user_id_forms(finished_id),
        *_user_id_forms(unfinished_id),
        *(text.encode() for text in ANSWER_TEXTS),
        *(record("testimonio", text) for text in ANSWER_TEXTS),
        b"lugar_seguro",
        *(r.encode() for r in receipts),
        *(r.replace(" ", "").encode() for r in receipts),
    ]
    stored = database_target.stored_bytes()
    leaked = [s for s in secrets_of_respondents if database_target.holds(s, stored)]
    assert leaked == []
    # The same search finds what is in clear, so it would find a leak.
    assert database_target.holds(b"difusion_2025", stored)

    logs = caplog.text.encode()
    pseudonyms = [setup.pseudonym(finished_id), setup.pseudonym(unfinished_id)]
    in_logs = [
        s
        for s in secrets_of_respondents + pseudonyms + [repr(p).encode() for p in pseudonyms]
        if s in logs or s.hex().encode() in logs
    ]
    assert in_logs == []

    # Staff still read everything.
    results = await setup.decrypted()
    assert sorted(r.meta.status for r in results) == ["complete", "in_progress"]
    assert all(r.answers == {"testimonio": ANSWER_TEXTS[-1]} for r in results)
    assert all(len(r.records) == len(ANSWER_TEXTS) for r in results)


async def test_a_seized_server_cannot_open_answers_already_given(
    database: Database, database_target: DatabaseTarget
) -> None:
    setup = Setup(database)
    pseudonym = setup.pseudonym(random_telegram_id())

    async def sealed_chain_key() -> bytes:
        async with database.engine.connect() as connection:
            return bytes((await connection.execute(select(col(Draft.chain_key)))).scalar_one())

    # The sealed chain key once the draft starts and after each answer.
    answers_given = setup.answering(pseudonym, [record("testimonio", t) for t in ANSWER_TEXTS])
    past_chain_blobs = [await sealed_chain_key() async for _ in answers_given]
    current_blob = past_chain_blobs.pop()
    assert len(past_chain_blobs) == len(ANSWER_TEXTS)  # one before each answer

    # Everything the server holds: every row of the database, and the server secret.
    async with database.engine.connect() as connection:
        draft_row = (await connection.execute(select(Draft))).one()
        answers = (await connection.execute(select(SealedAnswer))).all()
    assert len(answers) == len(ANSWER_TEXTS)
    chain_key = setup.secret.open_draft(
        bytes(draft_row.chain_key),
        _chain_context(
            bytes(draft_row.pseudonym), bytes(draft_row.submission_id), draft_row.next_sequence
        ),
    )
    # The current chain key, and every key derived forward from it, opens none of them.
    candidates = [chain_key]
    for _ in range(len(ANSWER_TEXTS) + 2):
        candidates.append(next_chain_key(candidates[-1]))
    for answer in answers:
        for candidate in candidates:
            with pytest.raises(SealedAnswerError):
                open_answer(
                    candidate,
                    bytes(answer.submission_id),
                    answer.sequence,
                    QUESTIONNAIRE.hash_bytes,
                    SealedRecord(bytes(answer.nonce), bytes(answer.ciphertext)),
                )
    # Earlier chain keys are gone from the stored bytes (WAL included), not just replaced.
    stored = database_target.stored_bytes()
    assert database_target.holds(current_blob, stored)
    assert not any(database_target.holds(blob, stored) for blob in past_chain_blobs)

    # Staff, holding the private key, read every answer.
    [submission] = await setup.decrypted()
    assert submission.records == tuple(record("testimonio", t) for t in ANSWER_TEXTS)
