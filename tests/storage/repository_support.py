"""Helpers for the storage tests that need a database: a repository with real keys."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement

from flows.answers import AnswerValue, encode_answer
from storage.database import Database, open_database
from storage.keys import StaffPrivateKey, generate_staff_key, keyring
from storage.pseudonyms import DraftKey, Pseudonyms
from storage.reader import DecryptedSubmission, ReadResult, read_submissions
from storage.repository import Change, Decided, DraftHandle, QuestionnaireRef, Repository
from storage.server_secret import ServerSecret

QUESTIONNAIRE = QuestionnaireRef(
    id="testimonio", version=3, hash=hashlib.sha256(b"a questionnaire").hexdigest()
)


def at_version(version: int, change: Change) -> Callable[[DraftHandle], Decided[bool]]:
    """A `decide` for `Repository.apply` that stores `change` only if the draft is still at
    `version`: a caller that decided from an earlier read (a test's compare-and-swap). Its
    value says whether the draft was still there (False: it had moved on; reload, retry)."""

    def decide(draft: DraftHandle) -> Decided[bool]:
        if draft.version != version:
            return Decided(None, False)
        return Decided(change, True)

    return decide


@dataclass
class FakeClock:
    """A clock the test moves by hand."""

    now: datetime = field(default_factory=lambda: datetime(2025, 3, 14, 10, 30, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Setup:
    """A repository over `database` with a fresh server secret and staff key."""

    database: Database
    clock: FakeClock = field(default_factory=FakeClock)
    secret: ServerSecret = field(init=False)
    staff_key: StaffPrivateKey = field(default_factory=generate_staff_key)
    pseudonyms: Pseudonyms = field(init=False)

    def __post_init__(self) -> None:
        self.secret = ServerSecret.generate(self.clock().date())
        self.pseudonyms = Pseudonyms(
            self.secret, draft_ttl_days=30, clock=lambda: self.clock().date()
        )

    def repository(self, database: Database | None = None) -> Repository:
        return Repository(
            database or self.database,
            self.secret,
            self.staff_key.public_key,
            draft_ttl=timedelta(days=30),
            clock=self.clock,
        )

    def pseudonym(self, user_id: int) -> DraftKey:
        """Where `user_id`'s draft is looked for today (its pseudonym in each retained epoch)."""
        return self.pseudonyms.draft_key(user_id)

    @asynccontextmanager
    async def two_workers(self, url: str) -> AsyncIterator[tuple[Repository, Repository]]:
        """Two repositories over one database, as two bot workers hold them.

        The second opens its own engine on `url`: on SQLite a second connection pool on the
        same file, on PostgreSQL separate server connections; the two share nothing but the
        database.
        """
        async with await open_database(url) as other:
            yield self.repository(), self.repository(other)

    async def start_draft(
        self,
        pseudonym: DraftKey,
        *,
        state: bytes = b"",
        campaign: str | None = None,
        repository: Repository | None = None,
    ) -> DraftHandle:
        """The draft under `pseudonym` for QUESTIONNAIRE, started if there is none."""
        return await (repository or self.repository()).start_or_resume(
            pseudonym, questionnaire=QUESTIONNAIRE, campaign=campaign, initial_state=state
        )

    async def answering(
        self,
        pseudonym: DraftKey,
        plaintexts: Iterable[bytes],
        *,
        state: bytes = b"",
        campaign: str | None = None,
        first_update_id: int = 1,
    ) -> AsyncIterator[int]:
        """Starts the draft, then records each plaintext as one update (keeping `state`).

        Yields the draft version once started and again after each answer, so that a test can
        look at the database at every step.
        """
        repository = self.repository()
        draft = await self.start_draft(
            pseudonym, state=state, campaign=campaign, repository=repository
        )
        version = draft.version
        yield version
        for update_id, plaintext in enumerate(plaintexts, start=first_update_id):
            result = await repository.apply(
                pseudonym,
                update_id=update_id,
                decide=at_version(version, Change(state=state, answers=(plaintext,))),
            )
            assert result.draft is not None
            version = result.draft.version
            yield version

    async def respond(
        self, pseudonym: DraftKey, plaintexts: Iterable[bytes], **options: Any
    ) -> int:
        """`answering` run through: the draft version after the last answer."""
        steps = self.answering(pseudonym, plaintexts, **options)
        return [version async for version in steps][-1]

    async def read_all(self, **options: Any) -> list[ReadResult]:
        keys = keyring([self.staff_key])
        return [result async for result in read_submissions(self.database, keys, **options)]

    async def decrypted(self, **options: Any) -> list[DecryptedSubmission]:
        results = await self.read_all(**options)
        assert all(isinstance(r, DecryptedSubmission) for r in results), results
        return [r for r in results if isinstance(r, DecryptedSubmission)]


def record(question: str, value: AnswerValue, *, append: bool = False) -> bytes:
    """An answer record plaintext as the conversation writes it."""
    obj: dict[str, Any] = {"q": question, "v": encode_answer(value)}
    if append:
        obj["append"] = True
    return json.dumps(obj, ensure_ascii=False).encode()


def random_telegram_id() -> int:
    """A realistic Telegram user id: up to 10 digits."""
    return secrets.randbelow(9_000_000_000) + 1_000_000_000


async def count_rows(database: Database, table: Any, *where: ColumnElement[bool]) -> int:
    query = select(func.count()).select_from(table)
    for condition in where:
        query = query.where(condition)
    async with database.engine.connect() as connection:
        return int((await connection.execute(query)).scalar_one())
