"""Staff-side reading: everything decrypted, filters, unknown keys skipped, constant memory."""

from __future__ import annotations

import asyncio
import json
import secrets
import tracemalloc
from datetime import date
from decimal import Decimal

from sqlalchemy import insert, update
from sqlmodel import col

from flows.answers import SKIPPED, Money
from storage.database import Database
from storage.keys import generate_staff_key, keyring
from storage.ratchet import new_chain_key, next_chain_key, seal_answer, seal_chain_key
from storage.reader import (
    DecryptedSubmission,
    SubmissionFilter,
    UnreadableSubmission,
    assemble_answers,
    read_submissions,
)
from storage.repository import end_record
from storage.tables import SealedAnswer, Submission
from tests.storage.repository_support import QUESTIONNAIRE, Setup, record


async def _respond(
    setup: Setup, user_id: int, records: list[bytes], *, complete: bool, campaign: str | None
) -> None:
    repo = setup.repository()
    pseudonym = setup.pseudonym(user_id)
    draft = await repo.start_or_resume(
        pseudonym, questionnaire=QUESTIONNAIRE, campaign=campaign, initial_state=b""
    )
    version = draft.version
    for update_id, plaintext in enumerate(records, start=1):
        result = await repo.record_answer(
            pseudonym,
            update_id=update_id,
            expected_version=version,
            plaintext=plaintext,
            new_state=b"",
        )
        assert result.draft is not None
        version = result.draft.version
    if complete:
        await repo.complete(pseudonym, update_id=10_000, expected_version=version)


async def test_staff_read_the_last_answer_per_question_in_order(database: Database) -> None:
    setup = Setup(database)
    records = [
        record("consentimiento", "acepto"),
        record("pais", "VE"),
        record("salario", Money(Decimal("3000"), "USD")),
        record("pais", "BO"),  # went back and changed it
        record("indicadores", ("retencion_salario", "amenazas")),
        record("edad", SKIPPED),
        record("testimonio", "Primera parte."),
        record("testimonio", "Segunda parte.", append=True),
        record("porcentaje", Decimal("75.5")),
    ]
    await _respond(setup, 1, records, complete=True, campaign="red_medica")
    [submission] = await setup.decrypted()
    assert submission.records == tuple(records)
    assert list(submission.answers) == [
        "consentimiento",
        "pais",
        "salario",
        "indicadores",
        "edad",
        "testimonio",
        "porcentaje",
    ]
    assert submission.answers["pais"] == "BO"
    assert submission.answers["salario"] == Money(Decimal("3000"), "USD")
    assert submission.answers["edad"] is SKIPPED
    assert submission.answers["testimonio"] == "Primera parte.\nSegunda parte."
    assert submission.malformed == 0
    meta = submission.meta
    assert (meta.status, meta.campaign, meta.questionnaire) == (
        "complete",
        "red_medica",
        QUESTIONNAIRE,
    )
    assert meta.completed_on == date(2025, 3, 14) and meta.answer_count == len(records)


def test_assembling_answers_counts_malformed_records() -> None:
    answers, malformed = assemble_answers(
        [b"not json", json.dumps({"q": 1, "v": {"t": "int", "v": 2}}).encode(), record("a", 3)]
    )
    assert answers == {"a": 3} and malformed == 2
    # A part marked `append` with nothing before it is the whole text.
    assert assemble_answers([record("t", "solo", append=True)])[0] == {"t": "solo"}


async def test_filters_by_status_campaign_and_day(database: Database) -> None:
    setup = Setup(database)
    await _respond(setup, 1, [record("a", "1")], complete=True, campaign="norte")
    setup.clock.advance(days=5)
    await _respond(setup, 2, [record("a", "2")], complete=True, campaign="sur")
    await _respond(setup, 3, [record("a", "3")], complete=False, campaign="norte")

    async def answers(**filters: object) -> list[str]:
        found = await setup.decrypted(filters=SubmissionFilter(**filters))  # type: ignore[arg-type]
        return sorted(str(s.answers["a"]) for s in found)

    assert await answers() == ["1", "2", "3"]
    assert await answers(statuses=frozenset({"complete"})) == ["1", "2"]
    assert await answers(campaign="norte") == ["1", "3"]
    assert await answers(since=date(2025, 3, 19)) == ["2", "3"]
    assert await answers(until=date(2025, 3, 18)) == ["1"]
    assert await answers(statuses=frozenset({"partial"})) == []


async def test_every_submission_is_read_once_across_batches(database: Database) -> None:
    setup = Setup(database)
    for user_id in range(1, 12):
        await _respond(setup, user_id, [record("n", user_id)], complete=True, campaign=None)
    found = await setup.decrypted(batch_size=3)
    assert sorted(s.answers["n"] for s in found) == list(range(1, 12))  # type: ignore[type-var]


async def test_records_under_an_unknown_key_are_reported_and_skipped(database: Database) -> None:
    setup = Setup(database)
    await _respond(setup, 1, [record("a", "old key")], complete=True, campaign=None)
    old_key = setup.staff_key
    setup.staff_key = generate_staff_key(pq=True)  # rotation to a post-quantum key
    await _respond(setup, 2, [record("a", "new key")], complete=True, campaign=None)
    setup.staff_key = generate_staff_key()  # a key nobody gives the reader
    await _respond(setup, 3, [record("a", "lost key")], complete=True, campaign=None)
    lost_key_id = setup.staff_key.key_id

    # Other keys of both suites are given, but not the two used for 2 and 3.
    given = keyring([old_key, generate_staff_key(), generate_staff_key(pq=True)])
    results = [r async for r in read_submissions(database, given)]
    readable = sorted(str(r.answers["a"]) for r in results if isinstance(r, DecryptedSubmission))
    unreadable = [r for r in results if isinstance(r, UnreadableSubmission)]
    assert readable == ["old key"]
    assert len(unreadable) == 2
    reasons = " ".join(r.reason for r in unreadable)
    assert lost_key_id.hex() in reasons and "not given" in reasons


async def test_both_rotated_keys_read_everything(database: Database) -> None:
    setup = Setup(database)
    first = setup.staff_key
    await _respond(setup, 1, [record("a", "x")], complete=True, campaign=None)
    setup.staff_key = generate_staff_key(pq=True)
    await _respond(setup, 2, [record("a", "y")], complete=True, campaign=None)
    results = [r async for r in read_submissions(database, keyring([first, setup.staff_key]))]
    assert sorted(str(r.answers["a"]) for r in results if isinstance(r, DecryptedSubmission)) == [
        "x",
        "y",
    ]


async def test_a_tampered_answer_makes_that_submission_unreadable_only(
    database: Database,
) -> None:
    setup = Setup(database)
    await _respond(setup, 1, [record("a", "x"), record("b", "y")], complete=True, campaign=None)
    await _respond(setup, 2, [record("a", "z")], complete=True, campaign=None)
    [target] = [s for s in await setup.decrypted() if len(s.records) == 2]
    async with database.engine.begin() as connection:
        await connection.execute(
            update(SealedAnswer)
            .where(col(SealedAnswer.submission_id) == target.meta.id)
            .where(col(SealedAnswer.sequence) == 1)
            .values(ciphertext=b"tampered" * 8)
        )
    results = await setup.read_all()
    unreadable = [r for r in results if isinstance(r, UnreadableSubmission)]
    assert [r.meta.id for r in unreadable] == [target.meta.id]
    assert "answer record 1" in unreadable[0].reason
    assert sum(isinstance(r, DecryptedSubmission) for r in results) == 1


async def _bulk(database: Database, setup: Setup, count: int, answers: int) -> None:
    """Insert `count` complete submissions sealed with the real cryptography, fast."""
    questionnaire_hash = QUESTIONNAIRE.hash_bytes
    submissions, sealed = [], []
    for _ in range(count):
        submission_id = secrets.token_bytes(16)
        chain_key = new_chain_key()
        submissions.append(
            {
                "id": submission_id,
                "status": "complete",
                "created_on": date(2025, 3, 1),
                "completed_on": date(2025, 3, 1),
                "campaign": None,
                "questionnaire_id": QUESTIONNAIRE.id,
                "questionnaire_version": QUESTIONNAIRE.version,
                "questionnaire_hash": QUESTIONNAIRE.hash,
                "key_id": setup.staff_key.key_id,
                "sealed_key": seal_chain_key(
                    setup.staff_key.public_key, chain_key, submission_id, questionnaire_hash
                ),
                "receipt_hash": None,
                "answer_count": answers,
            }
        )
        for sequence in range(answers + 1):
            # After the answers, the end record that closes the submission, as completion does.
            last = sequence == answers
            plaintext = end_record(sequence) if last else record(f"q{sequence}", "respuesta " * 20)
            nonce, ciphertext = seal_answer(
                chain_key, submission_id, sequence, questionnaire_hash, plaintext
            )
            sealed.append(
                {
                    "submission_id": submission_id,
                    "sequence": sequence,
                    "nonce": nonce,
                    "ciphertext": ciphertext,
                }
            )
            chain_key = next_chain_key(chain_key)
    async with database.engine.begin() as connection:
        await connection.execute(insert(Submission), submissions)
        await connection.execute(insert(SealedAnswer), sealed)


async def _peak_while_reading(setup: Setup) -> tuple[int, int]:
    keys = keyring([setup.staff_key])
    tracemalloc.start()
    try:
        count = 0
        async for result in read_submissions(setup.database, keys, batch_size=100):
            assert isinstance(result, DecryptedSubmission)
            count += 1
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def test_memory_stays_flat_as_the_database_grows(database: Database) -> None:
    setup = Setup(database)
    await _bulk(database, setup, 300, 5)
    small_count, small_peak = await _peak_while_reading(setup)
    await _bulk(database, setup, 1200, 5)
    large_count, large_peak = await _peak_while_reading(setup)
    assert (small_count, large_count) == (300, 1500)
    # Five times the submissions, about the same peak (one batch at a time).
    assert large_peak < small_peak * 1.5, (small_peak, large_peak)


async def test_stopping_early_leaves_no_fetch_running(database: Database) -> None:
    setup = Setup(database)
    for user_id in range(1, 6):
        await _respond(setup, user_id, [record("n", user_id)], complete=True, campaign=None)
    reading = read_submissions(database, keyring([setup.staff_key]), batch_size=2)
    first = await anext(reading)
    assert isinstance(first, DecryptedSubmission)
    await reading.aclose()
    assert asyncio.all_tasks() == {asyncio.current_task()}
