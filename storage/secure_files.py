"""Creation of secret files: mode 0600, atomic, never overwriting an existing file."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


class FileExistsRefused(FileExistsError):
    """The target already exists; secret files are never overwritten silently."""


def write_new_private_file(path: Path, data: bytes) -> None:
    """Write `data` to a new file at `path` with mode 0600, atomically.

    The bytes go to a temporary file in the same directory, are flushed to disk, and the
    temporary file is then hard-linked to `path`, which fails if `path` already exists: no
    half-written file is ever visible under `path`, and nothing is overwritten.
    Raises `FileExistsRefused` if `path` exists, `OSError` for other file-system failures.
    """
    if path.exists() or path.is_symlink():
        raise FileExistsRefused(str(path))
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    try:
        try:
            # The umask could only remove bits; fchmod makes the mode exact.
            os.fchmod(descriptor, PRIVATE_FILE_MODE)
            view = memoryview(data)
            while view:
                written = os.write(descriptor, view)
                view = view[written:]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        _publish(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    _fsync_directory(path.parent)


def _publish(temporary: Path, path: Path) -> None:
    # link() refuses an existing target atomically, unlike rename(), which would replace it.
    try:
        os.link(temporary, path)
    except FileExistsError as exc:
        raise FileExistsRefused(str(path)) from exc
    except OSError:
        # Some file systems have no hard links; re-check, then rename (a narrow race remains).
        if path.exists():
            raise FileExistsRefused(str(path)) from None
        os.rename(temporary, path)


def _fsync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


def is_private_mode(mode: int) -> bool:
    """True if the permission bits give nothing to group or others."""
    return mode & 0o077 == 0
