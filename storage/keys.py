"""Staff key pairs: generation, key ids, and the public and private key files."""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import struct
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import mlkem, x25519
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from storage.secure_files import FileExistsRefused, write_new_private_file

KEY_ID_LENGTH = 8
_KEY_ID_LABEL = b"oclep-staff-key-v1"
_X25519_LENGTH = 32
_MLKEM768_PUBLIC_LENGTH = 1184
_MLKEM768_SEED_LENGTH = 64


class KeyFileError(Exception):
    """A key file cannot be used; the message is one sentence for staff."""


class StaffKeySuite(IntEnum):
    """HPKE suites a staff key may use; the value is the suite id written in envelopes."""

    X25519 = 1  # DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305
    MLKEM768_X25519 = 2  # ML-KEM-768+X25519 hybrid KEM, HKDF-SHA256, ChaCha20-Poly1305

    @property
    def label(self) -> str:
        """Name used in public key files and shown to staff ("X25519", "ML-KEM-768+X25519")."""
        return _SUITE_LABELS[self]

    @property
    def description(self) -> str:
        """The full HPKE suite, for staff."""
        kem = {
            StaffKeySuite.X25519: "DHKEM(X25519, HKDF-SHA256)",
            StaffKeySuite.MLKEM768_X25519: "ML-KEM-768+X25519 (post-quantum hybrid)",
        }[self]
        return f"HPKE {kem}, HKDF-SHA256, ChaCha20-Poly1305"

    @property
    def hpke_suite(self) -> hpke.Suite:
        """The `cryptography` HPKE suite object."""
        kem = {
            StaffKeySuite.X25519: hpke.KEM.X25519,
            StaffKeySuite.MLKEM768_X25519: hpke.KEM.MLKEM768_X25519,
        }[self]
        return hpke.Suite(kem, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)

    @classmethod
    def from_label(cls, label: str) -> StaffKeySuite:
        """Inverse of `label`; raises `ValueError` for an unknown name."""
        for suite, name in _SUITE_LABELS.items():
            if name == label:
                return suite
        raise ValueError(f"unknown staff key suite {label!r}")


_SUITE_LABELS = {StaffKeySuite.X25519: "X25519", StaffKeySuite.MLKEM768_X25519: "ML-KEM-768+X25519"}


@dataclass(frozen=True)
class Argon2Params:
    """Argon2id cost parameters of a private key file."""

    memory_cost_kib: int
    iterations: int
    lanes: int

    def at_least(self, minimum: Argon2Params) -> bool:
        """True if memory and iterations both reach `minimum`."""
        return (
            self.memory_cost_kib >= minimum.memory_cost_kib
            and self.iterations >= minimum.iterations
        )

    def at_most(self, maximum: Argon2Params) -> bool:
        """True if memory, iterations and lanes all stay within `maximum`."""
        return (
            self.memory_cost_kib <= maximum.memory_cost_kib
            and self.iterations <= maximum.iterations
            and self.lanes <= maximum.lanes
        )

    def describe(self) -> str:
        """For staff: "64 MiB, 3 iterations, 4 lanes"."""
        memory = f"{self.memory_cost_kib // 1024} MiB"
        return f"{memory}, {self.iterations} iterations, {self.lanes} lanes"


DEFAULT_ARGON2 = Argon2Params(memory_cost_kib=64 * 1024, iterations=3, lanes=4)
MINIMUM_ARGON2 = DEFAULT_ARGON2  # reading refuses anything weaker unless told otherwise
# Upper bounds keep a damaged or hostile header from exhausting a staff laptop's memory or
# time: Argon2id runs before anything in the file is authenticated.
MAXIMUM_ARGON2 = Argon2Params(memory_cost_kib=1024 * 1024, iterations=16, lanes=16)

HpkePublicKey = x25519.X25519PublicKey | hpke.MLKEM768X25519PublicKey
HpkePrivateKey = x25519.X25519PrivateKey | hpke.MLKEM768X25519PrivateKey


def compute_key_id(suite: StaffKeySuite, public_raw: bytes) -> bytes:
    """First 8 bytes of SHA-256("oclep-staff-key-v1" ‖ suite id ‖ public key bytes)."""
    digest = hashlib.sha256(_KEY_ID_LABEL + bytes([suite]) + public_raw).digest()
    return digest[:KEY_ID_LENGTH]


class StaffPublicKey:
    """A staff public key: what the server seals chain keys to."""

    __slots__ = ("_hpke_key", "key_id", "raw", "suite")

    suite: StaffKeySuite
    key_id: bytes  # 8 bytes
    raw: bytes  # X25519: 32 bytes; hybrid: ML-KEM-768 public (1184) ‖ X25519 public (32)

    def __init__(self, suite: StaffKeySuite, raw: bytes) -> None:
        """Build from raw bytes; raises `ValueError` if they are not a valid key of `suite`."""
        self.suite = StaffKeySuite(suite)
        self.raw = bytes(raw)
        self._hpke_key = _hpke_public_key(self.suite, self.raw)
        self.key_id = compute_key_id(self.suite, self.raw)

    @property
    def hpke_key(self) -> HpkePublicKey:
        """The `cryptography` key object for HPKE encryption (built once)."""
        return self._hpke_key

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StaffPublicKey):
            return NotImplemented
        return self.suite == other.suite and self.raw == other.raw

    def __hash__(self) -> int:
        return hash((self.suite, self.raw))

    def __repr__(self) -> str:
        return f"StaffPublicKey({self.suite.label}, key_id={self.key_id.hex()})"


def _hpke_public_key(suite: StaffKeySuite, raw: bytes) -> HpkePublicKey:
    if suite is StaffKeySuite.X25519:
        return x25519.X25519PublicKey.from_public_bytes(raw)
    if len(raw) != _MLKEM768_PUBLIC_LENGTH + _X25519_LENGTH:
        raise ValueError("wrong length for an ML-KEM-768+X25519 public key")
    return hpke.MLKEM768X25519PublicKey(
        mlkem.MLKEM768PublicKey.from_public_bytes(raw[:_MLKEM768_PUBLIC_LENGTH]),
        x25519.X25519PublicKey.from_public_bytes(raw[_MLKEM768_PUBLIC_LENGTH:]),
    )


class StaffPrivateKey:
    """A staff private key (secret): opens envelopes sealed to its public key."""

    __slots__ = ("_hpke_key", "_raw", "public_key", "suite")

    suite: StaffKeySuite
    public_key: StaffPublicKey

    def __init__(self, suite: StaffKeySuite, raw: bytes) -> None:
        """Build from raw secret bytes (X25519: 32; hybrid: ML-KEM-768 seed (64) ‖ X25519 (32)).

        Raises `ValueError` if the bytes do not form a key of `suite`.
        """
        self.suite = StaffKeySuite(suite)
        self._raw = bytes(raw)
        if self.suite is StaffKeySuite.X25519:
            classic = x25519.X25519PrivateKey.from_private_bytes(self._raw)
            self._hpke_key: HpkePrivateKey = classic
            public_raw = classic.public_key().public_bytes_raw()
        else:
            if len(self._raw) != _MLKEM768_SEED_LENGTH + _X25519_LENGTH:
                raise ValueError("wrong length for an ML-KEM-768+X25519 private key")
            quantum = mlkem.MLKEM768PrivateKey.from_seed_bytes(self._raw[:_MLKEM768_SEED_LENGTH])
            classic = x25519.X25519PrivateKey.from_private_bytes(self._raw[_MLKEM768_SEED_LENGTH:])
            self._hpke_key = hpke.MLKEM768X25519PrivateKey(quantum, classic)
            public_raw = (
                quantum.public_key().public_bytes_raw() + classic.public_key().public_bytes_raw()
            )
        self.public_key = StaffPublicKey(self.suite, public_raw)

    @property
    def key_id(self) -> bytes:
        """The key id of the matching public key."""
        return self.public_key.key_id

    @property
    def hpke_key(self) -> HpkePrivateKey:
        """The `cryptography` key object for HPKE decryption (built once)."""
        return self._hpke_key

    def private_bytes(self) -> bytes:
        """The raw secret bytes, for writing the encrypted key file only."""
        return self._raw

    def __repr__(self) -> str:
        # Never the secret bytes.
        return f"StaffPrivateKey({self.suite.label}, key_id={self.key_id.hex()})"


def generate_staff_key(pq: bool = False) -> StaffPrivateKey:
    """A new staff key pair: X25519, or the ML-KEM-768+X25519 hybrid when `pq` is true."""
    classic = x25519.X25519PrivateKey.generate().private_bytes_raw()
    if not pq:
        return StaffPrivateKey(StaffKeySuite.X25519, classic)
    quantum = mlkem.MLKEM768PrivateKey.generate().private_bytes_raw()
    return StaffPrivateKey(StaffKeySuite.MLKEM768_X25519, quantum + classic)


def keyring(keys: Iterable[StaffPrivateKey]) -> dict[bytes, StaffPrivateKey]:
    """Private keys indexed by key id, as `open_from_staff` and the reader expect."""
    return {key.key_id: key for key in keys}


# --- public key file (text, read by the server) ---

_PUBLIC_FORMAT_LINE = "oclep-staff-public-key: 1"


def format_public_key(key: StaffPublicKey) -> str:
    """A public key file's text: format line, `suite:`, `key_id:` (hex), `key:` (base64)."""
    return (
        "# OCLEP staff public key. Copy this file to the server and point\n"
        "# OCLEP_STAFF_PUBLIC_KEY at it. It holds no secret.\n"
        f"{_PUBLIC_FORMAT_LINE}\n"
        f"suite: {key.suite.label}\n"
        f"key_id: {key.key_id.hex()}\n"
        f"key: {base64.b64encode(key.raw).decode('ascii')}\n"
    )


def parse_public_key(text: str, source: str = "the public key file") -> StaffPublicKey:
    """Parse a public key file's text; raises `KeyFileError` naming `source` if it is not valid."""
    fields = _public_key_fields(text, source)
    try:
        suite = StaffKeySuite.from_label(fields["suite"])
    except ValueError:
        raise KeyFileError(
            f"{source} uses an unknown key suite; this version supports X25519 and"
            " ML-KEM-768+X25519."
        ) from None
    try:
        raw = base64.b64decode(fields["key"], validate=True)
        key = StaffPublicKey(suite, raw)
    except (binascii.Error, ValueError):
        raise KeyFileError(f"{source} is damaged: its key is not valid.") from None
    if fields["key_id"].lower() != key.key_id.hex():
        raise KeyFileError(f"{source} is damaged: its key_id does not match its key.")
    return key


def _public_key_fields(text: str, source: str) -> dict[str, str]:
    """The suite, key_id and key lines of a public key file, each once and nothing else."""
    not_ours = KeyFileError(f"{source} is not an OCLEP public key file.")
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    if not lines or lines[0] != _PUBLIC_FORMAT_LINE:
        raise not_ours
    fields = _named_values(lines[1:])
    if fields is None or set(fields) != {"suite", "key_id", "key"}:
        raise not_ours
    return fields


def _named_values(lines: list[str]) -> dict[str, str] | None:
    """`name: value` lines as a mapping; None if a line has no colon or a name comes twice."""
    fields: dict[str, str] = {}
    for line in lines:
        name, separator, value = line.partition(":")
        if not separator or name.strip() in fields:
            return None
        fields[name.strip()] = value.strip()
    return fields


def write_public_key_file(path: Path, key: StaffPublicKey) -> None:
    """Create `path` (mode 0600, atomic); `KeyFileError` if it exists or cannot be written."""
    _create(path, format_public_key(key).encode("ascii"))


def read_public_key_file(path: Path) -> StaffPublicKey:
    """Read a public key file; raises `KeyFileError` with one sentence on any problem."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"Cannot read {path}: {exc.strerror or 'unknown error'}.") from None
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise KeyFileError(f"{path} is not an OCLEP public key file.") from None
    return parse_public_key(text, source=str(path))


def _create(path: Path, data: bytes) -> None:
    try:
        write_new_private_file(path, data)
    except FileExistsRefused:
        raise KeyFileError(f"{path} already exists; key files are never overwritten.") from None
    except OSError as exc:
        raise KeyFileError(f"Cannot write {path}: {exc.strerror or 'unknown error'}.") from None


# --- private key file (binary, Argon2id + ChaCha20-Poly1305, stays with staff) ---

_PRIVATE_MAGIC = b"OCLEP-SK"
_PRIVATE_VERSION = 1
_SALT_LENGTH = 16
_NONCE_LENGTH = 12
_TAG_LENGTH = 16
# magic, version, suite, key_id, memory KiB, iterations, lanes, salt, nonce
_HEADER = struct.Struct(
    f">{len(_PRIVATE_MAGIC)}sBB{KEY_ID_LENGTH}sIII{_SALT_LENGTH}s{_NONCE_LENGTH}s"
)
_PRIVATE_LENGTHS = {
    StaffKeySuite.X25519: _X25519_LENGTH,
    StaffKeySuite.MLKEM768_X25519: _MLKEM768_SEED_LENGTH + _X25519_LENGTH,
}
_WRONG_PASSPHRASE = "The passphrase is wrong or the key file is damaged."  # noqa: S105


@dataclass(frozen=True)
class PrivateKeyHeader:
    """What a private key file says about itself without the passphrase."""

    suite: StaffKeySuite
    key_id: bytes
    argon2: Argon2Params


def _derive_file_key(passphrase: str, salt: bytes, params: Argon2Params) -> bytes:
    # NFC so that the same passphrase typed on different systems gives the same bytes.
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    kdf = Argon2id(
        salt=salt,
        length=32,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_cost_kib,
    )
    return kdf.derive(secret)


def write_private_key_file(
    path: Path, key: StaffPrivateKey, passphrase: str, params: Argon2Params = DEFAULT_ARGON2
) -> None:
    """Encrypt `key` under `passphrase` and create `path` (mode 0600, atomic, never overwrites).

    Raises `KeyFileError` if `path` exists or cannot be written.
    """
    if path.exists() or path.is_symlink():
        raise KeyFileError(f"{path} already exists; key files are never overwritten.")
    if not params.at_most(MAXIMUM_ARGON2):
        raise KeyFileError(_too_costly(path))
    salt = secrets.token_bytes(_SALT_LENGTH)
    nonce = secrets.token_bytes(_NONCE_LENGTH)
    header = _HEADER.pack(
        _PRIVATE_MAGIC,
        _PRIVATE_VERSION,
        key.suite,
        key.key_id,
        params.memory_cost_kib,
        params.iterations,
        params.lanes,
        salt,
        nonce,
    )
    file_key = _derive_file_key(passphrase, salt, params)
    ciphertext = ChaCha20Poly1305(file_key).encrypt(nonce, key.private_bytes(), header)
    _create(path, header + ciphertext)


def _too_costly(path: Path) -> str:
    return (
        f"{path} is refused: its Argon2 parameters are not valid (above the accepted"
        f" maximum of {MAXIMUM_ARGON2.describe()})."
    )


def _read_private_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"Cannot read {path}: {exc.strerror or 'unknown error'}.") from None


def _parse_header(data: bytes, path: Path) -> tuple[PrivateKeyHeader, bytes, bytes, bytes]:
    """Header, its bytes, salt and nonce; checks everything that needs no passphrase."""
    not_ours = KeyFileError(f"{path} is not an OCLEP private key file.")
    if len(data) < _HEADER.size or not data.startswith(_PRIVATE_MAGIC):
        raise not_ours
    _magic, version, suite_id, key_id, memory, iterations, lanes, salt, nonce = _HEADER.unpack_from(
        data
    )
    if version != _PRIVATE_VERSION:
        raise KeyFileError(
            f"{path} is a private key file of format version {version}, which this version"
            " of oclep-admin cannot read."
        )
    try:
        suite = StaffKeySuite(suite_id)
    except ValueError:
        raise KeyFileError(f"{path} uses an unknown key suite.") from None
    params = Argon2Params(memory_cost_kib=memory, iterations=iterations, lanes=lanes)
    if not params.at_most(MAXIMUM_ARGON2):
        raise KeyFileError(_too_costly(path))
    if not (lanes >= 1 and memory >= 8 * lanes and iterations >= 1):
        raise KeyFileError(f"{path} is damaged: its Argon2 parameters are not valid.")
    if len(data) != _HEADER.size + _PRIVATE_LENGTHS[suite] + _TAG_LENGTH:
        raise KeyFileError(f"{path} is damaged: it has the wrong length.")
    header = PrivateKeyHeader(suite=suite, key_id=key_id, argon2=params)
    return header, data[: _HEADER.size], salt, nonce


def read_private_key_header(path: Path) -> PrivateKeyHeader:
    """Parse only the header of a private key file; raises `KeyFileError` if it is not one."""
    header, _, _, _ = _parse_header(_read_private_bytes(path), path)
    return header


def read_private_key_file(
    path: Path, passphrase: str, minimum: Argon2Params = MINIMUM_ARGON2
) -> StaffPrivateKey:
    """Decrypt a private key file.

    Raises `KeyFileError`: not a private key file; parameters weaker than `minimum`
    ("re-create it"); or "The passphrase is wrong or the key file is damaged."
    """
    data = _read_private_bytes(path)
    header, header_bytes, salt, nonce = _parse_header(data, path)
    if not header.argon2.at_least(minimum):
        raise KeyFileError(
            f"{path} uses Argon2 parameters weaker than {minimum.describe()}; re-create it"
            " with `oclep-admin keys init`."
        )
    file_key = _derive_file_key(passphrase, salt, header.argon2)
    try:
        raw = ChaCha20Poly1305(file_key).decrypt(nonce, data[_HEADER.size :], header_bytes)
        key = StaffPrivateKey(header.suite, raw)
    except (InvalidTag, ValueError):
        raise KeyFileError(_WRONG_PASSPHRASE) from None
    if key.key_id != header.key_id:
        raise KeyFileError(_WRONG_PASSPHRASE)
    return key


def is_private_key_file(path: Path) -> bool:
    """True if the file starts with the private key file magic (no passphrase needed)."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(_PRIVATE_MAGIC)) == _PRIVATE_MAGIC
    except OSError:
        return False
