"""The sealed file format: round trips, and every kind of damage fails the same way."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable

import pytest

from storage.attachments.sealed_file import (
    CHUNK_DATA,
    CONTENT_SEALED,
    FileFacts,
    FileKind,
    FileSealer,
    SealedFileError,
    _ChunkCipher,
    open_sealed_file,
    sealed_size,
)
from storage.envelope import envelope_key_id, open_file_key, seal_file_key
from storage.keys import StaffPrivateKey, generate_staff_key, keyring

SUBMISSION = uuid.UUID("6f1c2a3b-0000-4000-8000-0000000000f1").bytes
OTHER_SUBMISSION = uuid.UUID("6f1c2a3b-0000-4000-8000-0000000000f2").bytes
FACTS = FileFacts(kind=FileKind.DOCUMENT, media_type="application/pdf", name="contrato.pdf")
# Three and a half chunks: a short last content chunk, and enough chunks to move around.
CONTENT = os.urandom(3 * CHUNK_DATA + CHUNK_DATA // 2)


@pytest.fixture(scope="module", params=[False, True], ids=["x25519", "mlkem768x25519"])
def staff_key(request: pytest.FixtureRequest) -> StaffPrivateKey:
    return generate_staff_key(pq=request.param)


def _seal(
    key: StaffPrivateKey,
    content: bytes,
    *,
    position: int = 0,
    submission: bytes = SUBMISSION,
    facts: FileFacts = FACTS,
    piece: int = 10_000,
) -> tuple[bytes, list[bytes]]:
    sealer = FileSealer(key.public_key, submission, position, facts)
    chunks = sealer.start()
    for start in range(0, len(content), piece):
        chunks += sealer.feed(content[start : start + piece])
    last, summary = sealer.finish()
    chunks += last
    assert summary.size == len(content)
    assert summary.sha256 == hashlib.sha256(content).digest()
    assert summary.chunks == len(chunks)
    return sealer.sealed_key, chunks


def _read(
    key: StaffPrivateKey,
    sealed_key: bytes,
    chunks: Iterable[bytes],
    *,
    position: int = 0,
    submission: bytes = SUBMISSION,
) -> tuple[FileFacts, bytes, bytes | None]:
    opened = open_sealed_file(keyring([key]), sealed_key, chunks, submission, position)
    content = b"".join(opened.content())
    return opened.facts, content, opened.sha256


def _refused(
    key: StaffPrivateKey,
    sealed_key: bytes,
    chunks: Iterable[bytes],
    *,
    position: int = 0,
    submission: bytes = SUBMISSION,
) -> None:
    with pytest.raises(SealedFileError) as caught:
        _read(key, sealed_key, chunks, position=position, submission=submission)
    assert str(caught.value) == "The sealed file cannot be opened."


@pytest.mark.parametrize(
    "size",
    [0, 1, CHUNK_DATA - 1, CHUNK_DATA, CHUNK_DATA + 1, len(CONTENT)],
    ids=["empty", "1", "chunk-1", "chunk", "chunk+1", "3.5chunks"],
)
def test_round_trip(staff_key: StaffPrivateKey, size: int) -> None:
    content = CONTENT[:size]
    sealed_key, chunks = _seal(staff_key, content)
    facts, opened, digest = _read(staff_key, sealed_key, chunks)
    assert (facts, opened, digest) == (FACTS, content, hashlib.sha256(content).digest())
    assert sum(map(len, chunks)) == sealed_size(size)


def test_feeding_in_any_pieces_gives_the_same_file(staff_key: StaffPrivateKey) -> None:
    for piece in (1_000, CHUNK_DATA, 3 * CHUNK_DATA):
        sealed_key, chunks = _seal(staff_key, CONTENT, piece=piece)
        assert _read(staff_key, sealed_key, chunks)[1] == CONTENT


def test_sizes_reveal_only_whole_chunks(staff_key: StaffPrivateKey) -> None:
    """Every content chunk has the same sealed length, so a seizure learns the size to 64 KiB."""
    _, short = _seal(staff_key, b"x")
    _, long = _seal(staff_key, b"x" * (CHUNK_DATA - 1))
    assert [len(c) for c in short] == [len(c) for c in long]
    assert all(len(c) == CONTENT_SEALED for c in _seal(staff_key, CONTENT)[1][1:-1])


def test_the_name_is_sealed_and_a_long_one_is_cut(staff_key: StaffPrivateKey) -> None:
    facts = FileFacts(FileKind.PHOTO, "image/jpeg", "ñ" * 5_000)
    sealed_key, chunks = _seal(staff_key, b"data", facts=facts)
    assert b"\xc3\xb1" * 4 not in b"".join([sealed_key, *chunks])
    opened_facts = _read(staff_key, sealed_key, chunks)[0]
    assert opened_facts.name is not None and 0 < len(opened_facts.name) <= 200
    assert opened_facts.name == "ñ" * len(opened_facts.name)


def test_every_flipped_byte_fails(staff_key: StaffPrivateKey) -> None:
    content = CONTENT[: CHUNK_DATA + 100]
    sealed_key, chunks = _seal(staff_key, content)
    for at in range(len(sealed_key)):
        damaged = bytearray(sealed_key)
        damaged[at] ^= 0x01
        _refused(staff_key, bytes(damaged), chunks)
    # Every byte of the small chunks; a spread of bytes in the large ones (each is one AEAD).
    for number, chunk in enumerate(chunks):
        step = 1 if len(chunk) < 2_000 else 997
        for at in [*range(0, len(chunk), step), len(chunk) - 1]:
            damaged_chunks = list(chunks)
            flipped = bytearray(chunk)
            flipped[at] ^= 0x80
            damaged_chunks[number] = bytes(flipped)
            _refused(staff_key, sealed_key, damaged_chunks)


def test_truncation_fails(staff_key: StaffPrivateKey) -> None:
    sealed_key, chunks = _seal(staff_key, CONTENT)
    for keep in range(len(chunks)):
        _refused(staff_key, sealed_key, chunks[:keep])
    for number, chunk in enumerate(chunks):
        damaged_chunks = list(chunks)
        damaged_chunks[number] = chunk[:-1]
        _refused(staff_key, sealed_key, damaged_chunks)
    _refused(staff_key, sealed_key[:-1], chunks)


def test_reordering_fails(staff_key: StaffPrivateKey) -> None:
    sealed_key, chunks = _seal(staff_key, CONTENT)
    for first in range(len(chunks)):
        for second in range(first + 1, len(chunks)):
            swapped = list(chunks)
            swapped[first], swapped[second] = swapped[second], swapped[first]
            _refused(staff_key, sealed_key, swapped)


def test_dropping_or_repeating_a_chunk_fails(staff_key: StaffPrivateKey) -> None:
    sealed_key, chunks = _seal(staff_key, CONTENT)
    for number in range(len(chunks)):
        _refused(staff_key, sealed_key, chunks[:number] + chunks[number + 1 :])
        _refused(staff_key, sealed_key, chunks[: number + 1] + chunks[number:])
    _refused(staff_key, sealed_key, [*chunks, chunks[1]])  # anything after the trailer


def test_a_file_cannot_move_to_another_submission_or_position(staff_key: StaffPrivateKey) -> None:
    sealed_key, chunks = _seal(staff_key, CONTENT, position=2)
    assert _read(staff_key, sealed_key, chunks, position=2)[1] == CONTENT
    _refused(staff_key, sealed_key, chunks, position=3)
    _refused(staff_key, sealed_key, chunks, position=2, submission=OTHER_SUBMISSION)


def test_chunks_of_another_file_do_not_fit(staff_key: StaffPrivateKey) -> None:
    """Same submission, same position, same content: a second sealing has its own key."""
    key_a, chunks_a = _seal(staff_key, CONTENT)
    _, chunks_b = _seal(staff_key, CONTENT)
    _refused(staff_key, key_a, chunks_b)
    for number in range(len(chunks_a)):
        mixed = list(chunks_a)
        mixed[number] = chunks_b[number]
        _refused(staff_key, key_a, mixed)


def test_another_staff_key_cannot_open_it(staff_key: StaffPrivateKey) -> None:
    sealed_key, chunks = _seal(staff_key, b"contrato")
    assert envelope_key_id(sealed_key) == staff_key.key_id
    _refused(generate_staff_key(), sealed_key, chunks)


def test_no_clear_byte_in_the_sealed_file(staff_key: StaffPrivateKey) -> None:
    marker = b"CONTRATO SECRETO " + os.urandom(8).hex().encode()
    sealed_key, chunks = _seal(staff_key, marker * 50)
    assert marker not in b"".join([sealed_key, *chunks])
    assert b"contrato.pdf" not in b"".join([sealed_key, *chunks])


def test_the_trailer_must_carry_the_final_flag(staff_key: StaffPrivateKey) -> None:
    """A trailer sealed without the final flag (as a middle chunk would be) is refused."""
    sealed_key, chunks = _seal(staff_key, CONTENT)
    file_key = open_file_key(keyring([staff_key]), sealed_key, SUBMISSION, 0)
    cipher = _ChunkCipher(file_key, sealed_key, SUBMISSION, 0)
    last = len(chunks) - 1
    trailer = cipher.open(last, chunks[last], final=True)
    assert _read(staff_key, sealed_key, chunks)[1] == CONTENT
    _refused(staff_key, sealed_key, [*chunks[:last], cipher.seal(last, trailer, final=False)])


def test_the_chunks_are_bound_to_their_sealed_key(staff_key: StaffPrivateKey) -> None:
    """The same file key sealed again (a new envelope) does not open the old chunks."""
    sealed_key, chunks = _seal(staff_key, CONTENT)
    file_key = open_file_key(keyring([staff_key]), sealed_key, SUBMISSION, 0)
    resealed = seal_file_key(staff_key.public_key, file_key, SUBMISSION, 0)
    assert open_file_key(keyring([staff_key]), resealed, SUBMISSION, 0) == file_key
    _refused(staff_key, resealed, chunks)
