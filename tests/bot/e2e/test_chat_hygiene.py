"""Groups, media, edits and the command menu: short answers, nothing stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from bot import attachment_texts
from bot import texts as conversation_texts
from bot.i18n import Catalogs
from bot.telegram import texts
from tests.bot.e2e.support import running_bot
from tests.telegram_emulator import BotApiEmulator, SimulatedUser

# The shipped questionnaire asks for documents at its end (`adjuntos`): a photo sent before
# is answered that files come at the end; other media get the channel's plain hint.
FILES_LATER: Final = attachment_texts.NOT_NOW
PHOTO: Final[dict[str, Any]] = {
    "photo": [{"file_id": "f", "file_unique_id": "u", "width": 90, "height": 90}],
    "caption": "mi pasaporte",
}
LOCATION: Final[dict[str, Any]] = {"location": {"latitude": 23.1, "longitude": -82.4}}
CATALOGS: Final = Catalogs.load()


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


def bot_said(user: SimulatedUser) -> list[str]:
    return [m.text or "" for m in user.history() if m.from_bot]


async def consent(user: SimulatedUser) -> None:
    await user.send_command("/start")
    await user.wait_for_reply()
    await user.press("Acepto")
    await user.wait_for_reply()


async def test_non_answers_are_deleted_only_in_discreet_mode(tmp_path: Path) -> None:
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(emulator, tmp_path / "data") as bot,
    ):
        user = emulator.user(6_300_101, language_code="es")
        await consent(user)

        photo = await user.send_content(PHOTO)  # discreet mode is on by default
        await user.wait_for_reply()
        assert FILES_LATER in bot_said(user)[-1]
        assert user.chat.messages[photo].deleted

        await user.send_command("/discreto")  # shows the state; only a button changes it
        await user.wait_for_reply()
        assert bot_said(user)[-1] == conversation_texts.DISCREET_IS_ON
        await user.press("Desactivar modo discreto")
        await user.wait_for_reply()
        location = await user.send_content(LOCATION)
        await user.wait_for_reply()
        assert texts.NOT_AN_ANSWER in bot_said(user)[-1]
        assert not user.chat.messages[location].deleted

        await user.send_command("/discreto")
        await user.wait_for_reply()
        assert bot_said(user)[-1] == conversation_texts.DISCREET_IS_OFF
        await user.press("Activar modo discreto")
        await user.wait_for_reply()
        again = await user.send_content(LOCATION)
        await user.wait_for_reply()
        assert user.chat.messages[again].deleted
        # Only the consent was stored: nothing of the photo or the locations.
        assert [s.meta.answer_count for s in await bot.submissions()] == [1]


async def test_the_adapters_texts_come_in_the_respondents_language(tmp_path: Path) -> None:
    english_hint = CATALOGS.gettext("en", FILES_LATER)
    english_edit = CATALOGS.gettext("en", texts.EDITS_IGNORED)
    assert english_hint != FILES_LATER
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(emulator, tmp_path / "data"),
    ):
        # An English client, before any draft: its language code decides.
        newcomer = emulator.user(6_300_201, language_code="en-GB")
        photo = await newcomer.send_content(PHOTO)
        await newcomer.wait_for_reply()
        assert bot_said(newcomer) == [english_hint]
        assert newcomer.chat.messages[photo].deleted  # no draft: discreet is the default

        # A Spanish client who chose English with /idioma: the draft's language decides.
        chooser = emulator.user(6_300_202, language_code="es")
        await consent(chooser)
        typed = await chooser.send_text("hola")  # not an answer to a yes/no, refused
        await chooser.wait_for_reply()
        await chooser.send_command("/idioma")
        await chooser.wait_for_reply()
        await chooser.press("English")
        await chooser.wait_for_reply()
        await chooser.send_content(PHOTO)
        await chooser.wait_for_reply()
        assert english_hint in bot_said(chooser)[-1]
        await chooser.edit_text(typed, "hola de nuevo")
        await chooser.wait_for_reply()
        assert english_edit in bot_said(chooser)[-1]

        # A Spanish client keeps Spanish.
        spanish = emulator.user(6_300_203, language_code="es")
        await spanish.send_content(PHOTO)
        await spanish.wait_for_reply()
        assert bot_said(spanish) == [FILES_LATER]
