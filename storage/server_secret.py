"""The server's secret file: receipt key, check value and the forward-secure chain of epoch keys.

Nothing here opens an answer: answers are sealed to the staff public key (storage/envelope.py).
What the secret protects is the link between a Telegram account and its open draft (the
pseudonym) and the routing answers inside that draft. Both are keyed per **epoch** (one UTC
day): epoch e+1's key is HKDF(epoch e's key), a one-way step, and the file keeps only the
oldest epoch still needed, so once it moves forward the earlier keys are gone from the file
and cannot be derived again. A seizure then opens nothing older than the retained window,
whatever old rows, WAL segments or backups hold (docs/security.md §2.4).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from storage.kdf import hkdf_sha256
from storage.receipts import normalize_receipt, receipt_digits
from storage.secure_files import (
    PRIVATE_DIR_MODE,
    PRIVATE_FILE_MODE,
    FileExistsRefused,
    is_private_mode,
    write_new_private_file,
)

KEY_LENGTH: Final = 32
LEGACY_SECRET_LENGTH: Final = 32  # format 1: one raw master key
MAGIC: Final = b"OCLEP-SECRET"
FILE_FORMAT: Final = 2
# magic ‖ format ‖ receipt key ‖ root ‖ oldest epoch (4 bytes) ‖ its key ‖ checksum (8 bytes)
FILE_LENGTH: Final = len(MAGIC) + 1 + KEY_LENGTH * 3 + 4 + 8
_DRAFT_FORMAT: Final = b"\x02"
_NONCE_LENGTH: Final = 12
_CHECK_LABEL: Final = b"oclep server secret check v2"
_ACCESS_CODE_LABEL: Final = b"oclep access code key"
_GRANT_TOKEN_LABEL: Final = b"oclep access grant token key"


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


def epoch_of(day: date) -> int:
    """The epoch of a UTC day: its proleptic Gregorian ordinal (one epoch a day)."""
    return day.toordinal()


def next_epoch_key(key: bytes) -> bytes:
    """HKDF-SHA256(key, "oclep next epoch"): the one-way step from one epoch to the next."""
    return hkdf_sha256(key, b"oclep next epoch")


class EpochKeys:
    """The keys of one epoch: pseudonym peppers and the draft sealing key."""

    __slots__ = ("_draft_aead", "_peppers", "epoch")

    def __init__(self, epoch: int, key: bytes) -> None:
        self.epoch = epoch
        self._peppers = {
            Purpose.DRAFT: hkdf_sha256(key, b"oclep pseudonym pepper"),
            Purpose.RATE: hkdf_sha256(key, b"oclep rate pepper"),
        }
        self._draft_aead = ChaCha20Poly1305(hkdf_sha256(key, b"oclep draft key"))

    def __repr__(self) -> str:
        return f"EpochKeys({self.epoch}, <hidden>)"

    def pseudonym(self, purpose: Purpose, identity: bytes) -> bytes:
        """HMAC-SHA256(pepper of this epoch and purpose, identity digest): 32 bytes."""
        return hmac.digest(self._peppers[purpose], identity, "sha256")

    def seal_draft(self, plaintext: bytes, associated: bytes) -> bytes:
        """Encrypt draft state (routing answers) with a random nonce under this epoch's key.

        Layout: format byte ‖ nonce (12) ‖ ChaCha20-Poly1305 ciphertext; `associated` (the
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


@dataclass(frozen=True)
class LegacyKeys:
    """The keys of a format 1 secret file (one master key), kept in memory only while the
    drafts it sealed are closed; the converted file no longer holds them."""

    draft_key: bytes

    def __repr__(self) -> str:
        return "LegacyKeys(<hidden>)"


class ServerSecret:
    """The server secret: a fixed receipt key and root, and the chain of epoch keys.

    `root` never derives an epoch key: it gives the check value stored in the database (a
    wrong secret file is refused at start) and the salt of the memory-hard identity digest
    (storage/pseudonyms.py). The chain is held as its oldest retained epoch and key; later
    epochs are derived forward on demand.
    """

    __slots__ = (
        "_access_code_key",
        "_cache",
        "_grant_token_key",
        "_oldest_epoch",
        "_oldest_key",
        "_receipt_key",
        "_root",
        "legacy",
        "path",
    )

    def __init__(
        self,
        *,
        receipt_key: bytes,
        root: bytes,
        oldest_epoch: int,
        oldest_key: bytes,
        path: Path | None = None,
        legacy: LegacyKeys | None = None,
    ) -> None:
        for value in (receipt_key, root, oldest_key):
            if len(value) != KEY_LENGTH:
                raise ValueError(f"server secret keys are {KEY_LENGTH} bytes")
        self._receipt_key = receipt_key
        self._root = root
        # Fixed, like the receipt key: a code staff handed out must keep opening its
        # questionnaire whatever epochs have been erased since.
        self._access_code_key = hkdf_sha256(root, _ACCESS_CODE_LABEL)
        self._grant_token_key = hkdf_sha256(root, _GRANT_TOKEN_LABEL)
        self._oldest_epoch = oldest_epoch
        self._oldest_key = oldest_key
        # epoch -> (chain key, its subkeys), for epochs derived so far (never written).
        self._cache: dict[int, tuple[bytes, EpochKeys]] = {}
        self.path = path
        self.legacy = legacy

    def __repr__(self) -> str:
        return "ServerSecret(<hidden>)"

    @classmethod
    def generate(cls, today: date, path: Path | None = None) -> ServerSecret:
        """A new secret whose chain starts today, with random keys."""
        return cls(
            receipt_key=secrets.token_bytes(KEY_LENGTH),
            root=secrets.token_bytes(KEY_LENGTH),
            oldest_epoch=epoch_of(today),
            oldest_key=secrets.token_bytes(KEY_LENGTH),
            path=path,
        )

    # --- the file ---

    @classmethod
    def load(cls, path: Path, *, today: date | None = None) -> ServerSecret:
        """Read an existing secret file; never create one. `FileNotFoundError` when there is
        none. A format 1 file (32 raw bytes) is converted in memory: its receipt key is kept,
        a new chain starts today, and its old keys are kept only in `legacy`, to close the
        drafts they sealed; `save` then writes the file without them."""
        try:
            data = _read_secret_file(path)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise ServerSecretError(_os_sentence("read", path, exc)) from None
        if len(data) == LEGACY_SECRET_LENGTH:
            return cls._from_legacy(data, today or _utc_today(), path)
        return cls._parse(data, path)

    @classmethod
    def load_or_create(cls, path: Path, *, today: date | None = None) -> ServerSecret:
        """Read the secret file, or create it (mode 0600, parent 0700, atomic) if missing.

        Raises `ServerSecretError` for a damaged file or one readable by group/others.
        """
        try:
            return cls.load(path, today=today)
        except FileNotFoundError:
            pass
        try:
            path.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
            write_new_private_file(path, cls.generate(today or _utc_today())._serialized())
        except FileExistsRefused:
            pass  # another worker created it first: use theirs
        except OSError as exc:
            raise ServerSecretError(_os_sentence("create", path, exc)) from None
        try:
            return cls.load(path, today=today)
        except FileNotFoundError as exc:  # removed again at once
            raise ServerSecretError(_os_sentence("read", path, exc)) from None

    @classmethod
    def _from_legacy(cls, master: bytes, today: date, path: Path) -> ServerSecret:
        legacy = LegacyKeys(draft_key=hkdf_sha256(master, b"oclep draft key"))
        fresh = cls.generate(today, path)
        return cls(
            # Receipts already handed out must keep working for withdrawal.
            receipt_key=hkdf_sha256(master, b"oclep receipt key"),
            root=fresh._root,
            oldest_epoch=fresh._oldest_epoch,
            oldest_key=fresh._oldest_key,
            path=path,
            legacy=legacy,
        )

    @classmethod
    def _parse(cls, data: bytes, path: Path) -> ServerSecret:
        body, checksum = data[:-8], data[-8:]
        if (
            len(data) != FILE_LENGTH
            or not data.startswith(MAGIC)
            or data[len(MAGIC)] != FILE_FORMAT
            or not hmac.compare_digest(hashlib.sha256(body).digest()[:8], checksum)
        ):
            raise ServerSecretError(
                f"The server secret {path} is damaged or not a server secret file; restore "
                "it from its backup (a new secret would orphan every open draft and receipt)."
            )
        at = len(MAGIC) + 1
        receipt_key, root = body[at : at + KEY_LENGTH], body[at + KEY_LENGTH : at + 2 * KEY_LENGTH]
        at += 2 * KEY_LENGTH
        oldest_epoch = int.from_bytes(body[at : at + 4], "big")
        oldest_key = body[at + 4 : at + 4 + KEY_LENGTH]
        return cls(
            receipt_key=receipt_key,
            root=root,
            oldest_epoch=oldest_epoch,
            oldest_key=oldest_key,
            path=path,
        )

    def _serialized(self) -> bytes:
        body = (
            MAGIC
            + bytes([FILE_FORMAT])
            + self._receipt_key
            + self._root
            + self._oldest_epoch.to_bytes(4, "big")
            + self._oldest_key
        )
        return body + hashlib.sha256(body).digest()[:8]

    def save(self) -> None:
        """Rewrite the file atomically (new file, fsync, rename, fsync of the folder), so the
        erased keys are not in it; `legacy` keys are never written."""
        if self.path is None:
            return
        try:
            _replace_private_file(self.path, self._serialized())
        except OSError as exc:
            raise ServerSecretError(
                f"Cannot rewrite the server secret {self.path} to erase old keys: "
                f"{exc.strerror or 'unknown error'}; the bot needs write access to it and its "
                "folder."
            ) from None
        self.legacy = None

    def check_writable(self) -> None:
        """Refuse, with one sentence, a secret whose folder the bot cannot write: it could
        not erase old epoch keys when they leave the retained window (checked at start, not
        the day the first key is due)."""
        if self.path is None:
            return
        probe = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.probe")
        try:
            os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
            os.unlink(probe)
        except OSError as exc:
            raise ServerSecretError(
                f"The folder of the server secret {self.path} cannot be written "
                f"({exc.strerror or 'unknown error'}); the bot rewrites the file to erase old "
                "keys, so give its user write access to that folder."
            ) from None

    # --- the epoch chain ---

    @property
    def oldest_epoch(self) -> int:
        return self._oldest_epoch

    def forget_before(self, epoch: int) -> bool:
        """Move the chain's start forward to `epoch`, erasing every earlier key from memory
        (the caller then `save`s the file). True if anything was erased."""
        if epoch <= self._oldest_epoch:
            return False
        key = self._oldest_key
        for _ in range(epoch - self._oldest_epoch):
            key = next_epoch_key(key)
        self._oldest_epoch, self._oldest_key = epoch, key
        self._cache = {e: keys for e, keys in self._cache.items() if e >= epoch}
        return True

    def epoch_keys(self, epoch: int) -> EpochKeys | None:
        """The keys of `epoch`, or None if it is before the retained chain."""
        if epoch < self._oldest_epoch:
            return None
        known = self._cache.get(epoch)
        if known is not None:
            return known[1]
        # Derive forward from the nearest known epoch below (or the oldest).
        start_epoch, key = self._oldest_epoch, self._oldest_key
        below = [e for e in self._cache if e < epoch]
        if below:
            start_epoch = max(below)
            key = self._cache[start_epoch][0]
        for _ in range(epoch - start_epoch):
            key = next_epoch_key(key)
        keys = EpochKeys(epoch, key)
        self._cache[epoch] = (key, keys)
        return keys

    # --- fixed keys ---

    def check_value(self) -> bytes:
        """HMAC-SHA256(root, label): stored in the database at first start, so a different
        secret file is refused loudly instead of silently orphaning every draft and receipt."""
        return hmac.digest(self._root, _CHECK_LABEL, "sha256")

    def identity_salt(self) -> bytes:
        """The salt of the memory-hard identity digest: unique to this server, fixed."""
        return hkdf_sha256(self._root, b"oclep identity salt")[:16]

    def pacing_tag_key(self) -> bytes:
        """The key of the 16-bit chat tags that bot workers share flood limits under
        (storage/shared_pacing.py): without it a tag cannot be computed from an id."""
        return hkdf_sha256(self._root, b"oclep pacing tags")

    def update_digest(self, update_id: int) -> bytes:
        """HMAC-SHA256 of a Telegram update id under a key of its own: what is stored of the
        update that started a questionnaire, never the id."""
        key = hkdf_sha256(self._root, b"oclep started update")
        return hmac.digest(key, str(update_id).encode("ascii"), "sha256")

    def receipt_hash(self, receipt: str) -> bytes:
        """HMAC-SHA256(receipt key, normalized receipt): what is stored, never the receipt.

        Raises `ValueError` if `receipt` does not normalize (callers normalize first).
        """
        canonical = normalize_receipt(receipt)
        if canonical is None:
            raise ValueError("not a receipt")
        return hmac.digest(self._receipt_key, receipt_digits(canonical).encode("ascii"), "sha256")

    def access_code_hash(self, code: str) -> bytes:
        """HMAC-SHA256(access code key, code): what is stored of a deep-link code, never it.

        Codes are compared exactly (Telegram passes the deep-link payload as it was written).
        """
        return hmac.digest(self._access_code_key, code.encode("ascii"), "sha256")

    def grant_token_mac(self, short_id: str) -> bytes:
        """HMAC-SHA256(grant token key, short id): authenticates a token that names a
        registered code by its short id (what the bot's buttons carry instead of the code)."""
        return hmac.digest(self._grant_token_key, short_id.encode("ascii"), "sha256")


def _utc_today() -> date:
    return datetime.now(UTC).date()


def _replace_private_file(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(
        temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, PRIVATE_FILE_MODE
    )
    try:
        try:
            os.write(descriptor, data)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


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
        data = os.read(descriptor, FILE_LENGTH + 1)
    finally:
        os.close(descriptor)
    if len(data) not in (LEGACY_SECRET_LENGTH, FILE_LENGTH):
        raise ServerSecretError(
            f"The server secret {path} holds {len(data)} bytes, which is not a server secret "
            "file; restore the right file (a new secret would orphan every draft and receipt)."
        )
    return data


def _os_sentence(action: str, path: Path, exc: OSError) -> str:
    return f"Cannot {action} the server secret {path}: {exc.strerror or 'unknown error'}."
