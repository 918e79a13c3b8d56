"""Secret files: exact mode 0600, atomic creation, never overwritten."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

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
