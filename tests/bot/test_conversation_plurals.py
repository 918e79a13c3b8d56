"""Counts in the respondent's texts take the right plural form: "1 día", "30 días"."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.conversation import Conversation
from bot.draft_state import DraftState
from bot.replies import Closing
from bot.screens import Screens
from flows.engine import Engine
from flows.loader import parse_questionnaire
from storage.database import Database
from storage.keys import generate_staff_key
from storage.pseudonyms import Pseudonyms
from storage.repository import Repository
from storage.server_secret import ServerSecret
from tests.bot.conversation_support import CATALOGS, ENGINE, World


@asynccontextmanager
async def world_with_ttl(database: Database, tmp_path: Path, days: int) -> AsyncIterator[World]:
    """A bot whose unfinished answers expire after `days` days (OCLEP_DRAFT_TTL_DAYS)."""
    staff_key = generate_staff_key()
    secret = ServerSecret.load_or_create(tmp_path / "server.secret")
    repository = Repository(database, secret, staff_key.public_key, draft_ttl=timedelta(days=days))
    conversation = Conversation(
        engine=ENGINE,
        repository=repository,
        pseudonyms=Pseudonyms(secret, draft_ttl_days=days, clock=lambda: datetime.now(UTC).date()),
        catalogs=CATALOGS,
        draft_ttl_days=days,
        rate_limit=1000,
    )
    yield World(database, conversation, staff_key)


@pytest.mark.parametrize(
    ("days", "spanish", "english"),
    [
        (1, "Después de 1 día sin actividad", "After 1 day without activity"),
        (30, "Después de 30 días sin actividad", "After 30 days without activity"),
    ],
)
async def test_the_draft_lifetime_is_told_with_the_right_plural(
    database: Database, tmp_path: Path, days: int, spanish: str, english: str
) -> None:
    async with world_with_ttl(database, tmp_path, days) as w:
        chat = w.respondent(user_id=1, language_code="es")
        await chat.command("ayuda")
        [help_text] = chat.notices()
        assert spanish in help_text
        assert "1 días" not in help_text

        chat_en = w.respondent(user_id=2, language_code="en")
        await chat_en.command("privacy")
        [privacy] = chat_en.notices()
        assert english in privacy
        assert "1 days" not in privacy

        # Pausing tells it too, in the same words.
        await chat.consent()
        await chat.answer("no")  # not in a safe place: the questionnaire pauses
        [closing] = [r for r in chat.replies if isinstance(r, Closing)]
        assert spanish in closing.text


def engine_of(question_count: int) -> Engine:
    """A questionnaire of `question_count` yes/no questions and nothing else."""
    questions = "".join(
        f"      - {{id: q{i}, type: yesno, text: '¿Pregunta {i}?'}}\n"
        for i in range(question_count)
    )
    definition = (
        "id: mini\nversion: 1\ntitle: Mini\nmodules:\n"
        "  - id: m\n    title: Módulo\n    questions:\n" + questions
    )
    return Engine(parse_questionnaire(definition, "mini.yaml"))


@pytest.mark.parametrize(
    ("question_count", "locale", "label"),
    [
        (1, "es", "Pregunta 1 de 1"),
        (30, "es", "Pregunta 1 de unas 30"),
        (1, "en", "Question 1 of 1"),
        (30, "en", "Question 1 of about 30"),
    ],
)
def test_the_progress_label_counts_in_the_respondents_language(
    question_count: int, locale: str, label: str
) -> None:
    screens = Screens(engine_of(question_count), CATALOGS)
    prompt = screens.question(DraftState(current="q0", locale=locale))
    assert prompt.progress is not None
    assert prompt.progress.total_estimate == question_count
    assert prompt.progress.label == label
