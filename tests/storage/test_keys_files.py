"""Secret files: exact mode 0600, atomic creation, never overwritten; key-file cost limits."""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

import storage.keys as keys_module
from storage.keys import (
    KEY_ID_LENGTH,
    Argon2Params,
    KeyFileError,
    generate_staff_key,
    read_private_key_file,
    read_private_key_header,
    write_private_key_file,
)
from storage.secure_files import FileExistsRefused, write_new_private_file


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("permissive_umask")
def test_mode_is_0600_whatever_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    write_new_private_file(path, b"data")
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_bytes() == b"data"


def test_existing_file_is_not_overwritten_and_no_temporary_is_left(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    write_new_private_file(path, b"first")
    with pytest.raises(FileExistsRefused):
        write_new_private_file(path, b"second")
    assert path.read_bytes() == b"first"
    assert [entry.name for entry in tmp_path.iterdir()] == ["secret"]


def test_dangling_symlink_is_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    link = tmp_path / "secret"
    link.symlink_to(target)
    with pytest.raises(FileExistsRefused):
        write_new_private_file(link, b"data")
    assert not target.exists()


def test_missing_folder_fails_without_leaving_anything(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        write_new_private_file(tmp_path / "missing" / "secret", b"data")
    assert list(tmp_path.iterdir()) == []


# --- private key files: Argon2 cost limits (a hostile header must not exhaust a laptop) ---

_CHEAP = Argon2Params(memory_cost_kib=8 * 1024, iterations=1, lanes=1)
# magic, format version, suite, key id: the Argon2 parameters follow as three u32
_ARGON2_OFFSET = len(b"OCLEP-SK") + 1 + 1 + KEY_ID_LENGTH


def _key_file_asking(tmp_path: Path, memory_kib: int, iterations: int, lanes: int) -> Path:
    """A genuine private key file whose header was edited to ask for other Argon2 costs."""
    genuine = tmp_path / "genuine.key"
    write_private_key_file(genuine, generate_staff_key(), "correct horse battery", _CHEAP)
    data = bytearray(genuine.read_bytes())
    struct.pack_into(">III", data, _ARGON2_OFFSET, memory_kib, iterations, lanes)
    edited = tmp_path / "edited.key"
    edited.write_bytes(bytes(data))
    return edited


class _Argon2MustNotRun:
    def __init__(self, **_costs: int) -> None:
        raise AssertionError("Argon2id ran for a header above the limits")


@pytest.mark.parametrize(
    ("memory_kib", "iterations", "lanes"),
    [
        (4 * 1024 * 1024, 64, 64),  # the reviewer's header: 4 GiB, 64 passes, 64 lanes
        (1024 * 1024 + 1, 3, 4),
        (64 * 1024, 17, 4),
        (64 * 1024, 3, 17),
    ],
)
def test_key_file_asking_too_much_is_refused_before_argon2_runs(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    memory_kib: int,
    iterations: int,
    lanes: int,
) -> None:
    path = _key_file_asking(tmp_path, memory_kib, iterations, lanes)
    monkeypatch.setattr(keys_module, "Argon2id", _Argon2MustNotRun)
    expected = "above the accepted maximum of 1024 MiB, 16 iterations, 16 lanes"
    with pytest.raises(KeyFileError, match=expected) as refused:
        read_private_key_file(path, "correct horse battery")
    assert str(refused.value).endswith("lanes).")
    with pytest.raises(KeyFileError, match=expected):
        read_private_key_header(path)


def test_key_file_at_the_limits_is_still_read(tmp_path: Path) -> None:
    path = _key_file_asking(tmp_path, 1024 * 1024, 16, 16)
    assert read_private_key_header(path).argon2 == Argon2Params(1024 * 1024, 16, 16)


def test_writing_a_key_file_above_the_limits_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "costly.key"
    costly = Argon2Params(memory_cost_kib=2 * 1024 * 1024, iterations=3, lanes=4)
    with pytest.raises(KeyFileError, match="accepted maximum"):
        write_private_key_file(path, generate_staff_key(), "correct horse battery", costly)
    assert not path.exists()
