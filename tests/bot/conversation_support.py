"""A scripted respondent for conversation tests: presses buttons by choice code, types text."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.callback_data import QuestionToken, decode
from bot.conversation import Conversation
from bot.events import ButtonPress, Command, Event, Respondent, Start, Text
from bot.i18n import Catalogs
from bot.replies import Closing, Done, Notice, Option, Prompt, Reply
from flows.answers import SKIPPED, AnswerValue
from flows.engine import Engine
from flows.loader import load_questionnaire
from flows.model import Question
from storage.access_codes import AccessCodes
from storage.database import Database
from storage.keys import StaffPrivateKey, generate_staff_key, keyring
from storage.pseudonyms import Pseudonyms
from storage.reader import DecryptedSubmission, read_submissions
from storage.repository import DEFAULT_DRAFT_TTL, Repository
from storage.server_secret import ServerSecret
from storage.tables import (
    DRAFTS,
    SUBMISSIONS,
    AccessCodeKind,
    Draft,
    SealedAnswer,
    Submission,
)

# Version 1 (frozen): the conversation mechanics tested here do not depend on the version.
QUESTIONNAIRE = (
    Path(__file__).resolve().parents[2] / "flows" / "questionnaires" / "testimonio_v1.yaml"
)
CATALOGS = Catalogs.load()
ENGINE = Engine(load_questionnaire(QUESTIONNAIRE))
# lugar_seguro, rol, sector, profesion_salud: the answers that lead to the country question.
TO_COUNTRY = ("si", "mision_actual", "salud", "medico")


@dataclass
class World:
    """One bot installation: database, secret, staff key, conversation."""

    database: Database
    conversation: Conversation
    staff_key: StaffPrivateKey
    engine: Engine = ENGINE
    update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    def respondent(self, user_id: int = 777_000_111, language_code: str | None = "es") -> Chat:
        return Chat(self, Respondent(user_id, language_code))

    async def submissions(self) -> list[DecryptedSubmission]:
        found = []
        async for result in read_submissions(self.database, keyring([self.staff_key])):
            assert isinstance(result, DecryptedSubmission), result
            found.append(result)
        return found

    async def count(self, table: Any) -> int:
        async with self.database.engine.connect() as connection:
            return int(
                (await connection.execute(select(func.count()).select_from(table))).scalar_one()
            )

    async def counts(self) -> tuple[int, int, int]:
        return (
            await self.count(Submission),
            await self.count(SealedAnswer),
            await self.count(Draft),
        )

    async def count_drafts(self) -> int:
        return await self.count(Draft)

    @asynccontextmanager
    async def unchanged(self, what: object = None) -> AsyncIterator[None]:
        """Asserts that the block stores nothing: as many submissions, records and drafts."""
        before = await self.counts()
        yield
        assert await self.counts() == before, what

    async def campaigns(self) -> list[str | None]:
        """The campaign stored with each submission."""
        async with self.database.engine.connect() as connection:
            return list((await connection.execute(select(SUBMISSIONS.c.campaign))).scalars())

    async def draft_rows(self) -> list[tuple[int, bytes]]:
        """Every draft's version and sealed state: any write changes one of them."""
        query = select(DRAFTS.c.version, DRAFTS.c.state)
        async with self.database.engine.connect() as connection:
            return [(row.version, bytes(row.state)) for row in await connection.execute(query)]


@asynccontextmanager
async def world(
    database: Database,
    tmp_path: Path,
    *,
    bot_username: str | None = None,
    rate_limit: int = 1000,
    campaigns: frozenset[str] = frozenset(),
    clock: Callable[[], datetime] | None = None,
    draft_ttl_days: int = DEFAULT_DRAFT_TTL.days,
    **options: Any,
) -> AsyncIterator[World]:
    """A conversation over `database`. With `clock`, the repository reads it too (a test that
    moves time); without, the conversation's clock is fixed and the repository's is real."""
    staff_key = generate_staff_key()
    secret = ServerSecret.load_or_create(tmp_path / "server.secret")
    ttl = timedelta(days=draft_ttl_days)
    repository = (
        Repository(database, secret, staff_key.public_key, draft_ttl=ttl)
        if clock is None
        else Repository(database, secret, staff_key.public_key, draft_ttl=ttl, clock=clock)
    )
    conversation_clock = clock or (lambda: datetime(2025, 6, 1, 12, 0))
    pseudonyms = Pseudonyms(
        secret, draft_ttl_days=draft_ttl_days, clock=lambda: conversation_clock().date()
    )
    access = AccessCodes(database, secret)
    await register_campaigns(access, campaigns)
    conversation = Conversation(
        engine=ENGINE,
        repository=repository,
        pseudonyms=pseudonyms,
        catalogs=CATALOGS,
        bot_username=bot_username,
        rate_limit=rate_limit,
        access=access,
        clock=conversation_clock,
        draft_ttl_days=draft_ttl_days,
        **options,
    )
    yield World(database, conversation, staff_key)


async def register_campaigns(access: AccessCodes, campaigns: frozenset[str]) -> None:
    """Register each campaign code as staff do (`oclep-admin codes add --code`), labelled
    with itself, for the testimony: what a submission through it records."""
    for code in sorted(campaigns):
        await access.add(AccessCodeKind.CAMPAIGN, "testimonio", code, date(2025, 6, 1), chosen=code)


@asynccontextmanager
async def consented(
    database: Database, tmp_path: Path, *, campaign: str | None = None, **options: Any
) -> AsyncIterator[tuple[World, Chat]]:
    """A `world` (same options) and one respondent who has just pressed "Acepto"."""
    async with world(database, tmp_path, **options) as w:
        chat = w.respondent()
        await chat.consent(campaign)
        yield w, chat


@dataclass
class Chat:
    """One respondent talking to the bot; remembers the last questionnaire prompt."""

    world: World
    respondent: Respondent
    prompt: Prompt | None = None
    replies: tuple[Reply, ...] = ()
    message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def send(self, event: Event, update_id: int | None = None) -> tuple[Reply, ...]:
        uid = next(self.world.update_ids) if update_id is None else update_id
        self.replies = await self.world.conversation.handle(self.respondent, event, update_id=uid)
        for reply in self.replies:
            if isinstance(reply, Prompt):
                self.prompt = reply
            elif isinstance(reply, Closing | Done):
                self.prompt = None
        return self.replies

    async def start(self, campaign: str | None = None) -> tuple[Reply, ...]:
        return await self.send(Start(campaign))

    async def command(self, name: str, args: str = "") -> tuple[Reply, ...]:
        return await self.send(Command(name, args, message_ref=next(self.message_ids)))

    async def type(self, text: str) -> tuple[Reply, ...]:
        return await self.send(Text(text, message_ref=next(self.message_ids)))

    async def press(self, label: str) -> tuple[Reply, ...]:
        return await self.send(ButtonPress(self.option(label).token, message_ref=42))

    async def press_token(self, token: str, update_id: int | None = None) -> tuple[Reply, ...]:
        return await self.send(ButtonPress(token, message_ref=42), update_id)

    def option(self, label: str) -> Option:
        assert self.prompt is not None, self.replies
        for option in self.prompt.options:
            if option.label in (label, f"✅ {label}"):
                return option
        raise AssertionError(f"no option {label!r} in {[o.label for o in self.prompt.options]}")

    def on_review(self) -> bool:
        """Whether the review before sending is on screen."""
        return self.prompt is not None and any(o.label == "Enviar" for o in self.prompt.options)

    def current(self) -> Question:
        """The question on screen, read from its buttons' tokens."""
        assert self.prompt is not None, self.replies
        token = decode(self.prompt.options[-1].token)
        assert isinstance(token, QuestionToken), self.prompt
        return self.world.engine.questions[token.question]

    def notices(self) -> list[str]:
        return [r.text for r in self.replies if isinstance(r, Notice)]

    def done(self) -> Done:
        found = [r for r in self.replies if isinstance(r, Done)]
        assert found, self.replies
        return found[0]

    async def consent(self, campaign: str | None = None) -> None:
        await self.start(campaign)
        await self.press("Acepto")

    async def answer(self, value: Any) -> None:
        """Answer the question on screen: a code, codes (multi), text, a text list, or SKIPPED."""
        question = self.current()
        label = {c.code: c.label for c in question.all_choices()}
        if value is SKIPPED:
            await self.press("Prefiero no responder")
        elif question.type == "multi":
            for code in value:
                await self.press(label[code])
            await self.press("Listo")
        elif isinstance(value, list):
            for part in value:
                await self.type(part)
            await self.press("Listo")
        elif isinstance(value, Typed):
            await self.type(value.text)
        else:
            await self.press(label[value])

    async def answer_each(self, values: Sequence[Any]) -> None:
        """Answer the questions on screen one after another with `values`."""
        for value in values:
            await self.answer(value)

    async def walk(self, script: Mapping[str, Any]) -> dict[str, AnswerValue]:
        """Answer until the end; questions not in `script` are skipped. Returns what staff
        should read: every answer given on the path (typed values as parsed)."""
        expected: dict[str, AnswerValue] = {}
        while self.prompt is not None:
            if self.on_review():
                await self.press("Enviar")
                continue
            question = self.current()
            value = script.get(question.id, SKIPPED)
            await self.answer(value)
            expected[question.id] = _as_stored(value)
        return expected


@dataclass(frozen=True)
class Typed:
    """A typed answer and the value it should be stored as."""

    text: str
    value: AnswerValue


def _as_stored(value: Any) -> AnswerValue:
    if isinstance(value, list):
        return "\n".join(value)
    if isinstance(value, Typed):
        return value.value
    assert isinstance(value, str | tuple) or value is SKIPPED, value
    return value
