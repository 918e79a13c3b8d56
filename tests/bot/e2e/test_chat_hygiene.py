"""Groups, media, edits and the command menu: short answers, nothing stored."""

from __future__ import annotations

from pathlib import Path

from bot.telegram import texts
from tests.bot.e2e.support import running_bot
from tests.telegram_emulator import BotApiEmulator


async def test_groups_media_and_edits_get_one_short_answer_and_store_nothing(
    tmp_path: Path,
) -> None:
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(emulator, tmp_path / "data") as bot,
    ):
        user = emulator.user(6_300_001, language_code="es")
        group = emulator.group("Brigada Caracas", supergroup=True)
        await group.send_text("hola a todos", sender=user)
        await group.send_command("/start", sender=user)
        await group.wait_for_reply()
        await group.send_command("/ayuda", sender=user)
        await group.send_text("otra vez @oclep_test_bot", sender=user)

        location = await user.send_content({"location": {"latitude": 23.1, "longitude": -82.4}})
        await user.wait_for_reply()
        assert [m.text for m in user.screen()] == [texts.NOT_AN_ANSWER]
        assert user.chat.messages[location].deleted

        typed = await user.send_text("hola")
        await user.wait_for_reply()
        await user.edit_text(typed, "hola de nuevo")
        await user.wait_for_reply()
        await user.edit_text(typed, "otra corrección")
        await user.send_command("/ayuda")  # a marker: its answer comes after any edit notice
        await user.wait_for_reply()
        said = [m.text for m in user.history() if m.from_bot]
        assert said.count(texts.EDITS_IGNORED) == 1

        group_said = [m.text for m in group.history() if m.from_bot]
        assert group_said == [texts.PRIVATE_CHATS_ONLY]
        assert all(c.params.get("protect_content") for c in emulator.calls_to("sendMessage"))
        assert await bot.submissions() == []

        spanish = [c["command"] for c in emulator.commands()]
        english = [c["command"] for c in emulator.commands("en")]
        assert spanish == ["start", "ayuda", "privacidad", "borrar", "idioma", "discreto"]
        assert english == ["start", "help", "privacy", "delete", "language", "discreet"]
