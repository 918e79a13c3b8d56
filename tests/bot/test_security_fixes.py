"""Fixes from the security review: campaign allow-list, discreet deletion of every typed
message, draft expiry while running, honest texts about expiry, toggle rate limit, and the
warning about the server secret next to the database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.callback_data import ConsentToken, LanguageToken, decode, encode
from bot.events import Text
from bot.rate_limit import ToggleLimit
from bot.replies import Closing, DeleteRespondentMessage, Notice, Prompt
from bot.runtime import open_conversation
from bot.settings import BotSettings
from storage.database import Database, open_database
from storage.keys import generate_staff_key
from storage.pseudonyms import Pseudonyms
from storage.repository import Change, QuestionnaireRef, Repository
from storage.server_secret import ServerSecret
from storage.tables import Submission
from tests.bot.conversation_support import Chat, World, consented, world
from tests.storage.repository_support import at_version

TOO_FAST = "Va muy rápido. Espere un minuto y siga, por favor."
START_HINT = "Para empezar o seguir el cuestionario, escriba /start."
NOT_OPEN_7 = (
    "Este cuestionario ya no está abierto. Si lo dejó sin terminar más de 7 días, sus "
    "respuestas se guardaron como un testimonio incompleto. Para empezar uno nuevo, escriba "
    "/start."
)
EXPIRED_7 = (
    "Su cuestionario anterior pasó más de 7 días sin actividad: sus respuestas se guardaron "
    "como un testimonio incompleto. Si quiere, puede empezar uno nuevo aquí."
)


class Clock:
    """A clock the test moves; the conversation and the repository share it."""

    def __init__(self) -> None:
        self.now = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def custom_world(
    database: Database, tmp_path: Path, clock: Clock | None = None, **options: Any
) -> AbstractAsyncContextManager[World]:
    """A world whose repository and conversation read one clock, with extra options."""
    return world(database, tmp_path, clock=clock or Clock(), **options)


async def statuses(database: Database) -> list[str]:
    async with database.engine.connect() as connection:
        rows = await connection.execute(select(Submission.status))  # type: ignore[call-overload]
        return [str(status) for status in rows.scalars().all()]


def deletions(replies: tuple[Any, ...]) -> list[int]:
    return [r.message_ref for r in replies if isinstance(r, DeleteRespondentMessage)]


# --- 2. campaign codes: only registered codes are ever stored ---------------------------

REGISTERED = frozenset({"red_medicos"})
PERSONAL_CODE = "juan_perez_cienfuegos"  # a deep link made for one person


@pytest.mark.parametrize(
    ("campaigns", "deep_link", "stored"),
    [
        pytest.param(REGISTERED, PERSONAL_CODE, None, id="personal_code_not_stored"),
        pytest.param(REGISTERED, "red_medicos", "red_medicos", id="registered_code_stored"),
        pytest.param(frozenset(), "red_medicos", None, id="without_allow_list_none_stored"),
    ],
)
async def test_only_a_registered_campaign_code_is_stored(
    database: Database,
    tmp_path: Path,
    campaigns: frozenset[str],
    deep_link: str,
    stored: str | None,
) -> None:
    async with consented(database, tmp_path, campaign=deep_link, campaigns=campaigns) as (w, chat):
        await chat.answer("si")
        assert await w.campaigns() == [stored]


@asynccontextmanager
async def forged_press(
    database: Database, tmp_path: Path, token: ConsentToken | LanguageToken
) -> AsyncIterator[tuple[World, Chat]]:
    """A respondent, under the allow-list, pressing a button token forged by hand."""
    async with world(database, tmp_path, campaigns=REGISTERED) as w:
        chat = w.respondent()
        await chat.press_token(encode(token))
        yield w, chat


async def test_a_forged_grant_in_a_consent_token_opens_nothing(
    database: Database, tmp_path: Path
) -> None:
    # A grant token is a code's short id with its MAC under the server secret: a button
    # forged by hand names no code, so it starts nothing (and records no campaign).
    token = ConsentToken("es", 0, PERSONAL_CODE)
    async with forged_press(database, tmp_path, token) as (w, chat):
        assert await w.counts() == (0, 0, 0)
        assert any(isinstance(r, Notice) for r in chat.replies)


async def test_language_switch_does_not_carry_a_forged_grant(
    database: Database, tmp_path: Path
) -> None:
    async with forged_press(database, tmp_path, LanguageToken("en", PERSONAL_CODE)) as (_, chat):
        carried = [
            t.grant
            for reply in chat.replies
            if isinstance(reply, Prompt)
            for t in (decode(option.token) for option in reply.options)
            if isinstance(t, ConsentToken | LanguageToken)
        ]
        assert carried == []


# --- 3. discreet mode deletes every typed message once handled --------------------------


async def test_rejected_typed_answer_is_deleted_in_discreet_mode(
    database: Database, tmp_path: Path
) -> None:
    async with consented(database, tmp_path) as (w, chat):
        assert chat.current().id == "lugar_seguro"
        before = await w.counts()
        replies = await chat.send(Text("estoy en Caracas, me vigilan", message_ref=31))
        assert deletions(replies) == [31]
        prompt = next(r for r in replies if isinstance(r, Prompt))
        assert prompt.note  # the respondent still sees why the answer was not taken
        assert chat.current().id == "lugar_seguro"
        assert await w.counts() == before


async def test_typed_text_without_a_draft_is_deleted(database: Database, tmp_path: Path) -> None:
    async with world(database, tmp_path) as w:
        chat = w.respondent(user_id=5555)
        replies = await chat.send(Text("Quiero denunciar a mi jefe de brigada", message_ref=8))
        assert deletions(replies) == [8]
        assert chat.notices() == [START_HINT]
        assert await w.counts() == (0, 0, 0)


async def test_rejected_typed_answer_stays_when_discreet_mode_is_off(
    database: Database, tmp_path: Path
) -> None:
    async with consented(database, tmp_path) as (_, chat):
        await chat.command("discreto")
        await chat.press("Desactivar modo discreto")
        replies = await chat.send(Text("algo que no es una opción", message_ref=40))
        assert deletions(replies) == []
        assert chat.current().id == "lugar_seguro"


# --- 4. a draft past its expiry date is never resumed --------------------------------------


@asynccontextmanager
async def week_long_draft(
    database: Database, tmp_path: Path, clock: Clock
) -> AsyncIterator[tuple[World, Chat]]:
    """A respondent who consented and answered lugar_seguro, under a seven-day draft TTL."""
    async with custom_world(database, tmp_path, clock, draft_ttl_days=7) as w:
        chat = w.respondent()
        await chat.consent()
        await chat.answer("si")
        yield w, chat


async def test_expired_draft_is_expired_on_next_contact_not_resumed(
    database: Database, tmp_path: Path
) -> None:
    clock = Clock()
    async with week_long_draft(database, tmp_path, clock) as (w, chat):
        old_button = chat.option("Prefiero no responder").token
        assert await w.count_drafts() == 1
        clock.now += timedelta(days=120)  # the bot kept running all this time

        await chat.press_token(old_button)
        # Not revived, and not "already answered": where the answers went, how to start anew.
        assert chat.notices() == [NOT_OPEN_7]
        assert await w.count_drafts() == 0
        assert await statuses(database) == ["partial"]

        await chat.start()
        assert chat.prompt is not None  # a fresh consent screen, not the old question
        assert [o.label for o in chat.prompt.options][:2] == ["Acepto", "No acepto"]


async def test_start_on_an_expired_draft_says_its_answers_were_kept(
    database: Database, tmp_path: Path
) -> None:
    clock = Clock()
    async with week_long_draft(database, tmp_path, clock) as (_, chat):
        clock.now += timedelta(days=8)
        await chat.start()
        assert chat.notices() == [EXPIRED_7]
        assert chat.prompt is not None  # the consent screen of a new questionnaire
        assert [o.label for o in chat.prompt.options][:2] == ["Acepto", "No acepto"]
        assert await statuses(database) == ["partial"]


async def test_expired_draft_is_not_changed_by_typed_text(
    database: Database, tmp_path: Path
) -> None:
    clock = Clock()
    async with week_long_draft(database, tmp_path, clock) as (w, chat):
        clock.now += timedelta(days=8)
        await chat.type("médico")
        assert chat.notices() == [NOT_OPEN_7]  # what became of the answers, how to start anew
        assert await w.count_drafts() == 0
        [submission] = await w.submissions()
        assert submission.meta.status == "partial"
        assert submission.answers == {"consentimiento": "acepto", "lugar_seguro": "si"}


async def test_draft_within_its_ttl_is_resumed(database: Database, tmp_path: Path) -> None:
    clock = Clock()
    async with week_long_draft(database, tmp_path, clock) as (w, chat):
        clock.now += timedelta(days=7)  # expires_on is today: still valid
        await chat.start()
        assert chat.current().id == "rol"
        assert await w.count_drafts() == 1


async def test_running_bot_expires_drafts_periodically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = BotSettings(data_dir=tmp_path / "data")
    (tmp_path / "data").mkdir()
    staff = generate_staff_key()
    async with open_conversation(settings, staff_key=staff.public_key, expiry_interval=0.05):
        # A draft left 10 days ago with a 1-day TTL, written while the bot runs.
        other = await open_database(settings.effective_database_url)
        try:
            secret = ServerSecret.load_or_create(settings.effective_server_secret_file)
            past = datetime.now(UTC) - timedelta(days=10)
            repository = Repository(
                other, secret, staff.public_key, draft_ttl=timedelta(days=1), clock=lambda: past
            )
            pseudonym = Pseudonyms(secret, draft_ttl_days=1, clock=lambda: past.date()).draft_key(
                42
            )
            await repository.start_or_resume(
                pseudonym,
                questionnaire=QuestionnaireRef("t", 1, "00" * 32),
                campaign=None,
                initial_state=b"{}",
            )
            await repository.apply(
                pseudonym, update_id=1, decide=at_version(1, Change(state=b"{}", answers=(b"{}",)))
            )
            for _ in range(100):
                if await statuses(other) == ["partial"]:
                    break
                await asyncio.sleep(0.05)
            assert await statuses(other) == ["partial"]
        finally:
            await other.close()
    leftover = [
        task
        for task in asyncio.all_tasks()
        if "_expire_periodically" in repr(task.get_coro()) and not task.done()
    ]
    assert leftover == []


# --- 5. respondents are told what happens to unfinished answers ----------------------------


async def test_help_privacy_and_pause_say_when_unfinished_answers_stop_being_deletable(
    database: Database, tmp_path: Path
) -> None:
    async with custom_world(database, tmp_path, draft_ttl_days=12) as w:
        chat = w.respondent()
        for command in ("ayuda", "privacidad"):
            await chat.command(command)
            [notice] = chat.notices()
            assert "12 días sin actividad" in notice and "testimonio incompleto" in notice
            assert "/borrar" in notice
        await chat.consent()
        await chat.answer("no")  # not in a safe place: the questionnaire pauses
        [closing] = [r for r in chat.replies if isinstance(r, Closing)]
        assert "Vuelva cuando pueda" in closing.text
        assert "12 días sin actividad" in closing.text and "/borrar" in closing.text


async def test_english_help_tells_the_same(database: Database, tmp_path: Path) -> None:
    async with world(database, tmp_path) as w:
        chat = w.respondent(language_code="en")
        await chat.command("help")
        [notice] = chat.notices()
        assert "30 days without activity" in notice and "/delete" in notice


# --- 9. multi-select toggles are rate limited in memory ------------------------------------


class RecordingLimit(ToggleLimit):
    def __init__(self, per_minute: int) -> None:
        super().__init__(per_minute)
        self.keys: list[bytes] = []

    def allow(self, rate_pseudonym: bytes) -> bool:
        self.keys.append(rate_pseudonym)
        return super().allow(rate_pseudonym)


async def test_toggles_are_rate_limited_without_database_writes(
    database: Database, tmp_path: Path
) -> None:
    limit = RecordingLimit(3)
    async with custom_world(database, tmp_path, toggle_limit=limit) as w:
        chat = w.respondent(user_id=123_456_789)
        await chat.consent()
        for code in ("si", "paciente_cuba", "matanzas", "si"):
            await chat.answer(code)
        assert chat.current().id == "motivos"
        for label in ("No había medicamentos", "No había transporte", "No había medicamentos"):
            await chat.press(label)
            assert chat.notices() == []
        await chat.press("No había transporte")
        assert chat.notices() == [TOO_FAST]

        secret = ServerSecret.load(tmp_path / "server.secret")
        # The world's conversation lives on 2025-06-01 (its fixed clock).
        rate = Pseudonyms(secret, draft_ttl_days=30, clock=lambda: date(2025, 6, 1)).rate(
            123_456_789
        )
        assert limit.keys == [rate] * 4
        assert b"123456789" not in rate

        other = w.respondent(user_id=987)
        await other.consent()
        assert other.notices() == []  # one respondent's bucket does not slow another


def test_toggle_limit_refills_and_is_bounded() -> None:
    now = [0.0]
    limit = ToggleLimit(6, max_respondents=2, clock=lambda: now[0])
    assert [limit.allow(b"a") for _ in range(7)] == [True] * 6 + [False]
    now[0] += 10  # 6 per minute: one press back every 10 s
    assert limit.allow(b"a") and not limit.allow(b"a")
    limit.allow(b"b")
    limit.allow(b"c")  # a third respondent: the least recently seen ("a") is dropped
    assert len(limit) == 2
    assert limit.allow(b"a")  # "a" starts again with a full bucket


# --- 11. the server secret next to the database is refused in production -------------------
# (the refusal itself: tests/bot/test_startup_refusals.py, through the real `oclep-bot run`)


def test_secret_beside_database_only_for_a_local_sqlite_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert BotSettings(data_dir=data).server_secret_beside_database
    explicit = BotSettings(data_dir=data, server_secret_file=data / "server.secret")
    assert explicit.server_secret_beside_database
    apart = BotSettings(data_dir=data, server_secret_file=tmp_path / "keys" / "server.secret")
    assert not apart.server_secret_beside_database
    remote = BotSettings(data_dir=data, database_url="postgresql+asyncpg://oclep@db/oclep")
    assert not remote.server_secret_beside_database
