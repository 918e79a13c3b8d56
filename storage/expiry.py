"""Draft expiry: unfinished questionnaires past their date become partial submissions.

A partial submission is closed with an end record, sealed to the staff key like every answer
record, that states how many answer records precede it: staff then notice records dropped
from the tail. Expiry needs only the staff *public* key, so `oclep-admin purge` runs it
without the server secret.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from sqlalchemy import delete, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.database import Database
from storage.envelope import seal_record
from storage.keys import StaffPublicKey
from storage.ratchet import seal_answer
from storage.server_secret import LegacyKeys
from storage.tables import (
    ATTACHMENTS,
    AUDIT_LOG,
    DRAFTS,
    SEALED_ANSWERS,
    SUBMISSIONS,
    SubmissionStatus,
)

END_KEY: Final = "end"
_D = DRAFTS.c
_S = SUBMISSIONS.c
# Format 1 drafts: their chain key was sealed with the old draft key under this context.
_LEGACY_CHAIN_LABEL: Final = b"oclep draft chain\x00"
_LEGACY_FORMAT: Final = b"\x01"


def end_record(count: int) -> bytes:
    """The plaintext of the record sealed after the last answer of a finished submission.

    It is sealed at sequence `count` (the number of answer records before it, which is also
    the submission's `answer_count`: the end record is not counted), so the count is
    authenticated: a reader that finds no end record, or one that disagrees with the stored
    count, knows records were dropped.
    """
    return json.dumps({END_KEY: count}, separators=(",", ":")).encode()


@dataclass(frozen=True)
class ExpiryOutcome:
    expired: int  # drafts expired (partial submissions, or deleted if they held no answer)
    unclosed: int  # partial submissions left without an end record (format 1 drafts only)


async def expire_drafts(
    database: Database,
    staff_key: StaffPublicKey,
    today: date,
    *,
    legacy: LegacyKeys | None = None,
    everything_legacy: bool = False,
) -> int:
    """Expire drafts past their date; returns how many (see `expire`)."""
    outcome = await expire(
        database, staff_key, today, legacy=legacy, everything_legacy=everything_legacy
    )
    return outcome.expired


async def expire(
    database: Database,
    staff_key: StaffPublicKey,
    today: date,
    *,
    legacy: LegacyKeys | None = None,
    everything_legacy: bool = False,
    every_draft: bool = False,
    only: bytes | None = None,
    event: str = "drafts_expired",
) -> ExpiryOutcome:
    """Drafts past their expiry become `partial` submissions (deleted if they hold no answer),
    each closed with an end record; their state and routing answers go with the draft row.

    `everything_legacy` closes every format 1 draft now, whatever its date (the one-time
    conversion of a format 1 server secret, whose keys `legacy` holds); `every_draft` closes
    every draft now (a server secret given up for a new one); `only` closes that one draft
    now (a respondent setting it aside for another questionnaire), audited as `event`.
    """
    which = _D.expires_on < today
    if everything_legacy:
        which = which | (_D.chain_key != b"")
    if every_draft:
        which = _D.submission_id.is_not(None)
    if only is not None:
        which = _D.submission_id == only
    async with database.write_transaction() as connection:
        # Deleting first locks the rows, so a concurrent save cannot revive an expired
        # draft: its compare-and-swap then finds nothing.
        expired = (
            await connection.execute(
                delete(DRAFTS)
                .where(which)
                .returning(_D.pseudonym, _D.submission_id, _D.next_sequence, _D.chain_key)
            )
        ).all()
        if not expired:
            await _sweep_stray_attachments(connection)
            return ExpiryOutcome(0, 0)
        ids = [bytes(row.submission_id) for row in expired]
        hashes = await connection.execute(
            select(_S.id, _S.questionnaire_hash).where(_S.id.in_(ids))
        )
        ends, unclosed = _end_records(expired, {bytes(i): h for i, h in hashes}, staff_key, legacy)
        if ends:
            await connection.execute(insert(SEALED_ANSWERS), ends)
        # A draft with no answer record is deleted, unless a file arrived whole for it (files
        # come before their question's «Listo»): that file is evidence, kept as a partial.
        has_file = exists().where(ATTACHMENTS.c.submission_id == _S.id, ATTACHMENTS.c.complete == 1)
        empty = await connection.execute(
            delete(SUBMISSIONS)
            .where(_S.id.in_(ids))
            .where(_S.answer_count == 0)
            .where(~has_file)
            .returning(_S.id)
        )
        emptied = len(empty.all())
        await connection.execute(
            update(SUBMISSIONS).where(_S.id.in_(ids)).values(status=SubmissionStatus.PARTIAL.value)
        )
        await _audit(
            connection,
            today,
            event,
            {"partial": len(ids) - emptied, "empty_deleted": emptied},
        )
        await _sweep_stray_attachments(connection)
    await database.scrub()
    return ExpiryOutcome(len(ids), unclosed)


async def _sweep_stray_attachments(connection: AsyncConnection) -> None:
    """Remove files that never arrived whole and whose questionnaire is no longer open (a
    download cut by a restart, a questionnaire ended or expired meanwhile): no answer names
    them, and their sealed file key goes with them."""
    await connection.execute(
        delete(ATTACHMENTS)
        .where(ATTACHMENTS.c.complete == 0)
        .where(ATTACHMENTS.c.submission_id.not_in(select(_D.submission_id)))
    )


def _end_records(
    drafts: Sequence[Any],
    hashes: dict[bytes, str],
    staff_key: StaffPublicKey,
    legacy: LegacyKeys | None,
) -> tuple[list[dict[str, Any]], int]:
    """The end record of every expired draft that holds answers, and how many could not get
    one (format 1 drafts whose chain key cannot be opened: staff still read their answers,
    but only the stored count says how many there were)."""
    ends: list[dict[str, Any]] = []
    unclosed = 0
    for draft in drafts:
        count = draft.next_sequence
        if count == 0:
            continue
        submission_id = bytes(draft.submission_id)
        questionnaire_hash = bytes.fromhex(hashes[submission_id])
        if not bytes(draft.chain_key):
            sealed = seal_record(
                staff_key, end_record(count), submission_id, count, questionnaire_hash
            )
            ends.append(_row(submission_id, count, b"", sealed))
            continue
        chain_key = _legacy_chain_key(legacy, draft, submission_id, count)
        if chain_key is None:
            unclosed += 1
            continue
        old = seal_answer(chain_key, submission_id, count, questionnaire_hash, end_record(count))
        ends.append(_row(submission_id, count, old.nonce, old.ciphertext))
    return ends, unclosed


def _legacy_chain_key(
    legacy: LegacyKeys | None, draft: Any, submission_id: bytes, count: int
) -> bytes | None:
    """A format 1 draft's current chain key, opened one last time with the old draft key."""
    if legacy is None:
        return None
    blob = bytes(draft.chain_key)
    context = _LEGACY_CHAIN_LABEL + bytes(draft.pseudonym) + submission_id
    context += count.to_bytes(8, "big")
    if not blob.startswith(_LEGACY_FORMAT):
        return None
    try:
        return ChaCha20Poly1305(legacy.draft_key).decrypt(
            blob[1:13], blob[13:], _LEGACY_FORMAT + context
        )
    except (InvalidTag, ValueError):
        return None


def _row(submission_id: bytes, sequence: int, nonce: bytes, ciphertext: bytes) -> dict[str, Any]:
    return {
        "submission_id": submission_id,
        "sequence": sequence,
        "nonce": nonce,
        "ciphertext": ciphertext,
    }


async def _audit(
    connection: AsyncConnection, today: date, event: str, details: dict[str, Any]
) -> None:
    await connection.execute(
        insert(AUDIT_LOG).values(occurred_on=today, event=event, details=details)
    )
