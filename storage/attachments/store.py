"""Attachments in the database: sealed chunks written as they arrive, read back page by page.

The bot writes a file's chunks in short transactions of at most `CHUNKS_PER_WRITE` chunks
(1 MiB), so a 20 MB download never holds the SQLite write lock for long and never holds the
file in memory; the attachment becomes `complete` in the transaction that stores its trailer.
Staff read the chunks `CHUNKS_PER_READ` at a time. Why the database and not a folder of
blobs: docs/storage.md ("Attachments").
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable, Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import ColumnElement, and_, delete, func, insert, select, update

from storage.attachments.sealed_file import FileFacts, FileSealer, SealedSummary
from storage.database import Database
from storage.keys import StaffPublicKey
from storage.tables import ATTACHMENT_CHUNKS, ATTACHMENTS

CHUNKS_PER_WRITE: Final = 16
CHUNKS_PER_READ: Final = 16
_A = ATTACHMENTS.c
_C = ATTACHMENT_CHUNKS.c


class FileTooLarge(Exception):
    """More bytes arrived than the file was allowed; nothing of it is kept."""


@dataclass(frozen=True)
class StoredAttachment:
    """A complete attachment as staff find it: where it sits, and its sealed file key."""

    submission_id: bytes
    position: int
    sealed_key: bytes


class AttachmentStore:
    """Writes and removes attachments; needs only the staff *public* key to seal."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def seal_stream(
        self,
        staff_key: StaffPublicKey,
        submission_id: bytes,
        position: int,
        facts: FileFacts,
        content: AsyncIterable[bytes],
        *,
        max_bytes: int,
    ) -> SealedSummary:
        """Seal `content` as it arrives and store it as attachment `position` (replacing an
        incomplete one there). Raises `FileTooLarge` past `max_bytes`, after removing what
        was stored; any other error also removes it before it propagates."""
        sealer = FileSealer(staff_key, submission_id, position, facts)
        await self._begin(submission_id, position, sealer.sealed_key)
        try:
            pending = sealer.start()
            written = 0
            received = 0
            async for data in content:
                received += len(data)
                if received > max_bytes:
                    raise FileTooLarge
                pending += sealer.feed(data)
                if len(pending) >= CHUNKS_PER_WRITE:
                    await self._append(submission_id, position, written, pending)
                    written += len(pending)
                    pending = []
            last, summary = sealer.finish()
            await self._append(submission_id, position, written, pending + last, complete=True)
        except BaseException:
            await self.discard(submission_id, position)
            raise
        return summary

    async def _begin(self, submission_id: bytes, position: int, sealed_key: bytes) -> None:
        async with self._database.write_transaction() as connection:
            await connection.execute(
                delete(ATTACHMENTS).where(_key(submission_id, position)).where(_A.complete == 0)
            )
            await connection.execute(
                insert(ATTACHMENTS).values(
                    submission_id=submission_id,
                    position=position,
                    sealed_key=sealed_key,
                    complete=0,
                )
            )

    async def _append(
        self,
        submission_id: bytes,
        position: int,
        first: int,
        chunks: Sequence[bytes],
        *,
        complete: bool = False,
    ) -> None:
        rows = [
            {"submission_id": submission_id, "position": position, "chunk": first + n, "sealed": c}
            for n, c in enumerate(chunks)
        ]
        async with self._database.write_transaction() as connection:
            if rows:
                await connection.execute(insert(ATTACHMENT_CHUNKS), rows)
            if complete:
                await connection.execute(
                    update(ATTACHMENTS).where(_key(submission_id, position)).values(complete=1)
                )

    async def next_position(self, submission_id: bytes) -> int:
        """The position after every attachment of the submission, whole or not."""
        async with self._database.engine.connect() as connection:
            highest = await connection.scalar(
                select(func.max(_A.position)).where(_A.submission_id == submission_id)
            )
        return 0 if highest is None else int(highest) + 1

    async def discard(self, submission_id: bytes, position: int) -> None:
        """Remove one attachment: its sealed file key first, its chunks with it (cascade)."""
        async with self._database.write_transaction() as connection:
            await connection.execute(delete(ATTACHMENTS).where(_key(submission_id, position)))


def _key(submission_id: bytes, position: int) -> ColumnElement[bool]:
    return and_(_A.submission_id == submission_id, _A.position == position)


async def attachments_of(database: Database, submission_id: bytes) -> list[StoredAttachment]:
    """The complete attachments of a submission, by position."""
    statement = (
        select(_A.position, _A.sealed_key)
        .where(_A.submission_id == submission_id)
        .where(_A.complete == 1)
        .order_by(_A.position)
    )
    async with database.engine.connect() as connection:
        rows = (await connection.execute(statement)).all()
    return [StoredAttachment(submission_id, int(p), bytes(k)) for p, k in rows]


async def sealed_chunks(
    database: Database, attachment: StoredAttachment, *, per_read: int = CHUNKS_PER_READ
) -> AsyncGenerator[bytes, None]:
    """The sealed chunks of an attachment in index order, `per_read` per short read.

    Yields what is stored: a missing or repeated index is for the opener to refuse (the
    chunk index is authenticated), not for this loop to hide.
    """
    after = -1
    while True:
        statement = (
            select(_C.chunk, _C.sealed)
            .where(_C.submission_id == attachment.submission_id)
            .where(_C.position == attachment.position)
            .where(_C.chunk > after)
            .order_by(_C.chunk)
            .limit(per_read)
        )
        async with database.engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        for index, sealed in rows:
            after = int(index)
            yield bytes(sealed)
        if len(rows) < per_read:
            return
