"""The server's master secret and what it derives: pseudonyms, draft sealing, receipt hashes."""

from __future__ import annotations

import errno
import hmac
import os
import secrets
import stat
from enum import Enum
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from storage.kdf import hkdf_sha256
from storage.receipts import normalize_receipt, receipt_digits
from storage.secure_files import (
    PRIVATE_DIR_MODE,
    FileExistsRefused,
    is_private_mode,
    write_new_private_file,
)

SECRET_LENGTH = 32
_DRAFT_FORMAT = b"\x01"
_NONCE_LENGTH = 12


class ServerSecretError(Exception):
    """The server secret file cannot be used; the message is one sentence for the operator."""


class DraftSealError(Exception):
    """Server-sealed draft state cannot be opened. Deliberately says nothing about why."""

    def __init__(self) -> None:
        super().__init__("The draft state cannot be opened.")


class Purpose(Enum):
    """Why a pseudonym is computed; each purpose gives unrelated pseudonyms for one user."""

    DRAFT = b"draft"
    RATE = b"rate"


class ServerSecret:
    """The 32-byte master secret, with HKDF subkeys for each use."""

    __slots__ = ("_draft_aead", "_pepper", "_receipt_key")

    def __init__(self, master: bytes) -> None:
        """Derive the subkeys; raises `ValueError` unless `master` is 32 bytes."""
        if len(master) != SECRET_LENGTH:
            raise ValueError(f"the server secret is {SECRET_LENGTH} bytes")
        self._pepper = hkdf_sha256(master, b"oclep pseudonym pepper")
        self._draft_aead = ChaCha20Poly1305(hkdf_sha256(master, b"oclep draft key"))
        self._receipt_key = hkdf_sha256(master, b"oclep receipt key")

    def __repr__(self) -> str:
        return "ServerSecret(<hidden>)"

    @classmethod
    def load(cls, path: Path) -> ServerSecret:
        """Read an existing secret file; never create one (staff tools: a new secret would
        open none of the drafts). `FileNotFoundError` when there is none."""
        try:
            return cls(_read_secret_file(path))
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise ServerSecretError(_os_sentence("read", path, exc)) from None

    @classmethod
    def load_or_create(cls, path: Path) -> ServerSecret:
        """Read the secret file, or create it (mode 0600, parent 0700, atomic) if missing.

        Raises `ServerSecretError` for a file of the wrong size or readable by group/others.
        """
        try:
            return cls.load(path)
        except FileNotFoundError:
            pass
        try:
            path.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
            write_new_private_file(path, secrets.token_bytes(SECRET_LENGTH))
        except FileExistsRefused:
            pass  # another worker created it first: use theirs
        except OSError as exc:
            raise ServerSecretError(_os_sentence("create", path, exc)) from None
        try:
            return cls.load(path)
        except FileNotFoundError as exc:  # removed again at once
            raise ServerSecretError(_os_sentence("read", path, exc)) from None

    def pseudonym(self, purpose: Purpose, user_id: int) -> bytes:
        """HMAC-SHA256(pepper, purpose ‖ user id as signed 8-byte big-endian): 32 bytes."""
        # The user id has a fixed width at the end, so purposes of any length cannot collide.
        message = purpose.value + user_id.to_bytes(8, "big", signed=True)
        return hmac.digest(self._pepper, message, "sha256")

    def seal_draft(self, plaintext: bytes, associated: bytes) -> bytes:
        """Encrypt draft state (routing answers, current chain key) with a random nonce.

        Layout: format byte ‖ nonce (12) ‖ ChaCha20-Poly1305 ciphertext; `associated` (e.g. the
        draft's pseudonym and submission id) must be given again to open it.
        """
        nonce = secrets.token_bytes(_NONCE_LENGTH)
        sealed = self._draft_aead.encrypt(nonce, plaintext, _DRAFT_FORMAT + associated)
        return _DRAFT_FORMAT + nonce + sealed

    def open_draft(self, blob: bytes, associated: bytes) -> bytes:
        """Inverse of `seal_draft`; raises `DraftSealError` on any failure."""
        blob = bytes(blob)
        if not blob.startswith(_DRAFT_FORMAT):
            raise DraftSealError
        nonce, sealed = blob[1 : 1 + _NONCE_LENGTH], blob[1 + _NONCE_LENGTH :]
        try:
            return self._draft_aead.decrypt(nonce, sealed, _DRAFT_FORMAT + associated)
        except (InvalidTag, ValueError):
            raise DraftSealError from None

    def receipt_hash(self, receipt: str) -> bytes:
        """HMAC-SHA256(receipt key, normalized receipt): what is stored, never the receipt.

        Raises `ValueError` if `receipt` does not normalize (callers normalize first).
        """
        canonical = normalize_receipt(receipt)
        if canonical is None:
            raise ValueError("not a receipt")
        return hmac.digest(self._receipt_key, receipt_digits(canonical).encode("ascii"), "sha256")


def _read_secret_file(path: Path) -> bytes:
    try:
        # O_NOFOLLOW: a symbolic link planted at the path is refused, not followed.
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ServerSecretError(
                f"The server secret {path} is a symbolic link; point "
                "OCLEP_SERVER_SECRET_FILE at the real file."
            ) from None
        raise
    try:
        # Checked on the open descriptor, so the file cannot be swapped between check and read.
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise ServerSecretError(f"The server secret {path} is not a regular file.")
        if status.st_uid != os.geteuid():
            raise ServerSecretError(
                f"The server secret {path} belongs to another user; it must belong to the "
                "user the bot runs as."
            )
        if not is_private_mode(status.st_mode):
            raise ServerSecretError(
                f"The server secret {path} can be read by other users"
                f" (mode {stat.S_IMODE(status.st_mode):04o}); run `chmod 600 {path}`."
            )
        data = os.read(descriptor, SECRET_LENGTH + 1)
    finally:
        os.close(descriptor)
    if len(data) != SECRET_LENGTH:
        raise ServerSecretError(
            f"The server secret {path} must hold exactly {SECRET_LENGTH} bytes but holds"
            f" {'more' if len(data) > SECRET_LENGTH else len(data)}; restore the right file"
            " (a new secret would orphan every draft and receipt)."
        )
    return data


def _os_sentence(action: str, path: Path, exc: OSError) -> str:
    return f"Cannot {action} the server secret {path}: {exc.strerror or 'unknown error'}."
