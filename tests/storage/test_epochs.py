"""Drafts follow the epoch chain: found under any retained epoch, re-keyed on every event;
a format 1 secret file is converted once, closing the drafts its old keys sealed."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from sqlalchemy import insert, select

from storage.database import Database
from storage.kdf import hkdf_sha256
from storage.ratchet import new_chain_key, seal_answer, seal_chain_key
from storage.repository import Change
from storage.secret_check import adopt_server_secret
from storage.server_secret import FILE_LENGTH, ServerSecret
from storage.tables import DRAFTS, SEALED_ANSWERS, SUBMISSIONS, RecordFormat
from tests.storage.repository_support import QUESTIONNAIRE, Setup, at_version, record


async def _stored_pseudonyms(database: Database) -> set[bytes]:
    async with database.engine.connect() as connection:
        return {bytes(p) for p in (await connection.execute(select(DRAFTS.c.pseudonym))).scalars()}


async def test_a_draft_is_found_days_later_and_rekeyed_under_today(database: Database) -> None:
    setup = Setup(database)
    first_day = setup.pseudonym(1234567890)
    await setup.respond(first_day, [record("rol", "mision_actual")])
    assert await _stored_pseudonyms(database) == {first_day.pseudonym}

    setup.clock.advance(days=20)
    today = setup.pseudonym(1234567890)
    assert today.pseudonym != first_day.pseudonym
    assert first_day.pseudonym in {p for p, _ in today.candidates}
    repository = setup.repository()
    draft = (await repository.load(today)).draft
    assert draft is not None and draft.next_sequence == 1
    change = Change(state=b"{}", answers=(record("sector", "salud"),))
    result = await repository.apply(today, update_id=7, decide=at_version(draft.version, change))
    assert result.draft is not None
    # Stored under today's pseudonym only; the first day's is gone from the table.
    assert await _stored_pseudonyms(database) == {today.pseudonym}
    [submission] = await setup.decrypted()
    assert submission.answers == {"rol": "mision_actual", "sector": "salud"}


async def test_converting_a_format_1_secret_closes_its_drafts_and_forgets_it(
    database: Database, tmp_path: Path
) -> None:
    setup = Setup(database)
    master = os.urandom(32)
    path = tmp_path / "server.secret"
    path.write_bytes(master)
    path.chmod(0o600)
    # A draft as the ratchet version of the bot left it: K0 sealed to staff, one answer under
    # the chain, the next chain key sealed with the old draft key.
    submission_id = secrets.token_bytes(16)
    pseudonym = secrets.token_bytes(32)
    k0 = new_chain_key()
    answer = seal_answer(k0, submission_id, 0, QUESTIONNAIRE.hash_bytes, record("rol", "familiar"))
    k1 = hkdf_sha256(k0, b"oclep chain")
    context = b"oclep draft chain\x00" + pseudonym + submission_id + (1).to_bytes(8, "big")
    nonce = os.urandom(12)
    draft_key = hkdf_sha256(master, b"oclep draft key")
    sealed_k1 = b"\x01" + nonce + ChaCha20Poly1305(draft_key).encrypt(nonce, k1, b"\x01" + context)
    today = setup.clock().date()
    async with database.write_transaction() as connection:
        await connection.execute(
            insert(SUBMISSIONS).values(
                id=submission_id, status="in_progress", created_on=today, completed_on=None,
                campaign=None, questionnaire_id=QUESTIONNAIRE.id,
                questionnaire_version=QUESTIONNAIRE.version,
                questionnaire_hash=QUESTIONNAIRE.hash, key_id=setup.staff_key.key_id,
                sealed_key=seal_chain_key(
                    setup.staff_key.public_key, k0, submission_id, QUESTIONNAIRE.hash_bytes
                ),
                record_format=int(RecordFormat.RATCHET), receipt_hash=None, answer_count=1,
            )
        )  # fmt: skip
        await connection.execute(
            insert(SEALED_ANSWERS).values(
                submission_id=submission_id, sequence=0, nonce=answer.nonce,
                ciphertext=answer.ciphertext,
            )
        )  # fmt: skip
        await connection.execute(
            insert(DRAFTS).values(
                pseudonym=pseudonym, submission_id=submission_id, version=2,
                last_update_id=5, next_sequence=1, state=b"\x01old", chain_key=sealed_k1,
                expires_on=today + timedelta(days=30),
            )
        )  # fmt: skip

    secret = ServerSecret.load(path, today=today)
    assert secret.legacy is not None
    await adopt_server_secret(database, secret, setup.staff_key.public_key, today)
    # A questionnaire under the converted secret: record format 2, beside the format 1 one.
    new = setup.pseudonym(5_000_000_005)
    version = await setup.respond(new, [record("rol", "mision_actual")])
    await setup.repository().apply(
        new, update_id=9, decide=at_version(version, Change(complete=True))
    )

    # One read gives both formats. The format 1 draft was closed now (not at its date), with
    # its answer and an authenticated end record.
    by_status = {r.meta.status: r for r in await setup.decrypted()}
    assert set(by_status) == {"partial", "complete"}
    assert by_status["partial"].answers == {"rol": "familiar"}
    assert by_status["complete"].answers == {"rol": "mision_actual"}
    async with database.engine.connect() as connection:
        formats = (await connection.execute(select(SUBMISSIONS.c.record_format))).scalars()
        assert sorted(formats) == [RecordFormat.RATCHET, RecordFormat.SEALED]
    assert await _stored_pseudonyms(database) == set()
    # The file no longer holds the old master or anything derived from it.
    written = path.read_bytes()
    assert len(written) == FILE_LENGTH
    assert master not in written and draft_key not in written
    assert ServerSecret.load(path).legacy is None
    async with database.engine.connect() as connection:
        sequences = (
            await connection.execute(
                select(SEALED_ANSWERS.c.sequence).where(
                    SEALED_ANSWERS.c.submission_id == submission_id
                )
            )
        ).scalars()
        assert sorted(sequences) == [0, 1]  # the answer, then the end record (checked on read)
