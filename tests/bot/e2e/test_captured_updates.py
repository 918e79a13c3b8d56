"""Every captured real update (../shared/telegram-updates) fed to the running bot."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from bot import texts as conversation_texts
from bot.i18n import Catalogs, locale_for
from bot.telegram import texts
from bot.telegram.mapping import (
    BotIdentity,
    EditIgnored,
    ForConversation,
    NotAnAnswer,
    PrivateChatsOnly,
    map_update,
)
from tests.bot.e2e.support import running_bot
from tests.telegram_emulator import BotApiEmulator, SimulatedUser

REPO_ROOT = Path(__file__).resolve().parents[3]
CAPTURED = REPO_ROOT.parent / "shared" / "telegram-updates"
FIRST_USER_ID = 8_000_000_001


def captured_updates() -> list[tuple[str, dict[str, Any]]]:
    return [(p.name, json.loads(p.read_text("utf-8"))) for p in sorted(CAPTURED.glob("*.json"))]


def retargeted(update: dict[str, Any], user_id: int) -> dict[str, Any]:
    """The update as the emulator delivers it from `user_id` (SimulatedUser.send_raw_update)."""
    old: set[int] = set()
    for key, payload in update.items():
        if key == "update_id" or not isinstance(payload, dict):
            continue
        sender = payload.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            old.add(sender["id"])
        chat = payload.get("chat") or (payload.get("message") or {}).get("chat")
        if isinstance(chat, dict) and chat.get("type") == "private":
            old.add(int(chat["id"]))

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: user_id if k == "id" and isinstance(v, int) and v in old else walk(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return walk(copy.deepcopy(update))  # type: ignore[no-any-return]


def bot_texts(handle: SimulatedUser | None, chat_id: int, emulator: BotApiEmulator) -> list[str]:
    chat = emulator.api.chats.find(chat_id) if handle is None else handle.chat
    if chat is None:
        return []
    return [m.text or "" for m in chat.history() if m.from_bot]


@pytest.mark.skipif(not CAPTURED.is_dir(), reason="../shared/telegram-updates is absent")
async def test_every_captured_update_is_survived_and_answered_where_due(tmp_path: Path) -> None:
    corpus = captured_updates()
    assert len(corpus) >= 90
    async with await BotApiEmulator.start() as emulator:
        identity = BotIdentity(emulator.api.profile.user_id, emulator.api.profile.username)
        async with running_bot(emulator, tmp_path / "data", allowed_updates=None) as bot:
            expectations = []
            for number, (name, update) in enumerate(corpus):
                user = emulator.user(FIRST_USER_ID + number)
                delivered = retargeted(update, user.user_id)
                expectations.append((name, user, delivered, map_update(delivered, identity)))
                await user.send_raw_update(update)

            def replied(entry: tuple[str, SimulatedUser, dict[str, Any], Any]) -> bool:
                _, user, _, mapped = entry
                if isinstance(mapped, PrivateChatsOnly):
                    return bool(bot_texts(None, mapped.chat_id, emulator))
                if isinstance(mapped, ForConversation) and mapped.callback_query_id:
                    return True  # a captured press cannot be answered: its query id is unknown
                if isinstance(mapped, ForConversation | NotAnAnswer | EditIgnored):
                    return bool(bot_texts(user, 0, emulator))
                return True

            await emulator.wait_until(
                lambda: all(replied(e) for e in expectations),
                timeout=20,
                description="a reply to every update that needs one",
            )

            # Liveness: after all of them, a new respondent still gets the consent screen.
            probe = emulator.user(FIRST_USER_ID - 1)
            await probe.send_command("/start")
            consent = await probe.wait_for_reply()
            assert consent is not None and "¿Acepta participar?" in (consent.text or "")
            assert not bot.task.done()
            assert await bot.submissions() == []  # nothing before consent, nothing from groups

    catalogs = Catalogs.load()

    def tr(mapped: Any, msgid: str) -> str:
        language = getattr(mapped, "language_code", None)
        if isinstance(mapped, ForConversation):
            language = mapped.respondent.language_code
        return catalogs.gettext(locale_for(language), msgid)

    kinds = {type(e[3]).__name__ for e in expectations}
    assert {"ForConversation", "NotAnAnswer", "EditIgnored", "PrivateChatsOnly"} <= kinds
    for name, user, _, mapped in expectations:
        said = bot_texts(user, 0, emulator)
        if isinstance(mapped, NotAnAnswer):
            assert said == [tr(mapped, texts.NOT_AN_ANSWER)], name
            # The emulator gives an arriving message a new id: check the chat, not the id.
            assert all(m.deleted for m in user.history() if not m.from_bot), name
        elif isinstance(mapped, EditIgnored):
            assert said == [tr(mapped, texts.EDITS_IGNORED)], name
        elif isinstance(mapped, PrivateChatsOnly):
            expected = [tr(mapped, texts.PRIVATE_CHATS_ONLY)]
            assert bot_texts(None, mapped.chat_id, emulator) == expected, name
        elif isinstance(mapped, ForConversation) and mapped.callback_query_id is None:
            assert said, name
            if type(mapped.event).__name__ == "Text":
                assert said == [tr(mapped, conversation_texts.START_HINT)], name
        else:
            assert said == [], name  # ignored updates get no reply
