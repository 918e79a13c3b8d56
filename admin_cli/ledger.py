"""The release ledger: every published report, sealed on the staff side, so re-issues can be
audited against what was published before (and, later, a public site built from it).

One JSON line per release (format in docs/report-json.md, "Release ledger"): the period, final
or provisional, its number within the period, when, the minimum cell, the audit anchor, the
report JSON as published, what a reader knows of every cell (`ReaderView`), and keyed digests
of the submissions it counted (so a re-issue knows how many testimonies changed, without the
ledger naming any). Each entry carries `prev`, the `mac` of the entry before it (64 zeros for
the first), and its own `mac`: HMAC-SHA256 over its canonical JSON without `mac`.

Why an HMAC with a key derived from the staff key: the ledger lives with staff, next to the
data; only someone holding the staff key (who can decrypt everything anyway) can add, edit or
re-chain entries, and nothing new must be generated, stored or rotated. Verification needs
the key too; a public site (issue 17) will publish signatures of its own over the published
part. The MAC key is HKDF-SHA256(staff private key, salt "oclep release ledger v1", info =
key id): a distinct key for this one purpose; the digests of submission ids use it as well.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from admin_cli.errors import CommandError
from admin_cli.report.disclosure import EarlierRelease, ReaderView
from storage.keys import StaffPrivateKey

FORMAT_VERSION: Final = 1
GENESIS: Final = "0" * 64
_SALT: Final = b"oclep release ledger v1"
_HEX64 = r"^[0-9a-f]{64}$"


class LedgerError(CommandError):
    """The ledger is unusable, broken, or refuses this release; one sentence."""


class LedgerEntry(BaseModel):
    """One release, exactly as stored: unknown or missing fields are refused."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    v: Literal[1]
    n: int = Field(ge=1)
    period: str = Field(pattern=r"^\d{4}-\d{2}$")
    kind: Literal["final", "provisional"]
    release: int = Field(ge=1)
    issued: str
    min_cell: int = Field(ge=1)
    audit_anchor: str = Field(pattern=r"^\d+:[0-9a-f]{64}$")
    key_id: str = Field(pattern=r"^[0-9a-f]{16}$")
    submissions: list[str]
    view: dict[str, Any]
    report: dict[str, Any]
    prev: str = Field(pattern=_HEX64)
    mac: str = Field(pattern=_HEX64)

    def body(self) -> dict[str, Any]:
        return self.model_dump(exclude={"mac"})


def canonical(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def ledger_key(key: StaffPrivateKey) -> bytes:
    """The ledger's MAC key, derived from one staff private key."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=key.key_id).derive(
        key.private_bytes()
    )


def submission_digest(mac_key: bytes, submission_id: bytes) -> str:
    """A keyed digest of a submission id: equal across releases, meaningless without the key."""
    return hmac.new(mac_key, b"submission\0" + submission_id, hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Ledger:
    """One ledger file."""

    path: Path

    def entries(self) -> list[LedgerEntry]:
        """Every entry, format-checked; `LedgerError` names the first bad line."""
        try:
            info = os.lstat(self.path)
        except FileNotFoundError:
            return []
        if not stat.S_ISREG(info.st_mode):
            raise LedgerError(f"The release ledger {self.path} is not a regular file.")
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            raise LedgerError(f"Cannot read the release ledger {self.path}.") from None
        found: list[LedgerEntry] = []
        for number, line in enumerate(lines, start=1):
            try:
                found.append(LedgerEntry.model_validate_json(line, strict=True))
            except ValidationError:
                raise LedgerError(
                    f"Line {number} of the release ledger {self.path} is not a ledger entry "
                    "of the documented format."
                ) from None
        return found

    def verify(self, keys: Mapping[bytes, StaffPrivateKey]) -> list[LedgerEntry]:
        """Entries whose chain, numbering and MACs hold; `LedgerError` names the first that
        does not (or asks for the key that sealed it)."""
        entries = self.entries()
        previous = GENESIS
        releases: dict[str, int] = {}
        finals: set[str] = set()
        for number, entry in enumerate(entries, start=1):
            where = f"Entry {number} of the release ledger {self.path}"
            key = keys.get(bytes.fromhex(entry.key_id))
            if key is None:
                raise LedgerError(
                    f"{where} was sealed with staff key {entry.key_id}; give that key with --key."
                )
            expected = hmac.new(ledger_key(key), canonical(entry.body()), hashlib.sha256)
            if not hmac.compare_digest(expected.hexdigest(), entry.mac):
                raise LedgerError(f"{where} was edited: its seal does not match its content.")
            if entry.n != number or entry.prev != previous:
                raise LedgerError(
                    f"{where} does not follow the entry before it: entries were removed, "
                    "added or reordered."
                )
            release = releases.get(entry.period, 0) + 1
            if entry.release != release or (entry.kind == "provisional" and entry.period in finals):
                raise LedgerError(f"{where} breaks the order of the releases of {entry.period}.")
            releases[entry.period] = release
            if entry.kind == "final":
                finals.add(entry.period)
            previous = entry.mac
        return entries

    def append(
        self,
        key: StaffPrivateKey,
        *,
        period: str,
        kind: Literal["final", "provisional"],
        min_cell: int,
        audit_anchor: str,
        submissions: Iterable[str],
        view: ReaderView,
        report: Mapping[str, Any],
        now: datetime | None = None,
    ) -> LedgerEntry:
        """Seal and append one release (fsynced); the file is created 0600."""
        entries = self.entries()
        body: dict[str, Any] = {
            "v": FORMAT_VERSION,
            "n": len(entries) + 1,
            "period": period,
            "kind": kind,
            "release": sum(1 for e in entries if e.period == period) + 1,
            "issued": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
            "min_cell": min_cell,
            "audit_anchor": audit_anchor,
            "key_id": key.key_id.hex(),
            "submissions": sorted(submissions),
            "view": view.to_json(),
            "report": dict(report),
            "prev": entries[-1].mac if entries else GENESIS,
        }
        # The report's own JSON travels through a round trip so the sealed bytes are the
        # stored ones (floats, key order).
        body = json.loads(canonical(body))
        body["mac"] = hmac.new(ledger_key(key), canonical(body), hashlib.sha256).hexdigest()
        entry = LedgerEntry.model_validate(body, strict=False)
        line = json.dumps(body, sort_keys=True, ensure_ascii=False) + "\n"
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = os.open(
                self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600
            )
            try:
                os.write(descriptor, line.encode("utf-8"))
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        except OSError as exc:
            raise LedgerError(
                f"Cannot write the release ledger {self.path} ({exc.strerror}); nothing was "
                "written."
            ) from None
        return entry


def check_release(entries: list[LedgerEntry], period: str, kind: str) -> None:
    """Before any key: a provisional release after the final one is refused."""
    if kind == "provisional" and any(e.period == period and e.kind == "final" for e in entries):
        raise LedgerError(
            f"{period} already has a final release in the ledger; a provisional one cannot "
            "follow it (re-issue it with --final)."
        )


def earlier_releases(
    entries: Iterable[LedgerEntry],
    period: str,
    counted: set[bytes],
    keys: Mapping[bytes, StaffPrivateKey],
) -> list[EarlierRelease]:
    """The earlier releases of `period` (verified entries), each with how many testimonies
    changed since: added or withdrawn, compared by digests under that entry's key."""
    found = []
    for entry in entries:
        if entry.period != period:
            continue
        mac_key = ledger_key(keys[bytes.fromhex(entry.key_id)])
        now = {submission_digest(mac_key, sid) for sid in counted}
        found.append(
            EarlierRelease(ReaderView.from_json(entry.view), len(now ^ set(entry.submissions)))
        )
    return found
