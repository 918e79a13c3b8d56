"""The attachments question in the channel-neutral conversation: limits, «Listo», skips,
repeated deliveries, files that fail."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.attachment_budget import DayBudget
from bot.attachment_intake import AttachmentIntake
from bot.attachment_limits import FileLimits
from bot.conversation import Conversation
from bot.events import Attachment
from bot.replies import DeleteRespondentMessage, Prompt
from flows.answers import SKIPPED
from flows.engine import Engine
from flows.loader import load_questionnaire
from storage.attachments.store import AttachmentStore, attachments_of
from storage.database import Database
from storage.keys import generate_staff_key
from storage.pseudonyms import Pseudonyms
from storage.repository import Repository
from storage.server_secret import ServerSecret
from tests.attachments.test_bot_attachments import QUESTIONNAIRE
from tests.bot.conversation_support import CATALOGS, Chat, World

ENGINE = Engine(load_questionnaire(QUESTIONNAIRE))
PDF_HEAD = b"%PDF-1.7\n"
LIMITS = FileLimits(files=3, file_bytes=5_000, draft_bytes=8_000, day_bytes=12_000)


def _world(database: Database, tmp_path: Path, budget: DayBudget | None = None) -> World:
    staff = generate_staff_key()
    secret = ServerSecret.load_or_create(tmp_path / "server.secret")
    repository = Repository(database, secret, staff.public_key, draft_ttl=timedelta(days=30))
    clock: Callable[[], datetime] = lambda: datetime(2026, 12, 1, 12, 0)  # noqa: E731
    conversation = Conversation(
        engine=ENGINE,
        repository=repository,
        pseudonyms=Pseudonyms(secret, draft_ttl_days=30, clock=lambda: clock().date()),
        catalogs=CATALOGS,
        rate_limit=10_000,
        clock=clock,
        attachments=AttachmentIntake(
            engine=ENGINE,
            catalogs=CATALOGS,
            store=AttachmentStore(database),
            staff_key=staff.public_key,
            limits=LIMITS,
            day_budget=budget or DayBudget(LIMITS.day_bytes, clock),
        ),
    )
    return World(database, conversation, staff, engine=ENGINE)


def _file(content: bytes, *, declared: int | None = None, fail: bool = False) -> Attachment:
    async def stream() -> AsyncIterator[bytes]:
        yield content[: len(content) // 2]
        if fail:
            raise ConnectionResetError
        yield content[len(content) // 2 :]

    return Attachment(
        kind="document",
        media_type="application/pdf",
        declared_size=len(content) if declared is None else declared,
        name="contrato.pdf",
        content=stream,
        message_ref=99,
    )


async def _at_documents(world: World, user_id: int) -> Chat:
    chat = world.respondent(user_id=user_id)
    await chat.consent()
    await chat.type("Me quitaron el pasaporte")
    await chat.press("Listo")
    assert chat.current().id == "adjuntos"
    return chat


def _note(chat: Chat) -> str:
    [prompt] = [r for r in chat.replies if isinstance(r, Prompt)]
    return prompt.note or ""


async def _stored(world: World) -> int:
    ids = [s.meta.id for s in await world.submissions()]
    return sum([len(await attachments_of(world.database, i)) for i in ids])


async def test_limits_said_before_and_kept(database: Database, tmp_path: Path) -> None:
    world = _world(database, tmp_path)
    chat = await _at_documents(world, 5_000_001)
    assert chat.prompt is not None and "Hasta 3 archivos" in chat.prompt.text
    await chat.send(_file(PDF_HEAD + bytes(4_000)))
    assert "Archivo 1 recibido" in _note(chat)
    assert DeleteRespondentMessage(99) in chat.replies  # discreet mode: gone once sealed
    await chat.send(_file(PDF_HEAD + bytes(6_000)))  # over the file limit, said by its size
    assert "no se guardó" in _note(chat)
    await chat.send(_file(PDF_HEAD + bytes(4_500)))  # fits a file, not what is left
    assert "no cabe" in _note(chat)
    # A stated size that lies: the bytes are counted as they arrive.
    await chat.send(_file(PDF_HEAD + bytes(4_500), declared=10))
    assert "no cabe" in _note(chat)
    await chat.send(_file(PDF_HEAD + bytes(3_000)))
    assert "Archivo 2 recibido" in _note(chat)
    assert await _stored(world) == 2


async def test_listo_typed_records_the_count_and_skip_with_files_is_refused(
    database: Database, tmp_path: Path
) -> None:
    world = _world(database, tmp_path)
    chat = await _at_documents(world, 5_000_002)
    await chat.type("aquí va el contrato")
    assert "Envíe fotos o archivos" in _note(chat)
    await chat.send(_file(PDF_HEAD + bytes(100)))
    await chat.press("Prefiero no responder")
    assert "Ya envió 1 archivos" in _note(chat)
    await chat.type("listo")
    assert chat.on_review()
    await chat.press("Enviar")
    [submission] = await world.submissions()
    assert submission.answers["adjuntos"] == 1


async def test_skipped_without_files_and_zero_files(database: Database, tmp_path: Path) -> None:
    world = _world(database, tmp_path)
    skipper = await _at_documents(world, 5_000_003)
    await skipper.press("Prefiero no responder")
    await skipper.press("Enviar")
    none_sent = await _at_documents(world, 5_000_004)
    await none_sent.press("Listo")
    await none_sent.press("Enviar")
    answers = sorted(str(s.answers["adjuntos"]) for s in await world.submissions())
    assert answers == sorted([str(SKIPPED), "0"])


async def test_a_repeated_delivery_stores_the_file_once(database: Database, tmp_path: Path) -> None:
    world = _world(database, tmp_path)
    chat = await _at_documents(world, 5_000_005)
    update_ids = itertools.count(90_000)
    update_id = next(update_ids)
    file = _file(PDF_HEAD + bytes(200))
    await chat.send(file, update_id=update_id)
    assert "Archivo 1 recibido" in _note(chat)
    await chat.send(file, update_id=update_id)  # Telegram delivers it again
    assert "Archivo 2" not in _note(chat)
    assert await _stored(world) == 1


@pytest.mark.parametrize("content", [b"MZ" + bytes(300), b"x"], ids=["program", "tiny"])
async def test_a_cut_download_or_a_wrong_format_keeps_nothing(
    database: Database, tmp_path: Path, content: bytes
) -> None:
    world = _world(database, tmp_path)
    chat = await _at_documents(world, 5_000_006)
    await chat.send(_file(PDF_HEAD + bytes(2_000), fail=True))
    assert "No pude recibir el archivo" in _note(chat)
    await chat.send(_file(content))
    assert "Ese tipo de archivo no se acepta" in _note(chat)
    assert await _stored(world) == 0


async def test_the_day_budget_spans_questionnaires(database: Database, tmp_path: Path) -> None:
    world = _world(database, tmp_path, DayBudget(5_000))
    chat = await _at_documents(world, 5_000_007)
    await chat.send(_file(PDF_HEAD + bytes(3_000)))
    assert "Archivo 1 recibido" in _note(chat)
    await chat.send(_file(PDF_HEAD + bytes(3_000)))
    assert "Por hoy no se pueden recibir más archivos" in _note(chat)
