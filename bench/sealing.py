"""Sealed submissions for the benchmarks: built fast, with the real cryptography.

A completed submission is what the bot stores (record format 2): each answer record sealed
to the staff key on its own (HPKE), then the end record counting the answers. Only the
conversation is skipped: the rows go into the database in bulk. `crypto_floor` is the
reference the reading benchmarks compare against.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import insert

from storage.database import Database
from storage.envelope import open_record, seal_record
from storage.expiry import end_record
from storage.keys import StaffPrivateKey, StaffPublicKey, keyring
from storage.repository import QuestionnaireRef
from storage.tables import RecordFormat, Submission
from storage.tables import SealedAnswer as SealedAnswerRow

INSERT_CHUNK = 500


@dataclass(frozen=True)
class SealedSubmission:
    """One submission as stored: its `submissions` row and its `sealed_answers` rows."""

    row: dict[str, Any]
    answers: list[dict[str, Any]]  # in sequence order, the end record last


def seal_submission(
    public_key: StaffPublicKey,
    questionnaire: QuestionnaireRef,
    records: Sequence[bytes],
    *,
    created_on: date,
    completed_on: date,
    campaign: str | None,
) -> SealedSubmission:
    """A completed submission of `records` (answer-record plaintexts) and its end record."""
    submission_id = secrets.token_bytes(16)
    questionnaire_hash = questionnaire.hash_bytes
    rows = [
        {
            "submission_id": submission_id,
            "sequence": sequence,
            "nonce": b"",
            "ciphertext": seal_record(
                public_key, plaintext, submission_id, sequence, questionnaire_hash
            ),
        }
        for sequence, plaintext in enumerate([*records, end_record(len(records))])
    ]
    row = {
        "id": submission_id,
        "status": "complete",
        "created_on": created_on,
        "completed_on": completed_on,
        "campaign": campaign,
        "questionnaire_id": questionnaire.id,
        "questionnaire_version": questionnaire.version,
        "questionnaire_hash": questionnaire.hash,
        "key_id": public_key.key_id,
        "sealed_key": b"",
        "record_format": int(RecordFormat.SEALED),
        "receipt_hash": None,
        "answer_count": len(records),  # the end record is not an answer
    }
    return SealedSubmission(row, rows)


async def insert_sealed(database: Database, submissions: Iterable[SealedSubmission]) -> None:
    """Insert the submissions, `INSERT_CHUNK` per transaction; holds one chunk at a time."""
    chunk: list[SealedSubmission] = []
    for sealed in submissions:
        chunk.append(sealed)
        if len(chunk) == INSERT_CHUNK:
            await _insert_chunk(database, chunk)
            chunk = []
    if chunk:
        await _insert_chunk(database, chunk)


async def _insert_chunk(database: Database, chunk: list[SealedSubmission]) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(insert(Submission), [s.row for s in chunk])
        await connection.execute(insert(SealedAnswerRow), [a for s in chunk for a in s.answers])


def crypto_floor(key: StaffPrivateKey, data: Sequence[SealedSubmission]) -> float:
    """Submissions/s for what reading cannot avoid, with the data already in memory.

    One HPKE open per sealed record (the answers and the end record, exactly what the reader
    opens).
    """
    keys = keyring([key])
    start = time.perf_counter()
    for sealed in data:
        submission_id = sealed.row["id"]
        questionnaire_hash = bytes.fromhex(sealed.row["questionnaire_hash"])
        for answer in sealed.answers:
            open_record(
                keys, answer["ciphertext"], submission_id, answer["sequence"], questionnaire_hash
            )
    return len(data) / (time.perf_counter() - start)
