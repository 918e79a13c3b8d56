"""The answer ratchet: key derivation, sealed answers, and forward secrecy."""

from __future__ import annotations

import os
import uuid

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.envelope import EnvelopeError
from storage.kdf import hkdf_sha256
from storage.keys import generate_staff_key, keyring
from storage.ratchet import (
    ChainCiphertext,
    ChainWalker,
    SealedAnswerError,
    message_key,
    message_keys,
    new_chain_key,
    next_chain_key,
    open_answer,
    open_chain_key,
    seal_answer,
    seal_chain_key,
)

SUBMISSION = uuid.UUID("0b9f6a52-1111-4000-8000-0000000000aa").bytes
QUESTIONNAIRE = bytes.fromhex("5e" * 32)


def _reference_hkdf(key: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key)


def _answer_text(seq: int) -> bytes:
    return f'{{"q": "p{seq}", "v": {{"t": "text", "v": "respuesta {seq}"}}}}'.encode()


def _seal_log(k0: bytes, count: int) -> tuple[list[ChainCiphertext], bytes]:
    """What the server does over `count` answers; returns the log and the final chain key."""
    chain_key, log = k0, []
    for seq in range(count):
        log.append(seal_answer(chain_key, SUBMISSION, seq, QUESTIONNAIRE, _answer_text(seq)))
        chain_key = next_chain_key(chain_key)
    return log, chain_key


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=32, max_size=32))
def test_derivations_are_rfc5869_hkdf_sha256(chain_key: bytes) -> None:
    assert message_key(chain_key) == _reference_hkdf(chain_key, b"oclep msg")
    assert next_chain_key(chain_key) == _reference_hkdf(chain_key, b"oclep chain")
    assert hkdf_sha256(chain_key, b"other") == _reference_hkdf(chain_key, b"other")


@settings(max_examples=20, deadline=None)
@given(st.binary(min_size=32, max_size=32), st.integers(min_value=0, max_value=45))
def test_fast_staff_derivation_matches_the_server_one(k0: bytes, count: int) -> None:
    expected, chain_key = [], k0
    for _ in range(count):
        expected.append(message_key(chain_key))
        chain_key = next_chain_key(chain_key)
    assert message_keys(k0, count) == expected


def test_new_chain_keys_are_random_32_bytes() -> None:
    keys = {new_chain_key() for _ in range(100)}
    assert len(keys) == 100
    assert all(len(key) == 32 for key in keys)


def test_message_and_chain_keys_differ() -> None:
    k0 = new_chain_key()
    assert len({k0, message_key(k0), next_chain_key(k0)}) == 3


def test_seal_and_open_one_answer() -> None:
    k0 = new_chain_key()
    sealed = seal_answer(k0, SUBMISSION, 0, QUESTIONNAIRE, b"hola")
    assert len(sealed.nonce) == 12
    assert b"hola" not in sealed.ciphertext
    assert open_answer(k0, SUBMISSION, 0, QUESTIONNAIRE, sealed) == b"hola"


def test_associated_data_binds_submission_sequence_and_questionnaire() -> None:
    k0 = new_chain_key()
    sealed = seal_answer(k0, SUBMISSION, 3, QUESTIONNAIRE, b"hola")
    with pytest.raises(SealedAnswerError):
        open_answer(k0, SUBMISSION, 4, QUESTIONNAIRE, sealed)
    with pytest.raises(SealedAnswerError):
        open_answer(k0, uuid.uuid4().bytes, 3, QUESTIONNAIRE, sealed)
    with pytest.raises(SealedAnswerError):
        open_answer(k0, SUBMISSION, 3, bytes(32), sealed)
    # The associated data is exactly submission id ‖ seq (8-byte big-endian) ‖ questionnaire hash.
    aead = ChaCha20Poly1305(message_key(k0))
    associated = SUBMISSION + (3).to_bytes(8, "big") + QUESTIONNAIRE
    assert aead.decrypt(sealed.nonce, sealed.ciphertext, associated) == b"hola"


def test_every_flipped_byte_of_a_sealed_answer_fails() -> None:
    k0 = new_chain_key()
    sealed = seal_answer(k0, SUBMISSION, 0, QUESTIONNAIRE, b"respuesta")
    blob = sealed.nonce + sealed.ciphertext
    for index in range(len(blob)):
        damaged = bytearray(blob)
        damaged[index] ^= 0x01
        tampered = ChainCiphertext(bytes(damaged[:12]), bytes(damaged[12:]))
        with pytest.raises(SealedAnswerError):
            open_answer(k0, SUBMISSION, 0, QUESTIONNAIRE, tampered)


def test_truncated_or_malformed_sealed_answers_fail() -> None:
    k0 = new_chain_key()
    sealed = seal_answer(k0, SUBMISSION, 0, QUESTIONNAIRE, b"respuesta")
    for broken in (
        ChainCiphertext(sealed.nonce, sealed.ciphertext[:-1]),
        ChainCiphertext(sealed.nonce, sealed.ciphertext + b"\x00"),
        ChainCiphertext(sealed.nonce[:11], sealed.ciphertext),
        ChainCiphertext(b"", b""),
    ):
        with pytest.raises(SealedAnswerError):
            open_answer(k0, SUBMISSION, 0, QUESTIONNAIRE, broken)


def test_equal_answers_give_different_ciphertexts() -> None:
    k0 = new_chain_key()
    first = seal_answer(k0, SUBMISSION, 0, QUESTIONNAIRE, b"si")
    second = seal_answer(k0, SUBMISSION, 0, QUESTIONNAIRE, b"si")
    assert first.nonce != second.nonce and first.ciphertext != second.ciphertext


def test_out_of_range_sequence_is_refused() -> None:
    k0 = new_chain_key()
    with pytest.raises(ValueError):
        seal_answer(k0, SUBMISSION, -1, QUESTIONNAIRE, b"x")
    with pytest.raises(ValueError):
        seal_answer(k0, SUBMISSION, 2**63, QUESTIONNAIRE, b"x")
    walker = ChainWalker(k0, SUBMISSION, QUESTIONNAIRE)
    with pytest.raises(SealedAnswerError):
        walker.open(2**40, ChainCiphertext(bytes(12), bytes(16)))


def test_walker_reads_in_order_out_of_order_and_twice() -> None:
    k0 = new_chain_key()
    log, _ = _seal_log(k0, 12)
    walker = ChainWalker(k0, SUBMISSION, QUESTIONNAIRE)
    assert [walker.open(seq, sealed) for seq, sealed in enumerate(log)] == [
        _answer_text(seq) for seq in range(12)
    ]
    for seq in (11, 11, 2, 7, 0, 5):
        assert walker.open(seq, log[seq]) == _answer_text(seq)
    with pytest.raises(SealedAnswerError):
        walker.open(4, log[5])


def test_walker_skips_gaps() -> None:
    k0 = new_chain_key()
    log, _ = _seal_log(k0, 10)
    walker = ChainWalker(k0, SUBMISSION, QUESTIONNAIRE)
    assert walker.open(9, log[9]) == _answer_text(9)


def test_chain_key_envelope_round_trip_and_binding() -> None:
    staff = generate_staff_key()
    k0 = new_chain_key()
    sealed_k0 = seal_chain_key(staff.public_key, k0, SUBMISSION, QUESTIONNAIRE)
    assert open_chain_key(keyring([staff]), sealed_k0, SUBMISSION, QUESTIONNAIRE) == k0
    with pytest.raises(EnvelopeError):
        open_chain_key(keyring([staff]), sealed_k0, uuid.uuid4().bytes, QUESTIONNAIRE)
    with pytest.raises(ValueError):
        seal_chain_key(staff.public_key, k0[:31], SUBMISSION, QUESTIONNAIRE)


def test_chain_keys_do_not_repeat_over_a_long_walk() -> None:
    keys = message_keys(os.urandom(32), 2000)
    assert len(set(keys)) == 2000
