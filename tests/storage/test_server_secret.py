"""The server secret file: receipt key, check value, and the forward-secure epoch chain."""

from __future__ import annotations

import hmac
import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from storage.kdf import hkdf_sha256
from storage.pseudonyms import Pseudonyms, identity_digest
from storage.server_secret import (
    FILE_LENGTH,
    DraftSealError,
    EpochKeys,
    Purpose,
    ServerSecret,
    ServerSecretError,
    epoch_of,
    next_epoch_key,
)

RECEIPT = "1234 5678 9012 3456"
TODAY = date(2026, 12, 2)


@pytest.fixture
def secret_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "nested" / "server.secret"


@pytest.fixture
def secret(secret_path: Path) -> ServerSecret:
    return ServerSecret.load_or_create(secret_path, today=TODAY)


def _keys(secret: ServerSecret, day: date = TODAY) -> EpochKeys:
    keys = secret.epoch_keys(epoch_of(day))
    assert keys is not None
    return keys


def test_created_on_first_run_with_private_modes(secret_path: Path) -> None:
    previous = os.umask(0)
    try:
        ServerSecret.load_or_create(secret_path, today=TODAY)
    finally:
        os.umask(previous)
    assert secret_path.stat().st_size == FILE_LENGTH
    assert secret_path.stat().st_mode & 0o777 == 0o600
    assert secret_path.parent.stat().st_mode & 0o777 == 0o700
    assert list(secret_path.parent.iterdir()) == [secret_path]


def test_stable_across_loads(secret_path: Path) -> None:
    first = ServerSecret.load_or_create(secret_path, today=TODAY)
    content = secret_path.read_bytes()
    second = ServerSecret.load_or_create(secret_path, today=TODAY + timedelta(days=3))
    assert secret_path.read_bytes() == content
    assert first.check_value() == second.check_value()
    later = TODAY + timedelta(days=2)
    assert _keys(first, later).pseudonym(Purpose.DRAFT, b"x") == _keys(second, later).pseudonym(
        Purpose.DRAFT, b"x"
    )


def test_new_secrets_differ(tmp_path: Path) -> None:
    first = ServerSecret.load_or_create(tmp_path / "a", today=TODAY)
    second = ServerSecret.load_or_create(tmp_path / "b", today=TODAY)
    assert first.check_value() != second.check_value()
    assert _keys(first).pseudonym(Purpose.DRAFT, b"x") != _keys(second).pseudonym(
        Purpose.DRAFT, b"x"
    )


def test_pseudonyms_differ_by_purpose_user_and_epoch(secret: ServerSecret) -> None:
    identities = [b"a" * 32, b"b" * 32]
    days = [TODAY, TODAY + timedelta(days=1)]
    values = {
        _keys(secret, day).pseudonym(purpose, identity)
        for purpose in Purpose
        for identity in identities
        for day in days
    }
    assert len(values) == len(Purpose) * len(identities) * len(days)


def test_pseudonym_does_not_contain_the_user_id(secret: ServerSecret) -> None:
    user_id = 123456789
    pseudonyms = Pseudonyms(secret, draft_ttl_days=30, clock=lambda: TODAY)
    for pseudonym, _ in pseudonyms.draft_key(user_id).candidates:
        assert user_id.to_bytes(8, "big") not in pseudonym
        assert str(user_id).encode() not in pseudonym


def test_the_chain_moves_forward_only_and_erases_what_it_leaves(secret_path: Path) -> None:
    secret = ServerSecret.load_or_create(secret_path, today=TODAY)
    start = epoch_of(TODAY)
    old_file = secret_path.read_bytes()
    first_key = old_file[-8 - 32 : -8]
    week_later = TODAY + timedelta(days=7)
    kept = _keys(secret, week_later).pseudonym(Purpose.DRAFT, b"x")
    assert secret.forget_before(start + 5)
    secret.save()
    new_file = secret_path.read_bytes()
    # The file holds the key five steps on, and not the first one.
    expected = first_key
    for _ in range(5):
        expected = next_epoch_key(expected)
    assert new_file[-8 - 32 : -8] == expected
    assert first_key not in new_file
    reloaded = ServerSecret.load(secret_path)
    assert reloaded.epoch_keys(start + 4) is None
    assert reloaded.epoch_keys(start) is None
    assert _keys(reloaded, week_later).pseudonym(Purpose.DRAFT, b"x") == kept
    # Moving back is a no-op.
    assert not reloaded.forget_before(start)
    # No temporary file is left beside it.
    assert sorted(p.name for p in secret_path.parent.iterdir()) == [secret_path.name]


def test_rotation_keeps_the_draft_lifetime_plus_one_day(secret_path: Path) -> None:
    secret = ServerSecret.load_or_create(secret_path, today=TODAY)
    today = [TODAY]
    pseudonyms = Pseudonyms(secret, draft_ttl_days=30, clock=lambda: today[0])
    assert not pseudonyms.rotate()  # nothing to erase on the first day
    assert len(pseudonyms.retained_epochs()) == 1
    today[0] = TODAY + timedelta(days=40)
    assert len(pseudonyms.retained_epochs()) == 32  # today and the 31 days before
    assert pseudonyms.rotate()
    assert ServerSecret.load(secret_path).oldest_epoch == epoch_of(today[0]) - 31
    assert len(pseudonyms.retained_epochs()) == 32
    assert not pseudonyms.rotate()


def test_unwritable_secret_folder_stops_rotation_with_one_sentence(secret_path: Path) -> None:
    secret = ServerSecret.load_or_create(secret_path, today=TODAY)
    secret_path.parent.chmod(0o500)
    try:
        secret.forget_before(epoch_of(TODAY) + 1)
        if os.geteuid() == 0:  # root writes anyway: make the write fail another way
            secret.path = secret_path.parent / "missing" / "server.secret"
        with pytest.raises(ServerSecretError, match="erase old keys"):
            secret.save()
    finally:
        secret_path.parent.chmod(0o700)


@pytest.mark.parametrize("size", [0, 16, 31, 33, 64, FILE_LENGTH - 1, FILE_LENGTH + 1])
def test_wrong_size_file_is_refused(tmp_path: Path, size: int) -> None:
    path = tmp_path / "server.secret"
    path.write_bytes(b"\x07" * size)
    path.chmod(0o600)
    with pytest.raises(ServerSecretError, match="not a server secret file"):
        ServerSecret.load_or_create(path)
    assert path.read_bytes() == b"\x07" * size  # never replaced


def test_damaged_file_is_refused(secret_path: Path) -> None:
    ServerSecret.load_or_create(secret_path, today=TODAY)
    content = bytearray(secret_path.read_bytes())
    content[40] ^= 0x01
    secret_path.write_bytes(bytes(content))
    with pytest.raises(ServerSecretError, match="damaged"):
        ServerSecret.load(secret_path)


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


def test_keys_must_be_32_bytes() -> None:
    with pytest.raises(ValueError):
        ServerSecret(receipt_key=b"short", root=b"r" * 32, oldest_epoch=1, oldest_key=b"k" * 32)


def test_repr_hides_the_secret(secret: ServerSecret, secret_path: Path) -> None:
    content = secret_path.read_bytes()
    for shown in (repr(secret), repr(_keys(secret))):
        assert content[13:45].hex() not in shown and content[-40:-8].hex() not in shown


def test_draft_round_trip_and_fresh_nonces(secret: ServerSecret) -> None:
    keys = _keys(secret)
    first = keys.seal_draft(b"routing answers", b"draft-pseudonym")
    second = keys.seal_draft(b"routing answers", b"draft-pseudonym")
    assert first != second
    assert b"routing answers" not in first
    assert keys.open_draft(first, b"draft-pseudonym") == b"routing answers"


def test_draft_is_bound_to_its_associated_data_and_epoch(secret: ServerSecret) -> None:
    blob = _keys(secret).seal_draft(b"state", b"draft-a")
    with pytest.raises(DraftSealError):
        _keys(secret).open_draft(blob, b"draft-b")
    with pytest.raises(DraftSealError):
        _keys(secret, TODAY + timedelta(days=1)).open_draft(blob, b"draft-a")


def test_every_flipped_byte_of_a_draft_fails(secret: ServerSecret) -> None:
    keys = _keys(secret)
    blob = keys.seal_draft(b"state", b"ad")
    for index in range(len(blob)):
        damaged = bytearray(blob)
        damaged[index] ^= 0x01
        with pytest.raises(DraftSealError):
            keys.open_draft(bytes(damaged), b"ad")
    for broken in (b"", blob[:1], blob[:13], blob[:-1], blob + b"\x00"):
        with pytest.raises(DraftSealError):
            keys.open_draft(broken, b"ad")


def test_another_secret_cannot_open_a_draft(secret: ServerSecret) -> None:
    other = ServerSecret.generate(TODAY)
    with pytest.raises(DraftSealError):
        _keys(other).open_draft(_keys(secret).seal_draft(b"state", b"ad"), b"ad")


def test_receipt_hash_is_keyed_and_format_independent(secret: ServerSecret) -> None:
    reference = secret.receipt_hash(RECEIPT)
    assert len(reference) == 32
    assert secret.receipt_hash("1234-5678-9012-3456") == reference
    assert secret.receipt_hash("1234567890123456") == reference
    assert secret.receipt_hash("1234 5678 9012 3457") != reference
    assert ServerSecret.generate(TODAY).receipt_hash(RECEIPT) != reference


def test_receipt_hash_refuses_non_receipts(secret: ServerSecret) -> None:
    with pytest.raises(ValueError):
        secret.receipt_hash("12345")


def test_load_reads_the_same_secret_and_never_creates_one(secret_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        ServerSecret.load(secret_path)
    assert not secret_path.parent.exists()  # nothing created, not even the folder
    created = ServerSecret.load_or_create(secret_path, today=TODAY)
    loaded = ServerSecret.load(secret_path)
    assert loaded.check_value() == created.check_value()
    secret_path.chmod(0o644)
    with pytest.raises(ServerSecretError, match="chmod 600"):
        ServerSecret.load(secret_path)


def test_a_format_1_file_keeps_its_receipts_and_loses_its_master_on_save(
    tmp_path: Path,
) -> None:
    path = tmp_path / "server.secret"
    master = os.urandom(32)
    path.write_bytes(master)
    path.chmod(0o600)
    converted = ServerSecret.load(path, today=TODAY)
    assert converted.legacy is not None
    # Receipts handed out under format 1 stay valid: same keyed hash as before.
    receipt_key = hkdf_sha256(master, b"oclep receipt key")
    digits = RECEIPT.replace(" ", "").encode()
    assert converted.receipt_hash(RECEIPT) == hmac.digest(receipt_key, digits, "sha256")
    converted.save()
    assert converted.legacy is None
    written = path.read_bytes()
    assert len(written) == FILE_LENGTH and master not in written
    assert hkdf_sha256(master, b"oclep draft key") not in written
    assert ServerSecret.load(path).legacy is None


def test_identity_digest_is_salted_and_deterministic() -> None:
    assert identity_digest(b"s" * 16, 42) == identity_digest(b"s" * 16, 42)
    assert identity_digest(b"s" * 16, 42) != identity_digest(b"t" * 16, 42)
    assert identity_digest(b"s" * 16, 42) != identity_digest(b"s" * 16, 43)


def test_a_secret_folder_that_cannot_be_written_is_refused_at_start(secret_path: Path) -> None:
    secret = ServerSecret.load_or_create(secret_path, today=TODAY)
    secret.check_writable()  # the folder the bot created: fine, and nothing left behind
    assert sorted(p.name for p in secret_path.parent.iterdir()) == [secret_path.name]
    secret_path.parent.chmod(0o500)
    try:
        if os.geteuid() == 0:  # root writes anyway: make the folder unusable another way
            secret.path = secret_path.parent / "gone" / "server.secret"
        with pytest.raises(ServerSecretError, match="cannot be written"):
            secret.check_writable()
    finally:
        secret_path.parent.chmod(0o700)
