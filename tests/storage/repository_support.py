"""Helpers for the storage tests that need a database: a repository with real keys."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement

from flows.answers import AnswerValue, encode_answer
from storage.database import Database
from storage.keys import StaffPrivateKey, generate_staff_key, keyring
from storage.reader import DecryptedSubmission, ReadResult, read_submissions
from storage.repository import QuestionnaireRef, Repository
from storage.server_secret import Purpose, ServerSecret

QUESTIONNAIRE = QuestionnaireRef(
    id="testimonio", version=3, hash=hashlib.sha256(b"a questionnaire").hexdigest()
)


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
    secret: ServerSecret = field(default_factory=lambda: ServerSecret(secrets.token_bytes(32)))
    staff_key: StaffPrivateKey = field(default_factory=generate_staff_key)
    clock: FakeClock = field(default_factory=FakeClock)

    def repository(self, database: Database | None = None) -> Repository:
        return Repository(
            database or self.database,
            self.secret,
            self.staff_key.public_key,
            draft_ttl=timedelta(days=30),
            clock=self.clock,
        )

    def pseudonym(self, user_id: int) -> bytes:
        return self.secret.pseudonym(Purpose.DRAFT, user_id)

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
