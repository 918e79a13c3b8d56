"""Staff keys: generation, key ids, public and private key files."""

from __future__ import annotations

import base64
import hashlib
import struct
import unicodedata
from pathlib import Path

import pytest

from storage.keys import (
    DEFAULT_ARGON2,
    Argon2Params,
    KeyFileError,
    StaffKeySuite,
    StaffPrivateKey,
    StaffPublicKey,
    format_public_key,
    generate_staff_key,
    is_private_key_file,
    keyring,
    parse_public_key,
    read_private_key_file,
    read_private_key_header,
    read_public_key_file,
    write_private_key_file,
    write_public_key_file,
)

PASSPHRASE = "una frase larga de prueba"
WRONG_PASSPHRASE_MESSAGE = "The passphrase is wrong or the key file is damaged."
# Cheap parameters for the many-derivation tests; reading them needs an explicit lower minimum.
CHEAP = Argon2Params(memory_cost_kib=8 * 1024, iterations=1, lanes=1)


@pytest.fixture(scope="module")
def default_key_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, StaffPrivateKey]:
    """One private key file at the default (64 MiB, t=3) cost, shared by this module."""
    path = tmp_path_factory.mktemp("keys") / "staff.key"
    key = generate_staff_key()
    write_private_key_file(path, key, PASSPHRASE)
    return path, key


@pytest.mark.parametrize("pq", [False, True])
def test_key_id_is_the_labelled_hash_of_suite_and_public_key(pq: bool) -> None:
    key = generate_staff_key(pq=pq)
    public = key.public_key
    expected = hashlib.sha256(b"oclep-staff-key-v1" + bytes([public.suite]) + public.raw).digest()
    assert public.key_id == expected[:8]
    assert key.key_id == public.key_id


def test_suites_and_raw_lengths() -> None:
    classic, hybrid = generate_staff_key(), generate_staff_key(pq=True)
    assert classic.suite is StaffKeySuite.X25519
    assert hybrid.suite is StaffKeySuite.MLKEM768_X25519
    assert len(classic.public_key.raw) == 32
    assert len(hybrid.public_key.raw) == 1184 + 32


@pytest.mark.parametrize("pq", [False, True])
def test_private_key_rebuilds_from_its_bytes(pq: bool) -> None:
    key = generate_staff_key(pq=pq)
    again = StaffPrivateKey(key.suite, key.private_bytes())
    assert again.public_key == key.public_key


def test_keys_differ_and_repr_hides_the_secret() -> None:
    first, second = generate_staff_key(), generate_staff_key()
    assert first.key_id != second.key_id
    assert first.private_bytes().hex() not in repr(first)
    assert first.key_id.hex() in repr(first)


def test_keyring_indexes_by_key_id() -> None:
    keys = [generate_staff_key(), generate_staff_key(pq=True)]
    ring = keyring(keys)
    assert set(ring) == {key.key_id for key in keys}


def test_invalid_raw_public_key_is_refused() -> None:
    with pytest.raises(ValueError):
        StaffPublicKey(StaffKeySuite.X25519, b"\x01" * 31)
    with pytest.raises(ValueError):
        StaffPublicKey(StaffKeySuite.MLKEM768_X25519, b"\x01" * 32)


# --- public key file ---


@pytest.mark.parametrize("pq", [False, True])
def test_public_key_file_round_trip(tmp_path: Path, pq: bool) -> None:
    public = generate_staff_key(pq=pq).public_key
    path = tmp_path / "staff.pub"
    write_public_key_file(path, public)
    assert read_public_key_file(path) == public
    text = path.read_text()
    assert f"suite: {public.suite.label}" in text
    assert f"key_id: {public.key_id.hex()}" in text
    assert path.stat().st_mode & 0o777 == 0o600


def test_public_key_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "staff.pub"
    write_public_key_file(path, generate_staff_key().public_key)
    before = path.read_bytes()
    with pytest.raises(KeyFileError, match="already exists"):
        write_public_key_file(path, generate_staff_key().public_key)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "text",
    ["", "hello", "suite: X25519\nkey_id: 00\nkey: AA==\n", "\x00\x01binary"],
)
def test_text_that_is_not_a_public_key_file_is_refused(text: str) -> None:
    with pytest.raises(KeyFileError, match="is not an OCLEP public key file"):
        parse_public_key(text)


def test_public_key_file_with_wrong_key_id_is_refused() -> None:
    public = generate_staff_key().public_key
    text = format_public_key(public).replace(public.key_id.hex(), "00" * 8)
    with pytest.raises(KeyFileError, match="key_id does not match"):
        parse_public_key(text)


def test_public_key_file_with_damaged_key_is_refused() -> None:
    public = generate_staff_key().public_key
    short = base64.b64encode(public.raw[:-1]).decode()
    text = format_public_key(public).replace(base64.b64encode(public.raw).decode(), short)
    with pytest.raises(KeyFileError, match="damaged"):
        parse_public_key(text)


def test_public_key_file_with_unknown_suite_is_refused() -> None:
    text = format_public_key(generate_staff_key().public_key).replace("X25519", "P-256")
    with pytest.raises(KeyFileError, match="unknown key suite"):
        parse_public_key(text)


# --- private key file ---


def test_private_key_file_round_trip_at_default_cost(
    default_key_file: tuple[Path, StaffPrivateKey],
) -> None:
    path, key = default_key_file
    loaded = read_private_key_file(path, PASSPHRASE)
    assert loaded.public_key == key.public_key
    assert loaded.private_bytes() == key.private_bytes()
    assert path.stat().st_mode & 0o777 == 0o600
    assert key.private_bytes() not in path.read_bytes()


def test_wrong_passphrase_gives_one_clean_sentence(
    default_key_file: tuple[Path, StaffPrivateKey],
) -> None:
    path, _ = default_key_file
    with pytest.raises(KeyFileError) as caught:
        read_private_key_file(path, PASSPHRASE + "!")
    assert str(caught.value) == WRONG_PASSPHRASE_MESSAGE
    assert caught.value.__cause__ is None


def test_header_is_readable_without_passphrase(
    default_key_file: tuple[Path, StaffPrivateKey],
) -> None:
    path, key = default_key_file
    header = read_private_key_header(path)
    assert header.suite is key.suite
    assert header.key_id == key.key_id
    assert header.argon2 == DEFAULT_ARGON2
    assert DEFAULT_ARGON2.memory_cost_kib >= 64 * 1024 and DEFAULT_ARGON2.iterations >= 3
    assert is_private_key_file(path)


def test_private_key_file_is_never_overwritten(
    default_key_file: tuple[Path, StaffPrivateKey],
) -> None:
    path, _ = default_key_file
    before = path.read_bytes()
    with pytest.raises(KeyFileError, match="already exists"):
        write_private_key_file(path, generate_staff_key(), "another passphrase", CHEAP)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "weak",
    [
        Argon2Params(memory_cost_kib=8 * 1024, iterations=3, lanes=4),
        Argon2Params(memory_cost_kib=64 * 1024, iterations=2, lanes=4),
    ],
)
def test_weak_argon2_parameters_are_refused_by_default(tmp_path: Path, weak: Argon2Params) -> None:
    path = tmp_path / "weak.key"
    write_private_key_file(path, generate_staff_key(), PASSPHRASE, weak)
    with pytest.raises(KeyFileError, match=r"weaker than 64 MiB, 3 iterations.*re-create it"):
        read_private_key_file(path, PASSPHRASE)


@pytest.mark.parametrize("pq", [False, True])
def test_cheap_file_round_trip_both_suites(tmp_path: Path, pq: bool) -> None:
    key = generate_staff_key(pq=pq)
    path = tmp_path / "staff.key"
    write_private_key_file(path, key, PASSPHRASE, CHEAP)
    assert read_private_key_file(path, PASSPHRASE, minimum=CHEAP).public_key == key.public_key


def test_every_flipped_byte_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "staff.key"
    write_private_key_file(path, generate_staff_key(), PASSPHRASE, CHEAP)
    original = path.read_bytes()
    for index in range(len(original)):
        damaged = bytearray(original)
        damaged[index] ^= 0x01
        target = tmp_path / f"damaged-{index}.key"
        target.write_bytes(bytes(damaged))
        with pytest.raises(KeyFileError):
            read_private_key_file(target, PASSPHRASE, minimum=CHEAP)


def test_ciphertext_damage_reads_like_a_wrong_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "staff.key"
    write_private_key_file(path, generate_staff_key(), PASSPHRASE, CHEAP)
    damaged = bytearray(path.read_bytes())
    damaged[-1] ^= 0x80
    path.write_bytes(bytes(damaged))
    with pytest.raises(KeyFileError, match=WRONG_PASSPHRASE_MESSAGE):
        read_private_key_file(path, PASSPHRASE, minimum=CHEAP)


def test_truncated_and_extended_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "staff.key"
    write_private_key_file(path, generate_staff_key(), PASSPHRASE, CHEAP)
    original = path.read_bytes()
    for variant in (original[:-1], original[:20], original + b"\x00"):
        path.write_bytes(variant)
        with pytest.raises(KeyFileError):
            read_private_key_file(path, PASSPHRASE, minimum=CHEAP)


def test_a_file_that_is_not_a_private_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "staff.pub"
    write_public_key_file(path, generate_staff_key().public_key)
    assert not is_private_key_file(path)
    with pytest.raises(KeyFileError, match="is not an OCLEP private key file"):
        read_private_key_file(path, PASSPHRASE)
    with pytest.raises(KeyFileError, match="is not an OCLEP private key file"):
        read_private_key_header(path)


def test_absurd_argon2_parameters_are_refused_before_deriving(tmp_path: Path) -> None:
    path = tmp_path / "staff.key"
    write_private_key_file(path, generate_staff_key(), PASSPHRASE, CHEAP)
    data = bytearray(path.read_bytes())
    struct.pack_into(">I", data, 18, 2**31)  # memory field: 2 TiB
    path.write_bytes(bytes(data))
    with pytest.raises(KeyFileError, match="Argon2 parameters are not valid"):
        read_private_key_file(path, PASSPHRASE, minimum=CHEAP)


def test_passphrase_is_unicode_normalized(tmp_path: Path) -> None:
    composed = unicodedata.normalize("NFC", "contraseña de la brigada")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    path = tmp_path / "staff.key"
    key = generate_staff_key()
    write_private_key_file(path, key, composed, CHEAP)
    assert read_private_key_file(path, decomposed, minimum=CHEAP).key_id == key.key_id
