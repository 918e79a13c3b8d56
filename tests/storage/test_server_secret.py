"""The server secret file and what it derives: pseudonyms, draft sealing, receipt hashes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storage.server_secret import DraftSealError, Purpose, ServerSecret, ServerSecretError

RECEIPT = "1234 5678 9012 3456"


@pytest.fixture
def secret_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "nested" / "server.secret"


@pytest.fixture
def secret(secret_path: Path) -> ServerSecret:
    return ServerSecret.load_or_create(secret_path)


def test_created_on_first_run_with_private_modes(secret_path: Path) -> None:
    previous = os.umask(0)
    try:
        ServerSecret.load_or_create(secret_path)
    finally:
        os.umask(previous)
    assert secret_path.stat().st_size == 32
    assert secret_path.stat().st_mode & 0o777 == 0o600
    assert secret_path.parent.stat().st_mode & 0o777 == 0o700
    assert list(secret_path.parent.iterdir()) == [secret_path]


def test_stable_across_loads(secret_path: Path) -> None:
    first = ServerSecret.load_or_create(secret_path)
    content = secret_path.read_bytes()
    second = ServerSecret.load_or_create(secret_path)
    assert secret_path.read_bytes() == content
    assert first.pseudonym(Purpose.DRAFT, 42) == second.pseudonym(Purpose.DRAFT, 42)
    assert first.receipt_hash(RECEIPT) == second.receipt_hash(RECEIPT)
    assert second.open_draft(first.seal_draft(b"state", b"ad"), b"ad") == b"state"


def test_new_secrets_differ(tmp_path: Path) -> None:
    first = ServerSecret.load_or_create(tmp_path / "a")
    second = ServerSecret.load_or_create(tmp_path / "b")
    assert first.pseudonym(Purpose.DRAFT, 42) != second.pseudonym(Purpose.DRAFT, 42)


def test_pseudonyms_differ_by_purpose_and_by_user(secret: ServerSecret) -> None:
    user_ids = [1, 2, 777000, 5_000_000_001, 2**52, -1001234567890]
    values = {secret.pseudonym(purpose, user_id) for purpose in Purpose for user_id in user_ids}
    assert len(values) == len(Purpose) * len(user_ids)
    assert all(len(value) == 32 for value in values)
    assert secret.pseudonym(Purpose.RATE, 9) == secret.pseudonym(Purpose.RATE, 9)


def test_pseudonym_does_not_contain_the_user_id(secret: ServerSecret) -> None:
    user_id = 123456789
    pseudonym = secret.pseudonym(Purpose.DRAFT, user_id)
    assert user_id.to_bytes(8, "big") not in pseudonym
    assert str(user_id).encode() not in pseudonym


@pytest.mark.parametrize("size", [0, 16, 31, 33, 64])
def test_wrong_size_file_is_refused(tmp_path: Path, size: int) -> None:
    path = tmp_path / "server.secret"
    path.write_bytes(b"\x07" * size)
    path.chmod(0o600)
    with pytest.raises(ServerSecretError, match="must hold exactly 32 bytes"):
        ServerSecret.load_or_create(path)
    assert path.read_bytes() == b"\x07" * size  # never replaced


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660])
def test_file_readable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "server.secret"
    path.write_bytes(os.urandom(32))
    path.chmod(mode)
    with pytest.raises(ServerSecretError, match="chmod 600"):
        ServerSecret.load_or_create(path)


def test_directory_in_place_of_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "server.secret"
    path.mkdir(mode=0o700)
    with pytest.raises(ServerSecretError, match="not a regular file"):
        ServerSecret.load_or_create(path)


def test_master_must_be_32_bytes() -> None:
    with pytest.raises(ValueError):
        ServerSecret(b"short")


def test_repr_hides_the_secret(secret: ServerSecret, secret_path: Path) -> None:
    assert secret_path.read_bytes().hex() not in repr(secret)


def test_draft_round_trip_and_fresh_nonces(secret: ServerSecret) -> None:
    first = secret.seal_draft(b"routing answers", b"draft-pseudonym")
    second = secret.seal_draft(b"routing answers", b"draft-pseudonym")
    assert first != second
    assert b"routing answers" not in first
    assert secret.open_draft(first, b"draft-pseudonym") == b"routing answers"


def test_draft_is_bound_to_its_associated_data(secret: ServerSecret) -> None:
    blob = secret.seal_draft(b"chain key", b"draft-a")
    with pytest.raises(DraftSealError):
        secret.open_draft(blob, b"draft-b")


def test_every_flipped_byte_of_a_draft_fails(secret: ServerSecret) -> None:
    blob = secret.seal_draft(b"chain key", b"ad")
    for index in range(len(blob)):
        damaged = bytearray(blob)
        damaged[index] ^= 0x01
        with pytest.raises(DraftSealError):
            secret.open_draft(bytes(damaged), b"ad")
    for broken in (b"", blob[:1], blob[:13], blob[:-1], blob + b"\x00"):
        with pytest.raises(DraftSealError):
            secret.open_draft(broken, b"ad")


def test_another_secret_cannot_open_a_draft(secret: ServerSecret) -> None:
    other = ServerSecret(os.urandom(32))
    with pytest.raises(DraftSealError):
        other.open_draft(secret.seal_draft(b"state", b"ad"), b"ad")


def test_receipt_hash_is_keyed_and_format_independent(secret: ServerSecret) -> None:
    reference = secret.receipt_hash(RECEIPT)
    assert len(reference) == 32
    assert secret.receipt_hash("1234-5678-9012-3456") == reference
    assert secret.receipt_hash("1234567890123456") == reference
    assert secret.receipt_hash("1234 5678 9012 3457") != reference
    assert ServerSecret(os.urandom(32)).receipt_hash(RECEIPT) != reference


def test_receipt_hash_refuses_non_receipts(secret: ServerSecret) -> None:
    with pytest.raises(ValueError):
        secret.receipt_hash("12345")


def test_load_reads_the_same_secret_and_never_creates_one(secret_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        ServerSecret.load(secret_path)
    assert not secret_path.parent.exists()  # nothing created, not even the folder
    created = ServerSecret.load_or_create(secret_path)
    loaded = ServerSecret.load(secret_path)
    assert loaded.pseudonym(Purpose.DRAFT, 42) == created.pseudonym(Purpose.DRAFT, 42)
    secret_path.chmod(0o644)
    with pytest.raises(ServerSecretError, match="chmod 600"):
        ServerSecret.load(secret_path)
