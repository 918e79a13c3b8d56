"""Envelopes: records sealed to a staff public key with HPKE, bound to one submission."""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum

from cryptography.exceptions import InvalidTag

from storage.keys import KEY_ID_LENGTH, StaffKeySuite, StaffPrivateKey, StaffPublicKey

SUBMISSION_ID_LENGTH = 16  # uuid.UUID(...).bytes
QUESTIONNAIRE_HASH_LENGTH = 32  # bytes.fromhex(flows.loader.definition_hash(q))

MAGIC = b"OCLE"
# Format 1: the ratchet's sealed K0 (one per submission, bound to submission and
# questionnaire). Format 2: one answer record (bound to submission, sequence and
# questionnaire); format 3: an attachment's file key (bound to submission and position; the
# chunks it opens are in storage/attachments/sealed_file.py). The server keeps no key that
# opens any of them.
FORMAT_VERSION = 1
RECORD_FORMAT_VERSION = 2
FILE_KEY_FORMAT_VERSION = 3
HEADER_LENGTH = len(MAGIC) + 1 + 1 + KEY_ID_LENGTH + 1
SEQUENCE_LENGTH = 8
# No questionnaire comes near this; the bound keeps a damaged sequence number harmless.
MAX_SEQUENCE = 2**20 - 1
_INFO_LABELS = {
    FORMAT_VERSION: b"oclep envelope v1\x00",
    RECORD_FORMAT_VERSION: b"oclep answer record v2\x00",
    FILE_KEY_FORMAT_VERSION: b"oclep attachment key v3\x00",
}
_HPKE_SUITES = {suite: suite.hpke_suite for suite in StaffKeySuite}


class EnvelopeError(Exception):
    """An envelope cannot be opened. Deliberately says nothing about why."""

    def __init__(self) -> None:
        super().__init__("The sealed record cannot be opened.")


class RecordType(IntEnum):
    """What an envelope holds. Values 2-255 are free for future record types."""

    CHAIN_KEY = 1  # K0 of a submission's answer ratchet (32 bytes), format 1 only
    ANSWER = 2  # one answer record's plaintext (or the end record), format 2 only
    FILE_KEY = 3  # one attachment's file key (32 bytes), format 3 only


# Which record type each format version carries: anything else is refused.
_TYPE_OF_VERSION = {
    FORMAT_VERSION: RecordType.CHAIN_KEY,
    RECORD_FORMAT_VERSION: RecordType.ANSWER,
    FILE_KEY_FORMAT_VERSION: RecordType.FILE_KEY,
}


_SUITE_IDS = frozenset(int(suite) for suite in StaffKeySuite)


def check_binding(submission_id: bytes, questionnaire_hash: bytes) -> None:
    """Raise `ValueError` unless the ids have their fixed lengths (a programming error)."""
    if len(submission_id) != SUBMISSION_ID_LENGTH:
        raise ValueError(f"submission_id must be {SUBMISSION_ID_LENGTH} bytes")
    if len(questionnaire_hash) != QUESTIONNAIRE_HASH_LENGTH:
        raise ValueError(f"questionnaire_hash must be {QUESTIONNAIRE_HASH_LENGTH} bytes")


def _sequence_bytes(sequence: int) -> bytes:
    if not 0 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"a sequence number is between 0 and {MAX_SEQUENCE}")
    return sequence.to_bytes(SEQUENCE_LENGTH, "big")


def _info(header: bytes, binding: bytes) -> bytes:
    # The public HPKE API offers `info` but no associated data; `info` enters the key
    # schedule, so binding the header here makes any header change fail the open exactly as
    # associated data would.
    return _INFO_LABELS[header[4]] + header + binding


def _header(public_key: StaffPublicKey, version: int, record_type: RecordType) -> bytes:
    return MAGIC + bytes([version, public_key.suite]) + public_key.key_id + bytes([record_type])


def _seal(public_key: StaffPublicKey, header: bytes, plaintext: bytes, binding: bytes) -> bytes:
    suite = _HPKE_SUITES[public_key.suite]
    return header + suite.encrypt(plaintext, public_key.hpke_key, info=_info(header, binding))


def seal_to_staff(
    public_key: StaffPublicKey,
    record_type: RecordType,
    plaintext: bytes,
    submission_id: bytes,
    questionnaire_hash: bytes,
) -> bytes:
    """Seal `plaintext` to the staff key as a format 1 envelope (the ratchet's K0).

    Layout: magic "OCLE" ‖ format version ‖ suite id ‖ key_id (8) ‖ record type ‖ HPKE enc ‖
    ciphertext. The HPKE `info` binds the whole header, the submission id (16 bytes) and the
    questionnaire hash (32 bytes). Raises `ValueError` for wrong-length ids (a programming error).
    """
    check_binding(submission_id, questionnaire_hash)
    if _TYPE_OF_VERSION[FORMAT_VERSION] is not record_type:
        raise ValueError("format 1 envelopes hold chain keys only")
    header = _header(public_key, FORMAT_VERSION, record_type)
    return _seal(public_key, header, plaintext, submission_id + questionnaire_hash)


def seal_record(
    public_key: StaffPublicKey,
    plaintext: bytes,
    submission_id: bytes,
    sequence: int,
    questionnaire_hash: bytes,
) -> bytes:
    """Seal one answer record to the staff key (format 2): only a staff private key opens it.

    Same layout as `seal_to_staff`, with format version 2 and record type ANSWER; the HPKE
    `info` binds the header, the submission id (16 bytes), the sequence number (8 bytes,
    big-endian) and the questionnaire hash (32 bytes), so a record cannot be moved to another
    submission, position or questionnaire version. Each record has its own HPKE encapsulation:
    nothing the server keeps opens it, before or after it is written.
    """
    check_binding(submission_id, questionnaire_hash)
    header = _header(public_key, RECORD_FORMAT_VERSION, RecordType.ANSWER)
    binding = submission_id + _sequence_bytes(sequence) + questionnaire_hash
    return _seal(public_key, header, plaintext, binding)


def seal_file_key(
    public_key: StaffPublicKey, file_key: bytes, submission_id: bytes, position: int
) -> bytes:
    """Seal an attachment's file key to the staff key (format 3, record type FILE_KEY).

    Same layout as `seal_record`; the HPKE `info` binds the header, the submission id and the
    attachment's position (8 bytes, big-endian), so a sealed key cannot be moved to another
    submission or position. Deleting it shreds the file: nothing else opens its chunks.
    """
    if len(submission_id) != SUBMISSION_ID_LENGTH:
        raise ValueError(f"submission_id must be {SUBMISSION_ID_LENGTH} bytes")
    header = _header(public_key, FILE_KEY_FORMAT_VERSION, RecordType.FILE_KEY)
    return _seal(public_key, header, file_key, submission_id + _sequence_bytes(position))


def open_file_key(
    private_keys: Mapping[bytes, StaffPrivateKey], blob: bytes, submission_id: bytes, position: int
) -> bytes:
    """The file key of a format 3 envelope; every failure raises the same `EnvelopeError`."""
    if len(submission_id) != SUBMISSION_ID_LENGTH:
        raise ValueError(f"submission_id must be {SUBMISSION_ID_LENGTH} bytes")
    try:
        binding = submission_id + _sequence_bytes(position)
    except ValueError:
        raise EnvelopeError from None
    return _open(private_keys, blob, FILE_KEY_FORMAT_VERSION, binding)[1]


def _parse_header(blob: bytes) -> tuple[StaffKeySuite, bytes, RecordType] | None:
    if len(blob) < HEADER_LENGTH or not blob.startswith(MAGIC):
        return None
    version, suite_id = blob[4], blob[5]
    expected_type = _TYPE_OF_VERSION.get(version)
    if expected_type is None or suite_id not in _SUITE_IDS:
        return None
    if blob[HEADER_LENGTH - 1] != expected_type:
        return None
    key_id = bytes(blob[6 : 6 + KEY_ID_LENGTH])
    return StaffKeySuite(suite_id), key_id, expected_type


def _open(
    private_keys: Mapping[bytes, StaffPrivateKey], blob: bytes, version: int, binding: bytes
) -> tuple[RecordType, bytes]:
    blob = bytes(blob)
    parsed = _parse_header(blob)
    if parsed is None or blob[4] != version:
        raise EnvelopeError
    suite, key_id, record_type = parsed
    key = private_keys.get(key_id)
    if key is None or key.suite is not suite:
        raise EnvelopeError
    info = _info(blob[:HEADER_LENGTH], binding)
    try:
        plaintext = _HPKE_SUITES[suite].decrypt(blob[HEADER_LENGTH:], key.hpke_key, info=info)
    except (InvalidTag, ValueError):
        raise EnvelopeError from None
    return record_type, plaintext


def open_from_staff(
    private_keys: Mapping[bytes, StaffPrivateKey],
    blob: bytes,
    submission_id: bytes,
    questionnaire_hash: bytes,
) -> tuple[RecordType, bytes]:
    """Open a format 1 envelope with the key whose key id it names.

    Every failure (damaged, truncated, extended, unknown version/suite/key id/record type,
    wrong key, another submission or questionnaire) raises the same `EnvelopeError`.
    """
    check_binding(submission_id, questionnaire_hash)
    return _open(private_keys, blob, FORMAT_VERSION, submission_id + questionnaire_hash)


def open_record(
    private_keys: Mapping[bytes, StaffPrivateKey],
    blob: bytes,
    submission_id: bytes,
    sequence: int,
    questionnaire_hash: bytes,
) -> bytes:
    """The plaintext of a format 2 answer record; every failure (damage, truncation, another
    submission, position or questionnaire, a key not given) raises the same `EnvelopeError`."""
    check_binding(submission_id, questionnaire_hash)
    try:
        binding = submission_id + _sequence_bytes(sequence) + questionnaire_hash
    except ValueError:
        raise EnvelopeError from None
    return _open(private_keys, blob, RECORD_FORMAT_VERSION, binding)[1]


def envelope_key_id(blob: bytes) -> bytes | None:
    """The key id named in an envelope's header, or None if the header is not one we know.

    Parses only the header (no cryptography): lets the reader report and skip records sealed
    to keys it was not given, instead of treating them as damaged.
    """
    parsed = _parse_header(bytes(blob))
    return None if parsed is None else parsed[1]
