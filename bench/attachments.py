"""Attachments: memory stays flat while a 20 MB file is sealed and while staff export 100.

Measured in one run, as ratios:

- **sealing**: the bot's path (`AttachmentStore.seal_stream`, a real SQLite database, the
  file arriving in 64 KiB pieces as from Telegram) for a 2 MB and a 20 MB file. The peak of
  Python allocations (tracemalloc) and of the process's resident memory above its level
  before (VmHWM after resetting it) are compared with the file's size, and the 20 MB peak
  with the 2 MB one: flat means the peak does not grow with the file;
- **export**: staff's path (`AttachmentExport`: chunks read 16 at a time, opened, written,
  SHA-256 verified) for 10 and for 100 files of 20 MB, the same two peaks compared.

Usage: `python bench/attachments.py [--size-mb 20] [--files 100]`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import secrets
import sys
import tempfile
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from admin_cli.attachments.export import AttachmentExport
from storage.attachments.sealed_file import FileFacts, FileKind
from storage.attachments.store import AttachmentStore
from storage.database import Database, open_database
from storage.keys import generate_staff_key, keyring
from storage.tables import SUBMISSIONS, RecordFormat

MB = 1024 * 1024
PIECE = 64 * 1024  # what aiogram's stream_content yields
FACTS = FileFacts(FileKind.DOCUMENT, "application/pdf", "contrato.pdf", "adjuntos")


@dataclass(frozen=True)
class Peak:
    """What one measured phase cost: seconds, and the peaks above the level before it."""

    seconds: float
    traced_bytes: int  # tracemalloc peak
    rss_bytes: int  # VmHWM (reset before) minus VmRSS before


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} is not in /proc/self/status (Linux only)")


def _reset_peak_rss() -> None:
    # Linux: writing 5 to clear_refs resets VmHWM to the current RSS.
    Path("/proc/self/clear_refs").write_text("5")


async def measured(phase: Callable[[], Awaitable[None]]) -> Peak:
    _reset_peak_rss()
    before = _status_kib("VmRSS")
    tracemalloc.start()
    started = time.perf_counter()
    await phase()
    seconds = time.perf_counter() - started
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Peak(seconds, traced, (_status_kib("VmHWM") - before) * 1024)


async def pieces(size: int, seed: bytes) -> AsyncIterator[bytes]:
    """`size` bytes in 64 KiB pieces, made as they are asked for (never held whole)."""
    counter = 0
    sent = 0
    while sent < size:
        block = hashlib.shake_256(seed + counter.to_bytes(8, "big")).digest(PIECE)
        block = block[: size - sent]
        counter += 1
        sent += len(block)
        yield block


async def _submission(database: Database) -> bytes:
    submission_id = secrets.token_bytes(16)
    async with database.write_transaction() as connection:
        await connection.execute(
            insert(SUBMISSIONS).values(
                id=submission_id,
                status="complete",
                created_on=date(2026, 11, 1),
                completed_on=date(2026, 11, 1),
                campaign=None,
                questionnaire_id="bench",
                questionnaire_version=1,
                questionnaire_hash="00" * 32,
                key_id=b"",
                sealed_key=b"",
                record_format=RecordFormat.SEALED,
                answer_count=1,
            )
        )
    return submission_id


async def run(size_mb: int, files: int) -> None:
    key = generate_staff_key()
    size = size_mb * MB
    with tempfile.TemporaryDirectory(prefix="oclep-bench-attachments-") as folder:
        root = Path(folder)
        database = await open_database(f"sqlite+aiosqlite:///{root / 'oclep.db'}")
        store = AttachmentStore(database)
        try:
            ids: list[bytes] = []

            async def seal(file_size: int) -> None:
                submission = await _submission(database)
                ids.append(submission)
                await store.seal_stream(
                    key.public_key,
                    submission,
                    0,
                    FACTS,
                    pieces(file_size, submission),
                    max_bytes=file_size,
                )

            small = await measured(lambda: seal(size // 10))
            large = await measured(lambda: seal(size))
            print(f"sealing (bot), SQLite, {size_mb} MB file in 64 KiB pieces:")
            _print("  file of", size // 10, small)
            _print("  file of", size, large)
            print(
                f"  peak / file size at {size_mb} MB: traced {large.traced_bytes / size:.4f},"
                f" RSS {large.rss_bytes / size:.4f}"
            )
            print(
                f"  peak at {size_mb} MB / peak at {size_mb / 10:g} MB: traced"
                f" {large.traced_bytes / max(1, small.traced_bytes):.2f}, RSS"
                f" {large.rss_bytes / max(1, small.rss_bytes):.2f}"
            )
            for _ in range(files - 2):
                await seal(size)
            ids = ids[1:]  # every exported file has the full size
            await seal(size)
            keys = keyring([key])

            async def export(count: int, name: str) -> None:
                out = root / name
                out.mkdir()
                job = AttachmentExport(out, include_text=False, force=False)
                try:
                    for submission in ids[:count]:
                        await job.add_submission(database, keys, submission)
                    job.tally.check()
                    job.write_manifests()
                    job.commit()
                finally:
                    job.discard()
                for path in out.iterdir():  # keep the disk free for the next phase
                    path.unlink()

            few = await measured(lambda: export(max(1, files // 10), "few"))
            many = await measured(lambda: export(files, "many"))
            print(f"export (staff), {size_mb} MB files, decrypted and SHA-256 verified:")
            _print(f"  {max(1, files // 10)} files of", size, few)
            _print(f"  {files} files of", size, many)
            total = files * size
            print(
                f"  peak / bytes exported for {files} files: traced"
                f" {many.traced_bytes / total:.5f}, RSS {many.rss_bytes / total:.5f}"
            )
            print(
                f"  peak for {files} files / peak for {max(1, files // 10)}: traced"
                f" {many.traced_bytes / max(1, few.traced_bytes):.2f}, RSS"
                f" {many.rss_bytes / max(1, few.rss_bytes):.2f}"
            )
            print(f"  throughput: {total / MB / many.seconds:.0f} MB/s")
        finally:
            await database.close()


def _print(label: str, size: int, peak: Peak) -> None:
    print(
        f"{label} {size / MB:g} MB: {peak.seconds:.2f} s, traced peak"
        f" {peak.traced_bytes / MB:.2f} MiB, RSS peak above start {peak.rss_bytes / MB:.2f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size-mb", type=int, default=20)
    parser.add_argument("--files", type=int, default=100)
    options = parser.parse_args()
    if options.files < 2:
        parser.error("--files must be at least 2")
    if not Path("/proc/self/clear_refs").exists():
        parser.error("this benchmark reads the peak resident memory from /proc (Linux)")
    asyncio.run(run(options.size_mb, options.files))


if __name__ == "__main__":
    main()
