"""Sealed submissions for the benchmarks: built fast, with the real cryptography.

A completed submission is what the bot stores: K0 sealed to the staff key (HPKE), each
answer record sealed along the ratchet, then the end record counting the answers. Only the
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
from storage.keys import StaffPrivateKey, StaffPublicKey, keyring
from storage.ratchet import (
    ChainWalker,
    SealedAnswer,
    new_chain_key,
    next_chain_key,
    open_chain_key,
    seal_answer,
    seal_chain_key,
)
from storage.repository import QuestionnaireRef, end_record
from storage.tables import SealedAnswer as SealedAnswerRow
from storage.tables import Submission

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
    chain_key = new_chain_key()
    sealed_key = seal_chain_key(public_key, chain_key, submission_id, questionnaire_hash)
    rows = []
    for sequence, plaintext in enumerate([*records, end_record(len(records))]):
        nonce, ciphertext = seal_answer(
            chain_key, submission_id, sequence, questionnaire_hash, plaintext
        )
        rows.append(
            {
                "submission_id": submission_id,
                "sequence": sequence,
                "nonce": nonce,
                "ciphertext": ciphertext,
            }
        )
        chain_key = next_chain_key(chain_key)
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
        "sealed_key": sealed_key,
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

    One HPKE open (K0) and one AEAD open per sealed record (the answers and the end record,
    exactly what the reader opens), along the chain as the reader walks it.
    """
    keys = keyring([key])
    start = time.perf_counter()
    for sealed in data:
        submission_id = sealed.row["id"]
        questionnaire_hash = bytes.fromhex(sealed.row["questionnaire_hash"])
        k0 = open_chain_key(keys, sealed.row["sealed_key"], submission_id, questionnaire_hash)
        walker = ChainWalker(k0, submission_id, questionnaire_hash)
        for answer in sealed.answers:
            walker.open(answer["sequence"], SealedAnswer(answer["nonce"], answer["ciphertext"]))
    return len(data) / (time.perf_counter() - start)
