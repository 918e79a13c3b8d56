"""Envelopes: records sealed to a staff public key with HPKE, bound to one submission."""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum

from cryptography.exceptions import InvalidTag

from storage.keys import KEY_ID_LENGTH, StaffKeySuite, StaffPrivateKey, StaffPublicKey

SUBMISSION_ID_LENGTH = 16  # uuid.UUID(...).bytes
QUESTIONNAIRE_HASH_LENGTH = 32  # bytes.fromhex(flows.loader.definition_hash(q))

MAGIC = b"OCLE"
FORMAT_VERSION = 1
HEADER_LENGTH = len(MAGIC) + 1 + 1 + KEY_ID_LENGTH + 1
_INFO_LABEL = b"oclep envelope v1\x00"
_HPKE_SUITES = {suite: suite.hpke_suite for suite in StaffKeySuite}


class EnvelopeError(Exception):
    """An envelope cannot be opened. Deliberately says nothing about why."""

    def __init__(self) -> None:
        super().__init__("The sealed record cannot be opened.")


class RecordType(IntEnum):
    """What an envelope holds. Values 2-255 are free for future record types."""

    CHAIN_KEY = 1  # K0 of a submission's answer ratchet (32 bytes)


_SUITE_IDS = frozenset(int(suite) for suite in StaffKeySuite)
_RECORD_TYPE_IDS = frozenset(int(kind) for kind in RecordType)


def check_binding(submission_id: bytes, questionnaire_hash: bytes) -> None:
    """Raise `ValueError` unless the ids have their fixed lengths (a programming error)."""
    if len(submission_id) != SUBMISSION_ID_LENGTH:
        raise ValueError(f"submission_id must be {SUBMISSION_ID_LENGTH} bytes")
    if len(questionnaire_hash) != QUESTIONNAIRE_HASH_LENGTH:
        raise ValueError(f"questionnaire_hash must be {QUESTIONNAIRE_HASH_LENGTH} bytes")


def _info(header: bytes, submission_id: bytes, questionnaire_hash: bytes) -> bytes:
    # The public HPKE API offers `info` but no associated data; `info` enters the key
    # schedule, so binding the header here makes any header change fail the open exactly as
    # associated data would.
    return _INFO_LABEL + header + submission_id + questionnaire_hash


def seal_to_staff(
    public_key: StaffPublicKey,
    record_type: RecordType,
    plaintext: bytes,
    submission_id: bytes,
    questionnaire_hash: bytes,
) -> bytes:
    """Seal `plaintext` to the staff key.

    Layout: magic "OCLE" ‖ format version ‖ suite id ‖ key_id (8) ‖ record type ‖ HPKE enc ‖
    ciphertext. The HPKE `info` binds the whole header, the submission id (16 bytes) and the
    questionnaire hash (32 bytes). Raises `ValueError` for wrong-length ids (a programming error).
    """
    check_binding(submission_id, questionnaire_hash)
    header = (
        MAGIC
        + bytes([FORMAT_VERSION, public_key.suite])
        + public_key.key_id
        + bytes([RecordType(record_type)])
    )
    sealed = _HPKE_SUITES[public_key.suite].encrypt(
        plaintext, public_key.hpke_key, info=_info(header, submission_id, questionnaire_hash)
    )
    return header + sealed


def _parse_header(blob: bytes) -> tuple[StaffKeySuite, bytes, RecordType] | None:
    if len(blob) < HEADER_LENGTH or not blob.startswith(MAGIC):
        return None
    version, suite_id = blob[4], blob[5]
    if version != FORMAT_VERSION or suite_id not in _SUITE_IDS:
        return None
    record_type_id = blob[HEADER_LENGTH - 1]
    if record_type_id not in _RECORD_TYPE_IDS:
        return None
    key_id = bytes(blob[6 : 6 + KEY_ID_LENGTH])
    return StaffKeySuite(suite_id), key_id, RecordType(record_type_id)


def open_from_staff(
    private_keys: Mapping[bytes, StaffPrivateKey],
    blob: bytes,
    submission_id: bytes,
    questionnaire_hash: bytes,
) -> tuple[RecordType, bytes]:
    """Open an envelope with the key whose key id it names.

    Every failure (damaged, truncated, extended, unknown version/suite/key id/record type,
    wrong key, another submission or questionnaire) raises the same `EnvelopeError`.
    """
    check_binding(submission_id, questionnaire_hash)
    blob = bytes(blob)
    parsed = _parse_header(blob)
    if parsed is None:
        raise EnvelopeError
    suite, key_id, record_type = parsed
    key = private_keys.get(key_id)
    if key is None or key.suite is not suite:
        raise EnvelopeError
    info = _info(blob[:HEADER_LENGTH], submission_id, questionnaire_hash)
    try:
        plaintext = _HPKE_SUITES[suite].decrypt(blob[HEADER_LENGTH:], key.hpke_key, info=info)
    except (InvalidTag, ValueError):
        raise EnvelopeError from None
    return record_type, plaintext


def envelope_key_id(blob: bytes) -> bytes | None:
    """The key id named in an envelope's header, or None if the header is not one we know.

    Parses only the header (no cryptography): lets the reader report and skip records sealed
    to keys it was not given, instead of treating them as damaged.
    """
    parsed = _parse_header(bytes(blob))
    return None if parsed is None else parsed[1]
