"""Attachments in the database: streamed in, read back whole, gone with their submission."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import insert

from storage.attachments.sealed_file import CHUNK_DATA, FileFacts, FileKind, open_file_head
from storage.attachments.store import (
    AttachmentStore,
    FileTooLarge,
    StoredAttachment,
    attachments_of,
    sealed_chunks,
)
from storage.database import Database
from storage.keys import keyring
from storage.tables import ATTACHMENT_CHUNKS, ATTACHMENTS
from tests.conftest import DatabaseTarget
from tests.storage.repository_support import Setup, count_rows, record

PDF = FileFacts(FileKind.DOCUMENT, "application/pdf", "nomina.pdf")


async def _pieces(content: bytes, size: int = 50_000) -> AsyncIterator[bytes]:
    for start in range(0, len(content), size):
        yield content[start : start + size]


async def _opened(setup: Setup, attachment: StoredAttachment) -> tuple[FileFacts, bytes, bytes]:
    chunks = sealed_chunks(setup.database, attachment, per_read=3)
    first = await anext(chunks)
    facts, reader = open_file_head(
        keyring([setup.staff_key]),
        attachment.sealed_key,
        first,
        attachment.submission_id,
        attachment.position,
    )
    content = b"".join([reader.read(c) async for c in chunks])
    _, digest = reader.end()
    return facts, content, digest


async def _submission(setup: Setup, user_id: int) -> bytes:
    draft = await setup.start_draft(setup.pseudonym(user_id))
    return draft.submission_id


async def test_a_file_streamed_in_reads_back_whole(database: Database) -> None:
    setup = Setup(database)
    store = AttachmentStore(database)
    submission = await _submission(setup, 4000000001)
    content = os.urandom(40 * CHUNK_DATA + 123)  # more than two writes of 16 chunks
    summary = await store.seal_stream(
        setup.staff_key.public_key, submission, 0, PDF, _pieces(content), max_bytes=len(content)
    )
    assert summary.sha256 == hashlib.sha256(content).digest()
    [stored] = await attachments_of(database, submission)
    assert await _opened(setup, stored) == (PDF, content, summary.sha256)


async def test_a_file_over_its_limit_leaves_nothing(database: Database) -> None:
    setup = Setup(database)
    store = AttachmentStore(database)
    submission = await _submission(setup, 4000000002)
    content = os.urandom(20 * CHUNK_DATA)
    with pytest.raises(FileTooLarge):
        await store.seal_stream(
            setup.staff_key.public_key,
            submission,
            0,
            PDF,
            _pieces(content),
            max_bytes=len(content) - 1,
        )
    assert await count_rows(database, ATTACHMENTS) == 0
    assert await count_rows(database, ATTACHMENT_CHUNKS) == 0


async def test_an_interrupted_download_is_never_read_and_is_swept(database: Database) -> None:
    setup = Setup(database)
    store = AttachmentStore(database)
    submission = await _submission(setup, 4000000003)

    async def cut() -> AsyncIterator[bytes]:
        yield os.urandom(CHUNK_DATA * 17)
        raise ConnectionResetError

    with pytest.raises(ConnectionResetError):
        await store.seal_stream(
            setup.staff_key.public_key, submission, 0, PDF, cut(), max_bytes=10**8
        )
    assert await attachments_of(database, submission) == []
    assert await count_rows(database, ATTACHMENT_CHUNKS) == 0


async def test_withdrawal_shreds_the_attachments(
    database: Database, database_target: DatabaseTarget
) -> None:
    setup = Setup(database)
    store = AttachmentStore(database)
    repo = setup.repository()
    kept_key, gone_key = setup.pseudonym(4000000004), setup.pseudonym(4000000005)
    await setup.respond(kept_key, [record("testimonio", "uno")])
    await setup.respond(gone_key, [record("testimonio", "dos")])
    kept = (await setup.start_draft(kept_key)).submission_id
    gone = (await setup.start_draft(gone_key)).submission_id
    content = os.urandom(3 * CHUNK_DATA)
    for submission in (kept, gone):
        for position in (0, 1):
            await store.seal_stream(
                setup.staff_key.public_key,
                submission,
                position,
                PDF,
                _pieces(content),
                max_bytes=len(content),
            )
    [gone_first, _] = await attachments_of(database, gone)
    gone_sealed = [c async for c in sealed_chunks(database, gone_first)]

    assert await repo.withdraw_unfinished(gone_key)

    assert await attachments_of(database, gone) == []
    assert len(await attachments_of(database, kept)) == 2
    per_file = 1 + 3 + 1  # facts, content, trailer
    assert await count_rows(database, ATTACHMENT_CHUNKS) == 2 * per_file
    stored = database_target.stored_bytes()
    assert not database_target.holds(gone_first.sealed_key, stored)
    assert not any(database_target.holds(c, stored) for c in gone_sealed)
    # The same check sees what is still stored.
    [kept_first, _] = await attachments_of(database, kept)
    assert database_target.holds(kept_first.sealed_key, stored)


async def test_expiry_sweeps_files_of_closed_questionnaires_that_never_arrived_whole(
    database: Database,
) -> None:
    setup = Setup(database)
    store = AttachmentStore(database)
    repo = setup.repository()
    key = setup.pseudonym(4000000006)
    await setup.respond(key, [record("testimonio", "tres")])
    submission = (await setup.start_draft(key)).submission_id
    content = os.urandom(CHUNK_DATA)
    await store.seal_stream(
        setup.staff_key.public_key, submission, 0, PDF, _pieces(content), max_bytes=len(content)
    )
    # A download cut by a restart: its key and first chunks stored, never completed.
    # What a download cut by a killed process leaves: a file key and some chunks, incomplete.
    async with database.write_transaction() as connection:
        await connection.execute(
            insert(ATTACHMENTS).values(
                submission_id=submission, position=1, sealed_key=b"k" * 80, complete=0
            )
        )
        await connection.execute(
            insert(ATTACHMENT_CHUNKS).values(
                submission_id=submission, position=1, chunk=0, sealed=b"c" * 1040
            )
        )
    await repo.expire_drafts()  # nothing expired yet: the draft is open, the file may come
    assert await count_rows(database, ATTACHMENTS) == 2
    setup.clock.advance(days=31)
    assert await repo.expire_drafts() == 1
    assert [a.position for a in await attachments_of(database, submission)] == [0]
    assert await count_rows(database, ATTACHMENTS) == 1


async def test_a_draft_with_a_file_but_no_answer_expires_into_a_partial_submission(
    database: Database,
) -> None:
    """Files come before their question's «Listo»: an abandoned draft whose only content is
    a file keeps it (as a partial submission), where an empty draft is deleted."""
    setup = Setup(database)
    store = AttachmentStore(database)
    repo = setup.repository()
    with_file = await _submission(setup, 4000000007)
    await _submission(setup, 4000000008)  # nothing at all
    content = os.urandom(1000)
    await store.seal_stream(
        setup.staff_key.public_key, with_file, 0, PDF, _pieces(content), max_bytes=len(content)
    )
    setup.clock.advance(days=31)
    assert await repo.expire_drafts() == 2
    [kept] = await setup.decrypted()
    assert (kept.meta.id, kept.meta.status) == (with_file, "partial")
    [stored] = await attachments_of(database, with_file)
    assert (await _opened(setup, stored))[1] == content
