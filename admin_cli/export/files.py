"""Output files that hold decrypted data: 0600, written whole or not at all, never replaced
without `--force`."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from admin_cli.errors import CommandError


def check_targets(paths: Sequence[Path], *, force: bool) -> None:
    """Before any work: every target's folder exists and no target is silently replaced."""
    for path in paths:
        if path.is_dir():
            raise CommandError(f"{path} is a folder; give a file name with --out.")
        if not path.parent.is_dir():
            raise CommandError(f"The folder {path.parent} does not exist; nothing was written.")
        if (path.exists() or path.is_symlink()) and not force:
            raise CommandError(f"{path} already exists; add --force to replace it.")


class PendingFile:
    """A temporary file beside its target, 0600 from creation; `commit` renames it in place."""

    def __init__(self, target: Path) -> None:
        self.target = target
        descriptor, name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part"
        )
        os.close(descriptor)
        self.path = Path(name)

    def open_text(self) -> IO[str]:
        return self.path.open("w", encoding="utf-8", newline="")

    def commit(self, *, force: bool) -> None:
        with self.path.open("rb") as handle:
            os.fsync(handle.fileno())
        if force:
            os.replace(self.path, self.target)
            return
        try:
            # link() fails if the target appeared meanwhile: never overwrite without --force.
            os.link(self.path, self.target)
        except FileExistsError:
            raise CommandError(
                f"{self.target} appeared while writing; add --force to replace it."
            ) from None
        self.path.unlink()

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


@contextmanager
def pending_files(targets: Sequence[Path], *, force: bool) -> Iterator[list[PendingFile]]:
    """Temporary files for `targets`, committed together when the block ends without error,
    all discarded otherwise."""
    pending: list[PendingFile] = []
    try:
        for target in targets:
            pending.append(PendingFile(target))
        yield pending
        for file in pending:
            file.commit(force=force)
    finally:
        for file in pending:
            file.discard()
