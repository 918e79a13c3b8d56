"""`export --attachments DIR`: each file decrypted to DIR, its SHA-256 verified, a manifest.

Files are named by submission and position (`<submission id>-<position>.<ext>`, the position
counted from 0 as stored), never by their original name, which may identify someone and is
written to the manifest only with `--include-text`. Each file is opened chunk by chunk into
a temporary file (0600) beside its target and kept only once its trailer verified the size
and the SHA-256 of the original bytes, so memory stays flat whatever the file's size and
no file is ever written half or altered.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from contextlib import aclosing
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

from admin_cli.errors import CommandError
from storage.attachments.sealed_file import SealedFileError, open_file_head
from storage.attachments.store import StoredAttachment, attachments_of, sealed_chunks
from storage.database import Database
from storage.envelope import envelope_key_id
from storage.keys import StaffPrivateKey

MANIFEST_CSV: Final = "manifest.csv"
MANIFEST_JSON: Final = "manifest.json"
_EXTENSIONS: Final = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/heif": "heif",
    "image/tiff": "tif",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
MANIFEST_FIELDS: Final = (
    "submission_id",
    "position",
    "question",
    "kind",
    "media_type",
    "size",
    "sha256",
    "file",
    "original_name",
)


@dataclass(frozen=True)
class ManifestRow:
    """One exported file: where it came from, what it is, and the hash that proves it."""

    submission_id: str
    position: int
    question: str
    kind: str
    media_type: str
    size: int
    sha256: str
    file: str
    original_name: str  # empty unless --include-text


@dataclass
class AttachmentTally:
    """Files written, and files that could not be opened (by reason, for one sentence)."""

    written: int = 0
    missing_key: int = 0
    damaged: int = 0

    def check(self) -> None:
        """`CommandError` if any file could not be opened: an evidence export is whole."""
        if self.missing_key:
            raise CommandError(
                f"{self.missing_key} attachment(s) are sealed to a key not given with --key; "
                "nothing was written."
            )
        if self.damaged:
            raise CommandError(
                f"{self.damaged} attachment(s) are damaged or incomplete (their chunks or "
                "SHA-256 do not verify); nothing was written."
            )


def extension_for(media_type: str) -> str:
    """The file name extension for a media type (`bin` for one not accepted by the bot)."""
    return _EXTENSIONS.get(media_type.lower(), "bin")


def check_folder(folder: Path, *, force: bool) -> None:
    """Before any key: the folder exists, and holds no manifest unless `--force`."""
    if not folder.is_dir():
        raise CommandError(f"The folder {folder} does not exist; nothing was written.")
    for name in (MANIFEST_CSV, MANIFEST_JSON):
        if (folder / name).exists() and not force:
            raise CommandError(
                f"{folder / name} already exists; choose an empty folder or add --force."
            )


class AttachmentExport:
    """Writes the attachments of the exported submissions into a staging folder inside
    `folder`; `commit` moves them in place with the manifests, `discard` removes them."""

    def __init__(self, folder: Path, *, include_text: bool, force: bool) -> None:
        self.folder = folder
        self.include_text = include_text
        self.force = force
        self.rows: list[ManifestRow] = []
        self.tally = AttachmentTally()
        self._staging = Path(tempfile.mkdtemp(dir=folder, prefix=".oclep-attachments-"))

    async def add_submission(
        self,
        database: Database,
        keys: Mapping[bytes, StaffPrivateKey],
        submission_id: bytes,
    ) -> None:
        for attachment in await attachments_of(database, submission_id):
            row = await self._write(database, keys, attachment)
            if row is not None:
                self.rows.append(row)
                self.tally.written += 1

    async def _write(
        self,
        database: Database,
        keys: Mapping[bytes, StaffPrivateKey],
        attachment: StoredAttachment,
    ) -> ManifestRow | None:
        if envelope_key_id(attachment.sealed_key) not in keys:
            self.tally.missing_key += 1
            return None
        chunks = sealed_chunks(database, attachment)
        descriptor, name = tempfile.mkstemp(dir=self._staging, suffix=".part")
        part = Path(name)
        try:
            async with aclosing(chunks):
                first = await anext(chunks, None)
                facts, reader = open_file_head(
                    keys,
                    attachment.sealed_key,
                    first,
                    attachment.submission_id,
                    attachment.position,
                )
                digest = hashlib.sha256()
                with os.fdopen(descriptor, "wb") as handle:
                    async for sealed in chunks:
                        data = reader.read(sealed)
                        digest.update(data)
                        handle.write(data)
                    size, sha256 = reader.end()
                    handle.flush()
                    os.fsync(handle.fileno())
            # The trailer's hash was checked against the bytes read; this checks the bytes
            # written, so the manifest's hash is the file's on disk.
            if sha256 != digest.digest():
                raise SealedFileError
        except SealedFileError:
            _discard(part)
            self.tally.damaged += 1
            return None
        submission = attachment.submission_id.hex()
        file_name = f"{submission}-{attachment.position:03d}.{extension_for(facts.media_type)}"
        _keep(part, self._staging / file_name)
        return ManifestRow(
            submission_id=submission,
            position=attachment.position,
            question=facts.question or "",
            kind=facts.kind,
            media_type=facts.media_type,
            size=size,
            sha256=sha256.hex(),
            file=file_name,
            original_name=(facts.name or "") if self.include_text else "",
        )

    def write_manifests(self) -> tuple[Path, Path]:
        """Both manifests, in the staging folder (moved with the files by `commit`)."""
        csv_path = self._staging / MANIFEST_CSV
        with csv_path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(MANIFEST_FIELDS)
            for row in self.rows:
                writer.writerow([_spreadsheet_safe(str(v)) for v in asdict(row).values()])
        json_path = self._staging / MANIFEST_JSON
        with json_path.open("w", encoding="utf-8") as handle:
            json.dump([asdict(row) for row in self.rows], handle, ensure_ascii=False, indent=1)
            handle.write("\n")
        for path in (csv_path, json_path):
            path.chmod(0o600)
        return csv_path, json_path

    def staged(self, name: str) -> Path:
        """Where a file waits before `commit` (to hash the manifest for the audit log)."""
        return self._staging / name

    def commit(self) -> None:
        """Move every file and the manifests into the folder; never over a file unless
        `--force`."""
        for path in sorted(self._staging.iterdir()):
            target = self.folder / path.name
            if target.exists() and not self.force:
                raise CommandError(f"{target} already exists; add --force to replace it.")
        for path in sorted(self._staging.iterdir()):
            os.replace(path, self.folder / path.name)
        self._staging.rmdir()

    def discard(self) -> None:
        if not self._staging.exists():
            return
        for path in self._staging.iterdir():
            path.unlink(missing_ok=True)
        self._staging.rmdir()


# The staff tool runs one task: plain file calls, kept out of the coroutines for clarity.
def _discard(part: Path) -> None:
    part.unlink(missing_ok=True)


def _keep(part: Path, target: Path) -> None:
    part.rename(target)


def _spreadsheet_safe(value: str) -> str:
    # An original name is the respondent's text: never a formula when the CSV is opened.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
