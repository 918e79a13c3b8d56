"""The staff audit log: one hash-chained JSON line per decrypting command, never any content.

Staff decrypt on their own computers, from their own copy of the data, so the log lives in
the staff member's data folder (`$XDG_DATA_HOME/oclep/audit.jsonl`, by default
`~/.local/share/oclep/audit.jsonl`; `--audit-log` or `OCLEP_AUDIT_LOG` to move it).

Each entry holds its number `n` (from 1), the SHA-256 `prev` of the entry before it (64 zeros
for the first) and its own `hash`: SHA-256 of the entry's canonical JSON (sorted keys, no
spaces) without `hash`. So an edited entry no longer matches its hash, and a removed or
moved entry breaks the numbering and the chain of the entries after it. Limit: removing the
newest entries leaves a shorter chain that still verifies; `audit verify` prints the head
(count and hash) so staff can compare it with one noted elsewhere (e.g. in a monthly minute).
"""

from __future__ import annotations

import fcntl
import getpass
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from admin_cli.errors import CommandError

FORMAT_VERSION: Final = 1
GENESIS: Final = "0" * 64
ENV_VARIABLE: Final = "OCLEP_AUDIT_LOG"


def default_audit_log() -> Path:
    """`OCLEP_AUDIT_LOG`, else the XDG data folder."""
    configured = os.environ.get(ENV_VARIABLE)
    if configured:
        return Path(configured)
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "oclep" / "audit.jsonl"


def entry_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the entry's canonical JSON, its own `hash` field left out."""
    body = {key: value for key, value in entry.items() if key != "hash"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Head:
    """The newest entry of an intact log: how many entries, and the last hash."""

    count: int
    hash: str


class AuditLogError(CommandError):
    """The audit log is broken; the message names the first bad line."""


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (containers)
        return f"uid {os.getuid()}"


class AuditLog:
    """Append to and check one audit log file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def entries(self) -> list[dict[str, Any]]:
        """Every entry, oldest first; `AuditLogError` for a line that is not an entry."""
        if not self.path.exists():
            return []
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            raise AuditLogError(f"Cannot read the audit log {self.path}.") from None
        found = []
        for number, line in enumerate(lines, start=1):
            try:
                entry = json.loads(line)
            except ValueError:
                entry = None
            if not isinstance(entry, dict):
                raise AuditLogError(
                    f"Line {number} of the audit log {self.path} is not a log entry."
                )
            found.append(entry)
        return found

    def verify(self) -> Head:
        """The head of the log, or `AuditLogError` naming the first edited, removed or moved
        entry."""
        previous = GENESIS
        entries = self.entries()
        for number, entry in enumerate(entries, start=1):
            where = f"Line {number} of the audit log {self.path}"
            if entry.get("hash") != entry_hash(entry):
                raise AuditLogError(f"{where} was edited: its hash does not match its content.")
            if entry.get("n") != number:
                raise AuditLogError(
                    f"{where} holds entry {entry.get('n')!r} where entry {number} should be: "
                    "entries were removed or reordered."
                )
            if entry.get("prev") != previous:
                raise AuditLogError(
                    f"{where} does not follow the entry before it: an entry was removed, "
                    "replaced or reordered."
                )
            previous = entry["hash"]
        return Head(len(entries), previous)

    def check_writable(self) -> None:
        """Before decrypting: `AuditLogError` if the log cannot take a new entry."""
        self._tail()
        folder = self.path.parent
        if folder.exists() and not os.access(folder, os.W_OK):
            raise AuditLogError(f"Cannot write the audit log in {folder}.")

    def _tail(self) -> tuple[int, str]:
        entries = self.entries()
        if not entries:
            return 0, GENESIS
        last = entries[-1]
        if last.get("hash") != entry_hash(last) or not isinstance(last.get("n"), int):
            raise AuditLogError(
                f"The last entry of the audit log {self.path} is damaged; run "
                "`oclep-admin audit verify` and restore the log from a backup."
            )
        return int(last["n"]), str(last["hash"])

    def append(
        self,
        *,
        command: str,
        filters: Mapping[str, Any],
        counts: Mapping[str, int],
        key_ids: list[str],
        outcome: str,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """Append one entry under an exclusive lock; the file is created 0600 in a 0700 folder."""
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            raise AuditLogError(
                f"Cannot write the audit log {self.path} ({exc.strerror})."
            ) from None
        with os.fdopen(descriptor, "a+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # two commands at once must not fork the chain
            number, previous = self._tail()
            entry: dict[str, Any] = {
                "v": FORMAT_VERSION,
                "n": number + 1,
                "time": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
                "user": _current_user(),
                "command": command,
                "filters": dict(filters),
                "counts": dict(counts),
                "key_ids": sorted(key_ids),
                "outcome": outcome,
                "prev": previous,
            }
            entry["hash"] = entry_hash(entry)
            handle.write(json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return entry
