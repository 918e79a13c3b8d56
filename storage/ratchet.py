"""The forward-secret answer chain: chain keys, message keys and sealed answers."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from storage.envelope import (
    EnvelopeError,
    RecordType,
    check_binding,
    open_from_staff,
    seal_to_staff,
)
from storage.kdf import FastHkdf, hkdf_sha256
from storage.keys import StaffPrivateKey, StaffPublicKey

CHAIN_KEY_LENGTH = 32
NONCE_LENGTH = 12
# No questionnaire comes near this; the bound keeps a damaged sequence number from making the
# reader walk the chain for hours.
MAX_SEQUENCE = 2**20 - 1

_MESSAGE_INFO = b"oclep msg"
_CHAIN_INFO = b"oclep chain"


class SealedAnswerError(Exception):
    """A sealed answer cannot be opened. Deliberately says nothing about why."""

    def __init__(self) -> None:
        super().__init__("The sealed answer cannot be opened.")


class ChainCiphertext(NamedTuple):
    """One encrypted answer as stored: random nonce and ChaCha20-Poly1305 ciphertext."""

    nonce: bytes
    ciphertext: bytes


def new_chain_key() -> bytes:
    """K0: 32 random bytes, drawn when a respondent starts."""
    return secrets.token_bytes(CHAIN_KEY_LENGTH)


def message_key(chain_key: bytes) -> bytes:
    """HKDF-SHA256(chain_key, info="oclep msg"): encrypts the answer at this position."""
    return hkdf_sha256(chain_key, _MESSAGE_INFO)


def next_chain_key(chain_key: bytes) -> bytes:
    """HKDF-SHA256(chain_key, info="oclep chain"): replaces `chain_key`, which is then forgotten."""
    return hkdf_sha256(chain_key, _CHAIN_INFO)


def _associated_data(submission_id: bytes, seq: int, questionnaire_hash: bytes) -> bytes:
    check_binding(submission_id, questionnaire_hash)
    if not 0 <= seq <= MAX_SEQUENCE:
        raise ValueError(f"seq must be between 0 and {MAX_SEQUENCE}")
    return submission_id + seq.to_bytes(8, "big") + questionnaire_hash


def seal_answer(
    chain_key: bytes,
    submission_id: bytes,
    seq: int,
    questionnaire_hash: bytes,
    plaintext: bytes,
) -> ChainCiphertext:
    """Encrypt answer number `seq` under the message key of `chain_key` (K_seq).

    Associated data = submission id ‖ seq (8-byte big-endian) ‖ questionnaire hash.
    The caller then stores `next_chain_key(chain_key)` in place of `chain_key`.
    """
    associated = _associated_data(submission_id, seq, questionnaire_hash)
    nonce = secrets.token_bytes(NONCE_LENGTH)
    ciphertext = ChaCha20Poly1305(message_key(chain_key)).encrypt(nonce, plaintext, associated)
    return ChainCiphertext(nonce=nonce, ciphertext=ciphertext)


def _open_with_message_key(key: bytes, associated: bytes, sealed: ChainCiphertext) -> bytes:
    try:
        return ChaCha20Poly1305(key).decrypt(
            bytes(sealed.nonce), bytes(sealed.ciphertext), associated
        )
    except (InvalidTag, ValueError):
        raise SealedAnswerError from None


def open_answer(
    chain_key: bytes,
    submission_id: bytes,
    seq: int,
    questionnaire_hash: bytes,
    sealed: ChainCiphertext,
) -> bytes:
    """Decrypt answer `seq` with K_seq; raises `SealedAnswerError` on any failure."""
    try:
        associated = _associated_data(submission_id, seq, questionnaire_hash)
    except ValueError:
        raise SealedAnswerError from None
    return _open_with_message_key(message_key(chain_key), associated, sealed)


def message_keys(k0: bytes, count: int) -> list[bytes]:
    """The message keys of positions 0..count-1, derived from K0 in one pass."""
    keys: list[bytes] = []
    prk = FastHkdf.extract(k0)
    for position in range(count):
        if position:
            prk = FastHkdf.extract(FastHkdf.expand(prk, _CHAIN_INFO))
        keys.append(FastHkdf.expand(prk, _MESSAGE_INFO))
    return keys


class ChainWalker:
    """Staff-side reading of one submission's answers from K0, cheapest in sequence order.

    Keeps the HKDF pseudo-random key of its current position, so reading answers in order
    costs three HMACs and one AEAD open per answer.
    """

    __slots__ = ("_k0", "_position", "_prk", "_questionnaire_hash", "_submission_id")

    def __init__(self, k0: bytes, submission_id: bytes, questionnaire_hash: bytes) -> None:
        check_binding(submission_id, questionnaire_hash)
        self._k0 = bytes(k0)
        self._submission_id = bytes(submission_id)
        self._questionnaire_hash = bytes(questionnaire_hash)
        self._prk = FastHkdf.extract(self._k0)
        self._position = 0

    def _message_key_at(self, seq: int) -> bytes:
        if seq < self._position:
            self._prk, self._position = FastHkdf.extract(self._k0), 0
        prk = self._prk
        for _ in range(seq - self._position):
            prk = FastHkdf.extract(FastHkdf.expand(prk, _CHAIN_INFO))
        self._prk, self._position = prk, seq
        return FastHkdf.expand(prk, _MESSAGE_INFO)

    def open(self, seq: int, sealed: ChainCiphertext) -> bytes:
        """Decrypt answer `seq`; walks forward from the last position (restarts from K0 if
        `seq` is behind it). Raises `SealedAnswerError` on any failure."""
        if not 0 <= seq <= MAX_SEQUENCE:
            raise SealedAnswerError
        associated = self._submission_id + seq.to_bytes(8, "big") + self._questionnaire_hash
        return _open_with_message_key(self._message_key_at(seq), associated, sealed)


def seal_chain_key(
    public_key: StaffPublicKey, k0: bytes, submission_id: bytes, questionnaire_hash: bytes
) -> bytes:
    """K0 sealed to the staff key (an envelope of type CHAIN_KEY), stored in the submission row."""
    if len(k0) != CHAIN_KEY_LENGTH:
        raise ValueError(f"a chain key is {CHAIN_KEY_LENGTH} bytes")
    return seal_to_staff(public_key, RecordType.CHAIN_KEY, k0, submission_id, questionnaire_hash)


def open_chain_key(
    private_keys: Mapping[bytes, StaffPrivateKey],
    sealed_k0: bytes,
    submission_id: bytes,
    questionnaire_hash: bytes,
) -> bytes:
    """K0 from its envelope; raises `EnvelopeError` on any failure (including another type)."""
    record_type, k0 = open_from_staff(private_keys, sealed_k0, submission_id, questionnaire_hash)
    if record_type is not RecordType.CHAIN_KEY or len(k0) != CHAIN_KEY_LENGTH:
        raise EnvelopeError
    return k0
