"""Envelopes: HPKE records sealed to staff, bound to one submission, tamper-evident."""

from __future__ import annotations

import os
import uuid

import pytest

from storage.envelope import (
    FORMAT_VERSION,
    HEADER_LENGTH,
    EnvelopeError,
    RecordType,
    envelope_key_id,
    open_from_staff,
    seal_to_staff,
)
from storage.keys import StaffKeySuite, StaffPrivateKey, generate_staff_key, keyring

SUBMISSION = uuid.UUID("6f1c2a3b-0000-4000-8000-000000000001").bytes
QUESTIONNAIRE = bytes.fromhex("ab" * 32)
PLAINTEXT = b"K0 would be 32 random bytes here"


@pytest.fixture(scope="module", params=[False, True], ids=["x25519", "mlkem768x25519"])
def staff_key(request: pytest.FixtureRequest) -> StaffPrivateKey:
    return generate_staff_key(pq=request.param)


@pytest.fixture(scope="module")
def sealed(staff_key: StaffPrivateKey) -> bytes:
    return seal_to_staff(
        staff_key.public_key, RecordType.CHAIN_KEY, PLAINTEXT, SUBMISSION, QUESTIONNAIRE
    )


def _open(key: StaffPrivateKey, blob: bytes) -> tuple[RecordType, bytes]:
    return open_from_staff(keyring([key]), blob, SUBMISSION, QUESTIONNAIRE)


def _opaque_failure_message(key: StaffPrivateKey, blob: bytes) -> str:
    with pytest.raises(EnvelopeError) as caught:
        _open(key, blob)
    # No chained detail (the underlying error) is shown with it.
    error = caught.value
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__
    return str(caught.value)


@pytest.mark.parametrize(
    "plaintext", [b"", b"x", os.urandom(32), os.urandom(5000)], ids=["empty", "1", "32", "5000"]
)
def test_round_trip(staff_key: StaffPrivateKey, plaintext: bytes) -> None:
    blob = seal_to_staff(
        staff_key.public_key, RecordType.CHAIN_KEY, plaintext, SUBMISSION, QUESTIONNAIRE
    )
    assert _open(staff_key, blob) == (RecordType.CHAIN_KEY, plaintext)


def test_format_1_envelopes_hold_only_chain_keys(staff_key: StaffPrivateKey) -> None:
    with pytest.raises(ValueError, match="chain keys only"):
        seal_to_staff(staff_key.public_key, RecordType.ANSWER, b"x", SUBMISSION, QUESTIONNAIRE)


def test_header_layout(staff_key: StaffPrivateKey, sealed: bytes) -> None:
    assert sealed[:4] == b"OCLE"
    assert sealed[4] == FORMAT_VERSION
    assert sealed[5] == staff_key.suite
    assert sealed[6:14] == staff_key.key_id
    assert sealed[14] == RecordType.CHAIN_KEY
    assert HEADER_LENGTH == 15
    assert envelope_key_id(sealed) == staff_key.key_id


def test_flipping_each_byte_fails(staff_key: StaffPrivateKey, sealed: bytes) -> None:
    reference = _opaque_failure_message(staff_key, b"")
    for index in range(len(sealed)):
        for mask in (0x01, 0x80):
            damaged = bytearray(sealed)
            damaged[index] ^= mask
            assert _opaque_failure_message(staff_key, bytes(damaged)) == reference, index


def test_truncated_extended_empty_and_garbage_fail_alike(
    staff_key: StaffPrivateKey, sealed: bytes
) -> None:
    reference = _opaque_failure_message(staff_key, b"")
    variants = [sealed[:length] for length in range(len(sealed))]
    variants += [sealed + b"\x00", sealed + os.urandom(100), sealed + sealed]
    variants += [os.urandom(length) for length in (1, 15, 16, 64, 200, 2000)]
    variants += [sealed[:HEADER_LENGTH] + os.urandom(len(sealed) - HEADER_LENGTH)]
    for blob in variants:
        assert _opaque_failure_message(staff_key, blob) == reference


def test_moved_to_another_submission_or_questionnaire_fails(
    staff_key: StaffPrivateKey, sealed: bytes
) -> None:
    ring = keyring([staff_key])
    other_submission = uuid.uuid4().bytes
    other_questionnaire = bytes.fromhex("cd" * 32)
    with pytest.raises(EnvelopeError):
        open_from_staff(ring, sealed, other_submission, QUESTIONNAIRE)
    with pytest.raises(EnvelopeError):
        open_from_staff(ring, sealed, SUBMISSION, other_questionnaire)
    assert open_from_staff(ring, sealed, SUBMISSION, QUESTIONNAIRE)[1] == PLAINTEXT


def test_wrong_key_fails(staff_key: StaffPrivateKey, sealed: bytes) -> None:
    impostor = generate_staff_key(pq=staff_key.suite is StaffKeySuite.MLKEM768_X25519)
    # Even filed under the right key id, another key cannot open it.
    with pytest.raises(EnvelopeError):
        open_from_staff({staff_key.key_id: impostor}, sealed, SUBMISSION, QUESTIONNAIRE)


def test_key_of_the_other_suite_under_the_same_id_fails(
    staff_key: StaffPrivateKey, sealed: bytes
) -> None:
    other = generate_staff_key(pq=staff_key.suite is StaffKeySuite.X25519)
    with pytest.raises(EnvelopeError):
        open_from_staff({staff_key.key_id: other}, sealed, SUBMISSION, QUESTIONNAIRE)


def test_unknown_key_id_is_refused_but_can_be_reported(
    staff_key: StaffPrivateKey, sealed: bytes
) -> None:
    other = generate_staff_key()
    with pytest.raises(EnvelopeError):
        _open(other, sealed)
    assert envelope_key_id(sealed) == staff_key.key_id
    assert envelope_key_id(sealed) not in keyring([other])


@pytest.mark.parametrize(
    ("index", "value"),
    [(4, 0), (4, 2), (4, 255), (5, 0), (5, 3), (5, 255), (14, 0), (14, 200)],
    ids=["version0", "version2", "version255", "suite0", "suite3", "suite255", "type0", "type200"],
)
def test_unknown_version_suite_or_record_type_is_refused(
    staff_key: StaffPrivateKey, sealed: bytes, index: int, value: int
) -> None:
    altered = bytearray(sealed)
    altered[index] = value
    assert _opaque_failure_message(staff_key, bytes(altered)) == str(EnvelopeError())
    assert envelope_key_id(bytes(altered)) is None


def test_known_suite_swapped_in_the_header_is_refused(
    staff_key: StaffPrivateKey, sealed: bytes
) -> None:
    altered = bytearray(sealed)
    altered[5] = 3 - staff_key.suite  # the other known suite
    with pytest.raises(EnvelopeError):
        _open(staff_key, bytes(altered))


def test_equal_plaintexts_give_different_envelopes(staff_key: StaffPrivateKey) -> None:
    blobs = {
        seal_to_staff(
            staff_key.public_key, RecordType.CHAIN_KEY, PLAINTEXT, SUBMISSION, QUESTIONNAIRE
        )
        for _ in range(5)
    }
    assert len(blobs) == 5


def test_keyring_with_several_keys_picks_the_right_one(staff_key: StaffPrivateKey) -> None:
    ring = keyring([generate_staff_key(), staff_key, generate_staff_key(pq=True)])
    blob = seal_to_staff(
        staff_key.public_key, RecordType.CHAIN_KEY, PLAINTEXT, SUBMISSION, QUESTIONNAIRE
    )
    assert open_from_staff(ring, blob, SUBMISSION, QUESTIONNAIRE)[1] == PLAINTEXT


def test_error_message_says_nothing_specific() -> None:
    message = str(EnvelopeError())
    assert message == "The sealed record cannot be opened."


def test_wrong_length_ids_are_programming_errors(staff_key: StaffPrivateKey) -> None:
    public = staff_key.public_key
    with pytest.raises(ValueError):
        seal_to_staff(public, RecordType.CHAIN_KEY, b"", SUBMISSION[:15], QUESTIONNAIRE)
    with pytest.raises(ValueError):
        seal_to_staff(public, RecordType.CHAIN_KEY, b"", SUBMISSION, QUESTIONNAIRE.hex().encode())
