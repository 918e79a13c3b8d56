"""Answer records sealed one by one to the staff key (format 2): tamper, move, reorder, drop."""

from __future__ import annotations

import uuid

import pytest

from storage.envelope import (
    HEADER_LENGTH,
    MAX_SEQUENCE,
    RECORD_FORMAT_VERSION,
    EnvelopeError,
    RecordType,
    envelope_key_id,
    open_from_staff,
    open_record,
    seal_record,
)
from storage.keys import StaffPrivateKey, generate_staff_key, keyring

SUBMISSION = uuid.UUID("6f1c2a3b-0000-4000-8000-000000000002").bytes
OTHER_SUBMISSION = uuid.UUID("6f1c2a3b-0000-4000-8000-000000000003").bytes
QUESTIONNAIRE = bytes.fromhex("cd" * 32)
OTHER_QUESTIONNAIRE = bytes.fromhex("ce" * 32)
RECORD = b'{"q":"testimonio","v":"Me quitaron el pasaporte en Caracas"}'


@pytest.fixture(scope="module", params=[False, True], ids=["x25519", "mlkem768x25519"])
def staff_key(request: pytest.FixtureRequest) -> StaffPrivateKey:
    return generate_staff_key(pq=request.param)


@pytest.fixture(scope="module")
def sealed(staff_key: StaffPrivateKey) -> bytes:
    return seal_record(staff_key.public_key, RECORD, SUBMISSION, 7, QUESTIONNAIRE)


def _open(
    key: StaffPrivateKey,
    blob: bytes,
    submission: bytes = SUBMISSION,
    seq: int = 7,
    questionnaire: bytes = QUESTIONNAIRE,
) -> bytes:
    return open_record(keyring([key]), blob, submission, seq, questionnaire)


def _fails(key: StaffPrivateKey, blob: bytes, **binding: object) -> str:
    with pytest.raises(EnvelopeError) as caught:
        _open(key, blob, **binding)  # type: ignore[arg-type]
    assert caught.value.__cause__ is None
    return str(caught.value)


def test_round_trip_and_layout(staff_key: StaffPrivateKey, sealed: bytes) -> None:
    assert _open(staff_key, sealed) == RECORD
    assert sealed[:4] == b"OCLE"
    assert sealed[4] == RECORD_FORMAT_VERSION
    assert sealed[5] == staff_key.suite
    assert sealed[6:14] == staff_key.key_id
    assert sealed[HEADER_LENGTH - 1] == RecordType.ANSWER
    assert envelope_key_id(sealed) == staff_key.key_id


def test_each_record_has_its_own_encapsulation(staff_key: StaffPrivateKey) -> None:
    first = seal_record(staff_key.public_key, RECORD, SUBMISSION, 0, QUESTIONNAIRE)
    second = seal_record(staff_key.public_key, RECORD, SUBMISSION, 0, QUESTIONNAIRE)
    # Same plaintext, same position: nothing in common after the header.
    assert first[:HEADER_LENGTH] == second[:HEADER_LENGTH]
    assert first[HEADER_LENGTH : HEADER_LENGTH + 32] != second[HEADER_LENGTH : HEADER_LENGTH + 32]


def test_flipping_any_byte_fails_with_one_message(
    staff_key: StaffPrivateKey, sealed: bytes
) -> None:
    reference = _fails(staff_key, b"")
    for index in range(len(sealed)):
        damaged = bytearray(sealed)
        damaged[index] ^= 0x01
        assert _fails(staff_key, bytes(damaged)) == reference, index


def test_truncated_or_extended_records_fail(staff_key: StaffPrivateKey, sealed: bytes) -> None:
    for cut in (1, 16, len(sealed) - HEADER_LENGTH, len(sealed) - 1):
        _fails(staff_key, sealed[:-cut])
    _fails(staff_key, sealed + b"\x00")


@pytest.mark.parametrize(
    "binding",
    [
        {"submission": OTHER_SUBMISSION},
        {"seq": 6},
        {"seq": 8},
        {"seq": MAX_SEQUENCE + 1},
        {"questionnaire": OTHER_QUESTIONNAIRE},
    ],
    ids=["other-submission", "earlier-position", "later-position", "out-of-range", "other-version"],
)
def test_a_record_cannot_be_moved(
    staff_key: StaffPrivateKey, sealed: bytes, binding: dict[str, object]
) -> None:
    _fails(staff_key, sealed, **binding)


def test_records_swapped_between_positions_fail(staff_key: StaffPrivateKey) -> None:
    records = [
        seal_record(staff_key.public_key, b"%d" % i, SUBMISSION, i, QUESTIONNAIRE) for i in range(3)
    ]
    assert [_open(staff_key, r, seq=i) for i, r in enumerate(records)] == [b"0", b"1", b"2"]
    _fails(staff_key, records[1], seq=0)
    _fails(staff_key, records[0], seq=1)


def test_a_record_is_not_a_chain_key_and_back(staff_key: StaffPrivateKey, sealed: bytes) -> None:
    """The two formats cannot stand in for each other (version and type are checked)."""
    with pytest.raises(EnvelopeError):
        open_from_staff(keyring([staff_key]), sealed, SUBMISSION, QUESTIONNAIRE)
    header_as_v1 = bytearray(sealed)
    header_as_v1[4] = 1
    _fails(staff_key, bytes(header_as_v1))


def test_another_staff_key_opens_nothing(sealed: bytes) -> None:
    _fails(generate_staff_key(), sealed)
