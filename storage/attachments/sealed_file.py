"""The sealed file format: an attachment sealed to the staff key in fixed-size chunks, streamed.

A file is sealed as it arrives, 64 KiB at a time, so neither side ever holds it whole and the
server never writes a byte of it in clear (docs/security.md §2.5):

- a random 32-byte **file key**, sealed to the staff public key by HPKE (`storage.envelope`,
  format 3), bound to the submission id and the attachment's position;
- **chunk 0**: the file's facts (kind, media type, original name, the question it answers) as
  JSON, padded to 1 KiB;
- **chunks 1..n**: the content, each chunk's plaintext a 4-byte length, up to 64 KiB of data
  and zero padding to the full block, so every content chunk has the same sealed size;
- **the final chunk**: the size and the SHA-256 of the original bytes (the trailer).

Each chunk is sealed with ChaCha20-Poly1305 under the file key; the nonce is the chunk index
(the key is used for one file only), and the associated data binds the SHA-256 of the sealed
file key, the submission id, the position, the chunk index and a final-chunk flag. A chunk
moved, dropped, repeated, taken from another file or cut off, a trailer missing or followed by
more data, and any flipped byte all fail with the same `SealedFileError`.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import struct
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from storage.envelope import SUBMISSION_ID_LENGTH, EnvelopeError, open_file_key, seal_file_key
from storage.keys import StaffPrivateKey, StaffPublicKey

CHUNK_DATA: Final = 64 * 1024  # content bytes per chunk
META_BLOCK: Final = 1024  # chunk 0's padded plaintext
MAX_NAME_CHARS: Final = 200  # longer original names are cut (Telegram allows more)
TAG_LENGTH: Final = 16
FILE_KEY_LENGTH: Final = 32
_USED = struct.Struct(">I")
_META_LENGTH = struct.Struct(">H")
_TRAILER = struct.Struct(">Q32s")  # size, SHA-256 of the original bytes
META_SEALED: Final = META_BLOCK + TAG_LENGTH
CONTENT_SEALED: Final = _USED.size + CHUNK_DATA + TAG_LENGTH
TRAILER_SEALED: Final = _TRAILER.size + TAG_LENGTH
_AD_LABEL: Final = b"oclep attachment chunk v1\x00"
_POSITION = struct.Struct(">Q")
_INDEX = struct.Struct(">QB")  # chunk index, final flag
# 2**32 chunks of 64 KiB is 256 TiB: the bound only keeps a damaged index harmless.
MAX_CHUNKS: Final = 2**32


class SealedFileError(Exception):
    """A sealed file cannot be opened or is incomplete. Deliberately says nothing about why."""

    def __init__(self) -> None:
        super().__init__("The sealed file cannot be opened.")


class FileKind:
    """How the file arrived: Telegram recompresses photos (and drops their metadata)."""

    PHOTO: Final = "photo"
    DOCUMENT: Final = "document"
    ALL: Final = frozenset({"photo", "document"})


@dataclass(frozen=True)
class FileFacts:
    """What chunk 0 holds: sealed like the content, because a name can identify someone."""

    kind: str
    media_type: str
    name: str | None = None
    question: str | None = None  # the attachments question it was sent to

    def encoded(self) -> bytes:
        """JSON padded to `META_BLOCK`; a name too long for the block is cut."""
        name = None if self.name is None else self.name[:MAX_NAME_CHARS]
        while True:
            body = json.dumps(
                {
                    "kind": self.kind,
                    "type": self.media_type[:100],
                    "name": name,
                    "q": None if self.question is None else self.question[:64],
                },
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode()
            if _META_LENGTH.size + len(body) <= META_BLOCK or not name:
                break
            name = name[: len(name) // 2]
        if _META_LENGTH.size + len(body) > META_BLOCK:
            raise ValueError("file facts do not fit in the metadata block")
        block = _META_LENGTH.pack(len(body)) + body
        return block + bytes(META_BLOCK - len(block))

    @classmethod
    def decoded(cls, block: bytes) -> FileFacts:
        """Inverse of `encoded`; `SealedFileError` if the block is not well formed."""
        (length,) = _META_LENGTH.unpack_from(block)
        try:
            body = json.loads(block[_META_LENGTH.size : _META_LENGTH.size + length])
            kind, media_type, name = body["kind"], body["type"], body["name"]
            question = body.get("q")
        except (ValueError, KeyError, TypeError, AttributeError):
            raise SealedFileError from None
        if kind not in FileKind.ALL or not isinstance(media_type, str):
            raise SealedFileError
        if not all(v is None or isinstance(v, str) for v in (name, question)):
            raise SealedFileError
        return cls(kind=kind, media_type=media_type, name=name, question=question)


def _check_binding(submission_id: bytes, position: int) -> None:
    if len(submission_id) != SUBMISSION_ID_LENGTH:
        raise ValueError(f"submission_id must be {SUBMISSION_ID_LENGTH} bytes")
    if not 0 <= position < 2**20:
        raise ValueError("an attachment position is between 0 and 2**20 - 1")


class _ChunkCipher:
    """ChaCha20-Poly1305 under one file key, with the associated data of one file."""

    def __init__(self, file_key: bytes, sealed_key: bytes, submission_id: bytes, position: int):
        self._aead = ChaCha20Poly1305(file_key)
        self._prefix = (
            _AD_LABEL
            + hashlib.sha256(sealed_key).digest()
            + submission_id
            + _POSITION.pack(position)
        )

    def _nonce_and_ad(self, index: int, final: bool) -> tuple[bytes, bytes]:
        if not 0 <= index < MAX_CHUNKS:
            raise SealedFileError
        return index.to_bytes(12, "big"), self._prefix + _INDEX.pack(index, int(final))

    def seal(self, index: int, plaintext: bytes, *, final: bool) -> bytes:
        nonce, ad = self._nonce_and_ad(index, final)
        return self._aead.encrypt(nonce, plaintext, ad)

    def open(self, index: int, sealed: bytes, *, final: bool) -> bytes:
        nonce, ad = self._nonce_and_ad(index, final)
        try:
            return self._aead.decrypt(nonce, sealed, ad)
        except InvalidTag:
            raise SealedFileError from None


@dataclass(frozen=True)
class SealedSummary:
    """What the sealer knew at the end (kept by staff only, or used in tests)."""

    size: int
    sha256: bytes
    chunks: int  # including chunk 0 and the trailer


class FileSealer:
    """Seals one file as its bytes arrive: `start()`, `feed(data)` any number of times, `finish()`.

    Each call returns the sealed chunks completed by it, in order; the caller stores them at
    once (by index) and keeps nothing: at most one chunk of clear bytes lives here.
    """

    def __init__(
        self,
        public_key: StaffPublicKey,
        submission_id: bytes,
        position: int,
        facts: FileFacts,
    ) -> None:
        _check_binding(submission_id, position)
        if facts.kind not in FileKind.ALL:
            raise ValueError(f"unknown file kind {facts.kind!r}")
        file_key = secrets.token_bytes(FILE_KEY_LENGTH)
        self.sealed_key = seal_file_key(public_key, file_key, submission_id, position)
        self._cipher = _ChunkCipher(file_key, self.sealed_key, submission_id, position)
        self._facts = facts
        self._buffer = bytearray()
        self._hash = hashlib.sha256()
        self._size = 0
        self._next = 0
        self._finished = False

    def start(self) -> list[bytes]:
        """Chunk 0 (the file's facts)."""
        if self._next != 0:
            raise RuntimeError("start() is called once, first")
        return [self._emit(self._facts.encoded(), final=False)]

    def feed(self, data: bytes) -> list[bytes]:
        """Take the next bytes of the file; returns the content chunks they complete."""
        if self._next == 0 or self._finished:
            raise RuntimeError("feed() comes between start() and finish()")
        self._hash.update(data)
        self._size += len(data)
        self._buffer += data
        out: list[bytes] = []
        while len(self._buffer) >= CHUNK_DATA:
            out.append(self._content(bytes(self._buffer[:CHUNK_DATA])))
            del self._buffer[:CHUNK_DATA]
        return out

    def finish(self) -> tuple[list[bytes], SealedSummary]:
        """The last content chunk (if any bytes wait) and the trailer."""
        if self._next == 0 or self._finished:
            raise RuntimeError("finish() comes once, after start()")
        out: list[bytes] = []
        if self._buffer:
            out.append(self._content(bytes(self._buffer)))
            self._buffer.clear()
        digest = self._hash.digest()
        out.append(self._emit(_TRAILER.pack(self._size, digest), final=True))
        self._finished = True
        return out, SealedSummary(size=self._size, sha256=digest, chunks=self._next)

    def _content(self, data: bytes) -> bytes:
        block = _USED.pack(len(data)) + data + bytes(CHUNK_DATA - len(data))
        return self._emit(block, final=False)

    def _emit(self, plaintext: bytes, *, final: bool) -> bytes:
        sealed = self._cipher.seal(self._next, plaintext, final=final)
        self._next += 1
        return sealed


class ChunkReader:
    """Opens the chunks after chunk 0 one at a time: `read(sealed)` per chunk, then `end()`.

    `read` raises `SealedFileError` at the first bad chunk (damaged, out of place, after the
    trailer) and returns the chunk's content (empty for the trailer); `end` raises it if the
    trailer is missing or disagrees with the size or SHA-256 of what was read, and returns
    the verified `(size, sha256)`. Callers write to a temporary place and keep the result
    only once `end` returned.
    """

    def __init__(self, cipher: _ChunkCipher) -> None:
        self._cipher = cipher
        self._digest = hashlib.sha256()
        self._size = 0
        self._index = 1
        self._short_seen = False
        self._trailer: tuple[int, bytes] | None = None

    def read(self, sealed: bytes) -> bytes:
        if self._trailer is not None:
            raise SealedFileError  # anything after the final chunk
        index = self._index
        self._index += 1
        if len(sealed) == TRAILER_SEALED:
            self._trailer = _TRAILER.unpack(self._cipher.open(index, sealed, final=True))
            return b""
        if len(sealed) != CONTENT_SEALED or self._short_seen:
            raise SealedFileError
        block = self._cipher.open(index, sealed, final=False)
        (used,) = _USED.unpack_from(block)
        if used > CHUNK_DATA:
            raise SealedFileError
        # Only the last content chunk is short; the trailer's hash would catch a rearranged
        # file anyway, this only fails it sooner.
        self._short_seen = used < CHUNK_DATA
        data = block[_USED.size : _USED.size + used]
        self._digest.update(data)
        self._size += used
        return data

    def end(self) -> tuple[int, bytes]:
        if self._trailer is None:
            raise SealedFileError  # cut off before the final chunk
        if self._trailer != (self._size, self._digest.digest()):
            raise SealedFileError
        return self._trailer


class OpenedFile:
    """A sealed file being opened: `facts` at once; `content()` streams the verified chunks.

    `content()` raises `SealedFileError` as `ChunkReader` does; once it ended without error,
    `sha256` and `size` are the verified ones.
    """

    def __init__(self, reader: ChunkReader, facts: FileFacts, rest: Iterator[bytes]) -> None:
        self._reader = reader
        self.facts = facts
        self._rest = rest
        self.size: int | None = None
        self.sha256: bytes | None = None

    def content(self) -> Iterator[bytes]:
        for sealed in self._rest:
            data = self._reader.read(sealed)
            if data:
                yield data
        self.size, self.sha256 = self._reader.end()


def open_file_head(
    private_keys: Mapping[bytes, StaffPrivateKey],
    sealed_key: bytes,
    first_chunk: bytes | None,
    submission_id: bytes,
    position: int,
) -> tuple[FileFacts, ChunkReader]:
    """Open the file key and chunk 0: the file's facts, and the reader of the chunks after it.

    Every failure raises `SealedFileError` (a key not given included: callers that must tell
    a missing key from damage look at `storage.envelope.envelope_key_id(sealed_key)` first).
    """
    _check_binding(submission_id, position)
    try:
        file_key = open_file_key(private_keys, sealed_key, submission_id, position)
    except EnvelopeError:
        raise SealedFileError from None
    if len(file_key) != FILE_KEY_LENGTH:
        raise SealedFileError
    cipher = _ChunkCipher(file_key, sealed_key, submission_id, position)
    if first_chunk is None or len(first_chunk) != META_SEALED:
        raise SealedFileError
    facts = FileFacts.decoded(cipher.open(0, first_chunk, final=False))
    return facts, ChunkReader(cipher)


def open_sealed_file(
    private_keys: Mapping[bytes, StaffPrivateKey],
    sealed_key: bytes,
    chunks: Iterable[bytes],
    submission_id: bytes,
    position: int,
) -> OpenedFile:
    """`open_file_head` on the first chunk; the content follows lazily (`OpenedFile.content`)."""
    rest = iter(chunks)
    facts, reader = open_file_head(
        private_keys, sealed_key, next(rest, None), submission_id, position
    )
    return OpenedFile(reader, facts, rest)


def sealed_size(size: int) -> int:
    """The bytes a file of `size` bytes takes once sealed (without its sealed file key)."""
    content_chunks = -(-size // CHUNK_DATA)
    return META_SEALED + content_chunks * CONTENT_SEALED + TRAILER_SEALED
