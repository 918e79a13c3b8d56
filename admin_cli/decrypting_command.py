"""The skeleton every decrypting command (export, report) runs, in its safe order.

1. `prepare`: a key was given, no output would be replaced, the audit log can take the
   entry, the definitions load: all before anything is opened.
2. `check`: the selection matches something (and the command's own key-free checks), before
   any passphrase is asked.
3. `unlock`: the passphrases.
4. `audited`: the audit log's start entry is written and fsynced before anything is
   decrypted; outputs are written to temporary files that become final only once the end
   entry is on disk; a failure anywhere records a refusal and leaves nothing behind.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import aclosing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from admin_cli.audit import AuditAnchor, AuditedRun, AuditLog, default_audit_log
from admin_cli.console import progress_bar, status_console
from admin_cli.decrypting import DecryptionTally, Selection, decrypted_records, preflight
from admin_cli.errors import CommandError
from admin_cli.export.files import PendingFile, check_targets, pending_files
from admin_cli.keys_cmd import load_private_keys
from admin_cli.records import DefinitionCatalog, SubmissionRecord
from admin_cli.storage_options import database_url
from storage.database import Database, open_database
from storage.keys import StaffPrivateKey

T = TypeVar("T")


@dataclass(frozen=True)
class DecryptingOptions:
    """The options every decrypting command takes (see `admin_cli.decrypting`)."""

    keys: Sequence[Path]
    passphrase_file: Path | None
    questionnaires: Sequence[Path]
    database: str | None
    audit_log: Path | None
    force: bool


@dataclass
class Decrypting:
    """One decrypting run under way: where to write, what to count, what the audit holds."""

    run: AuditedRun
    pending: list[PendingFile]
    tally: DecryptionTally = field(default_factory=DecryptionTally)

    @property
    def anchor(self) -> AuditAnchor:
        return self.run.anchor


class DecryptingCommand:
    """The steps of a decrypting command (module docstring), one method each, in order."""

    def __init__(
        self, name: str, options: DecryptingOptions, targets: Sequence[Path], log: AuditLog
    ) -> None:
        self.name = name
        self.options = options
        self.targets = list(targets)
        self.log = log
        self.url = database_url(options.database)
        self.catalog = DefinitionCatalog.load(options.questionnaires)
        self.keys: dict[bytes, StaffPrivateKey] = {}

    @classmethod
    def prepare(
        cls, name: str, options: DecryptingOptions, targets: Sequence[Path]
    ) -> DecryptingCommand:
        """Step 1: refuse what can be refused before anything is opened."""
        if not options.keys:
            raise CommandError("Give at least one private key with --key.")
        check_targets(targets, force=options.force)
        log = AuditLog(options.audit_log or default_audit_log())
        log.check()  # a log that cannot take the entry stops the command before any key
        return cls(name, options, targets, log)

    def check(
        self, chosen: Selection, also: Callable[[Database], Awaitable[T]] | None = None
    ) -> T | None:
        """Step 2: the selection matches something, and `also` (the command's own check
        needing no key) passes; returns what `also` returns."""

        async def checks() -> T | None:
            async with await open_database(self.url, must_exist=True) as database:
                await preflight(database, chosen)
                return None if also is None else await also(database)

        return asyncio.run(checks())

    def unlock(self) -> dict[bytes, StaffPrivateKey]:
        """Step 3: the passphrases; the keys by key id."""
        self.keys = load_private_keys(self.options.keys, self.options.passphrase_file)
        return self.keys

    @contextmanager
    def audited(
        self, filters: Mapping[str, Any], refused: Mapping[str, int] | None = None
    ) -> Iterator[Decrypting]:
        """Step 4: the start entry, then temporary outputs, committed when the block ends
        (after the block's `run.finish`), discarded and recorded as refused otherwise."""
        run = AuditedRun(  # written and fsynced before anything is decrypted
            self.log,
            command=self.name,
            filters=filters,
            key_ids=[key_id.hex() for key_id in self.keys],
        )
        tally = DecryptionTally()
        try:
            with pending_files(self.targets, force=self.options.force) as pending:
                yield Decrypting(run, pending, tally)
        except BaseException:
            run.finish_refused({**tally.audit(), **(refused or {})})
            raise

    async def records(
        self, chosen: Selection, tally: DecryptionTally
    ) -> AsyncGenerator[SubmissionRecord, None]:
        """The selected submissions, decrypted one at a time with a progress bar; at the
        end, `tally.check()` refuses a run that could not read them all."""
        async with await open_database(self.url, must_exist=True) as database:
            total = await preflight(database, chosen)
            with progress_bar(status_console()) as progress:
                stream = decrypted_records(
                    database, self.keys, chosen, self.catalog, tally, progress, total
                )
                async with aclosing(stream):
                    async for record in stream:
                        yield record
        tally.check()
