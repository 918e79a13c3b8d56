"""Files users send: kept in memory, described by getFile, served at /file/bot<token>/<path>."""

import secrets
from dataclasses import dataclass, field
from typing import Any

from . import constants as tg


@dataclass(frozen=True)
class StoredFile:
    """One file as Telegram holds it: its ids, size, download path and bytes."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes

    @property
    def file_size(self) -> int:
        return len(self.content)

    def json(self) -> dict[str, Any]:
        """The File object getFile returns (no path for files bots may not download)."""
        body: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
        }
        if self.file_size <= tg.MAX_BOT_DOWNLOAD_BYTES:
            body["file_path"] = self.file_path
        return body


@dataclass
class FileStore:
    """Every file sent through the emulator, and every download the bot made."""

    by_id: dict[str, StoredFile] = field(default_factory=dict)
    by_path: dict[str, StoredFile] = field(default_factory=dict)
    downloads: list[str] = field(default_factory=list)  # file_ids, in download order

    def add(self, content: bytes, folder: str, extension: str) -> StoredFile:
        number = len(self.by_id) + 1
        stored = StoredFile(
            file_id=f"F{secrets.token_hex(16)}",
            file_unique_id=f"U{secrets.token_hex(6)}",
            file_path=f"{folder}/file_{number}.{extension}",
            content=content,
        )
        self.by_id[stored.file_id] = stored
        self.by_path[stored.file_path] = stored
        return stored

    def downloaded(self, file_id: str) -> bool:
        """Whether the bot fetched this file's bytes."""
        return file_id in self.downloads
