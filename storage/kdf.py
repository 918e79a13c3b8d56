"""HKDF-SHA256 (RFC 5869) for 32-byte keys, with a fast path for walking long chains offline."""

from __future__ import annotations

import hmac
from hashlib import sha256

KEY_LENGTH = 32
_BLOCK = 64  # SHA-256 block size
_ZERO_SALT = bytes(KEY_LENGTH)  # RFC 5869: an absent salt is HashLen zero bytes
# HMAC pads for a 32-byte key: key XOR pad byte, then the pad byte up to the block size.
_INNER_TABLE = bytes(byte ^ 0x36 for byte in range(256))
_OUTER_TABLE = bytes(byte ^ 0x5C for byte in range(256))
_INNER_FILL = b"\x36" * (_BLOCK - KEY_LENGTH)
_OUTER_FILL = b"\x5c" * (_BLOCK - KEY_LENGTH)


def _check(key: bytes) -> None:
    if len(key) != KEY_LENGTH:
        raise ValueError(f"a key is {KEY_LENGTH} bytes")


def hkdf_sha256(key: bytes, info: bytes) -> bytes:
    """HKDF-SHA256 with no salt, 32 bytes of output (one Expand block), via the stdlib HMAC."""
    _check(key)
    prk = hmac.digest(_ZERO_SALT, key, "sha256")
    return hmac.digest(prk, info + b"\x01", "sha256")


def _hmac_sha256(key: bytes, message: bytes) -> bytes:
    # RFC 2104 spelled out: OpenSSL's one-shot HMAC spends ~3 µs on set-up per call, twice the
    # cost of the two SHA-256 runs it wraps; the reader derives 120 of these per submission.
    inner = sha256(key.translate(_INNER_TABLE) + _INNER_FILL + message).digest()
    return sha256(key.translate(_OUTER_TABLE) + _OUTER_FILL + inner).digest()


class FastHkdf:
    """HKDF-SHA256 as `hkdf_sha256`, about twice as fast; for staff-side bulk reading.

    Its table lookups are indexed by key bytes, so it is kept off the server, where
    `hkdf_sha256` (OpenSSL) serves the few derivations per answer.
    """

    __slots__ = ()

    @staticmethod
    def extract(key: bytes) -> bytes:
        """HKDF-Extract with no salt: the pseudo-random key of `key`."""
        _check(key)
        return _hmac_sha256(_ZERO_SALT, key)

    @staticmethod
    def expand(prk: bytes, info: bytes) -> bytes:
        """HKDF-Expand of one 32-byte block."""
        return _hmac_sha256(prk, info + b"\x01")
