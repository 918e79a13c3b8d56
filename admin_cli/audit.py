"""The staff audit log: hash-chained JSON lines recording every decrypting command, never content.

Staff decrypt on their own computers, from their own copy of the data, so the log lives in
the staff member's data folder (`$XDG_DATA_HOME/oclep/audit.jsonl`, by default
`~/.local/share/oclep/audit.jsonl`; `--audit-log` or `OCLEP_AUDIT_LOG` to move it).

Each entry holds its number `n` (from 1), the SHA-256 `prev` of the entry before it (64 zeros
for the first) and its own `hash`: SHA-256 of the entry's canonical JSON (sorted keys, no
spaces) without `hash`. So an edited entry no longer matches its hash, and a removed or
moved entry breaks the numbering and the chain of the entries after it.

The log fails closed. A decrypting command checks the log before it reads any key (it must be
a regular file, not a link or a device, that can be written, with an intact chain), then
appends a `start` entry, written and fsynced, before it decrypts anything; its outputs are
made final only after an `end` entry (outcome and SHA-256 of each output) is written too.
Every export and report carries the `start` entry's number and hash: the *anchor*. A chain
that was cut short, or rewritten with an entry removed and every hash recomputed, no longer
holds the anchor of a report made after that entry, and `audit verify --anchor` says so.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from admin_cli.errors import CommandError

FORMAT_VERSION: Final = 2
GENESIS: Final = "0" * 64
ENV_VARIABLE: Final = "OCLEP_AUDIT_LOG"
_ANCHOR: Final = re.compile(r"(\d+):([0-9a-f]{64})")


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


@dataclass(frozen=True)
class AuditAnchor:
    """The audit entry a published file points to: its number and hash (`n:hash`)."""

    n: int
    hash: str

    def __str__(self) -> str:
        return f"{self.n}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> AuditAnchor:
        match = _ANCHOR.fullmatch(text.strip())
        if match is None:
            raise AuditLogError(
                f"An audit anchor is written N:HASH (entry number, 64 hex digits); got {text!r}."
            )
        return cls(int(match.group(1)), match.group(2))


class AuditLogError(CommandError):
    """The audit log is broken or unusable; the message is one sentence."""


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

    def verify(self, anchors: Iterable[AuditAnchor] = ()) -> Head:
        """The head of the log, or `AuditLogError` naming the first edited, removed or moved
        entry, or the first anchor (from a report or export) that the log no longer holds."""
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
        for anchor in anchors:
            held = entries[anchor.n - 1]["hash"] if 0 < anchor.n <= len(entries) else None
            if held != anchor.hash:
                raise AuditLogError(
                    f"The audit log {self.path} does not hold entry {anchor.n} with hash "
                    f"{anchor.hash[:16]}… that a published file points to: the log was cut "
                    "short or rewritten since."
                )
        return Head(len(entries), previous)

    def check(self) -> Head:
        """Before any key is read: the log is a regular file (or absent), can be written, and
        its chain is intact; otherwise `AuditLogError`, and the command stops."""
        self._check_kind()
        descriptor = self._open_append()
        os.close(descriptor)
        try:
            return self.verify()
        except AuditLogError as exc:
            raise AuditLogError(
                f"{exc} Run `oclep-admin audit verify` and restore the log from a backup; "
                "nothing was decrypted."
            ) from None

    def _check_kind(self) -> None:
        try:
            info = os.lstat(self.path)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise AuditLogError(
                f"Cannot use the audit log {self.path} ({exc.strerror}); nothing was decrypted."
            ) from None
        if not stat.S_ISREG(info.st_mode):
            raise AuditLogError(
                f"The audit log {self.path} is not a regular file (a link, device or folder); "
                "give a file with --audit-log. Nothing was decrypted."
            )

    def _open_append(self) -> int:
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = os.open(
                self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600
            )
        except OSError as exc:
            raise AuditLogError(
                f"Cannot write the audit log {self.path} ({exc.strerror}); fix it or give "
                "another file with --audit-log. Nothing was decrypted."
            ) from None
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):  # replaced since the check
            os.close(descriptor)
            raise AuditLogError(
                f"The audit log {self.path} is not a regular file; nothing was decrypted."
            )
        return descriptor

    def append(
        self,
        *,
        command: str,
        filters: Mapping[str, Any],
        counts: Mapping[str, int],
        key_ids: list[str],
        outcome: str,
        phase: str | None = None,
        started: int | None = None,
        outputs: Mapping[str, str] | None = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """Append one entry under an exclusive lock, fsynced before returning; the file is
        created 0600 in a 0700 folder."""
        self._check_kind()
        descriptor = self._open_append()
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)  # two commands at once must not fork the chain
            head = self._tail()
            entry: dict[str, Any] = {
                "v": FORMAT_VERSION,
                "n": head.count + 1,
                "time": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
                "user": _current_user(),
                "command": command,
                "filters": dict(filters),
                "counts": dict(counts),
                "key_ids": sorted(key_ids),
                "outcome": outcome,
                "prev": head.hash,
            }
            if phase is not None:
                entry["phase"] = phase
            if started is not None:
                entry["start"] = started
            if outputs:
                entry["outputs"] = dict(outputs)
            entry["hash"] = entry_hash(entry)
            line = json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n"
            data = line.encode("utf-8")
            if os.write(descriptor, data) != len(data):
                raise OSError("short write")
            os.fsync(descriptor)
        except OSError as exc:
            raise AuditLogError(
                f"Cannot write the audit log {self.path} ({exc.strerror or exc}); "
                "nothing was written."
            ) from None
        finally:
            os.close(descriptor)
        return entry

    def _tail(self) -> Head:
        entries = self.entries()
        if not entries:
            return Head(0, GENESIS)
        last = entries[-1]
        if last.get("hash") != entry_hash(last) or not isinstance(last.get("n"), int):
            raise AuditLogError(
                f"The last entry of the audit log {self.path} is damaged; run "
                "`oclep-admin audit verify` and restore the log from a backup."
            )
        return Head(int(last["n"]), str(last["hash"]))


def output_digest(path: Path) -> str:
    """SHA-256 (hex) of an output file, recorded in the `end` entry."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class AuditedRun:
    """One decrypting command on the record: a `start` entry before any decryption, then an
    `end` entry with the outcome before the outputs are made final."""

    def __init__(
        self, log: AuditLog, *, command: str, filters: Mapping[str, Any], key_ids: list[str]
    ) -> None:
        self.log = log
        self.command = command
        self.filters = dict(filters)
        self.key_ids = key_ids
        start = log.append(
            command=command,
            filters=self.filters,
            counts={},
            key_ids=key_ids,
            outcome="started",
            phase="start",
        )
        self.anchor = AuditAnchor(int(start["n"]), str(start["hash"]))
        self.finished = False

    def finish(
        self, outcome: str, counts: Mapping[str, int], outputs: Mapping[str, str] | None = None
    ) -> None:
        """The `end` entry; raises `AuditLogError` if it cannot be written (outputs then are
        discarded by the caller)."""
        self.finished = True
        self.log.append(
            command=self.command,
            filters=self.filters,
            counts=counts,
            key_ids=self.key_ids,
            outcome=outcome,
            phase="end",
            started=self.anchor.n,
            outputs=outputs,
        )

    def finish_refused(self, counts: Mapping[str, int]) -> None:
        """After a failure: record it if nothing was recorded yet; a log that now fails adds
        nothing (the `start` entry already holds the attempt)."""
        if self.finished:
            return
        with contextlib.suppress(AuditLogError):
            self.finish("refused", counts)
