"""Discreet mode without holes: failures, notices, /borrar, silent messages, testimony bounds."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from bot import attachment_texts, texts
from bot.i18n import Catalogs
from tests.bot.e2e.plans import HEALTH
from tests.bot.e2e.support import (
    Answer,
    Press,
    Respondent,
    SkipIt,
    Type,
    questionnaire_engine,
    running_bot,
)
from tests.telegram_emulator import BotApiEmulator, SimulatedUser

CATALOGS: Final = Catalogs.load()
PHOTO: Final = {"photo": [{"file_id": "f", "file_unique_id": "u", "width": 90, "height": 90}]}
# A busy database answers after SQLite's busy timeout (5 s): wait longer than that.
SLOW_REPLY: Final = 15.0
TO_MISSION_COUNTRY: Final[dict[str, Answer]] = {
    "consentimiento": Press("acepto"),
    "lugar_seguro": Press("si"),
    "rol": Press("mision_pasada"),
    "sector": Press("salud"),
    "profesion_salud": Press("medico"),
}


@contextmanager
def write_lock_held(database_file: Path) -> Iterator[None]:
    """Another connection holds SQLite's write lock (a staff tool, a backup) for the block."""
    connection = sqlite3.connect(database_file, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield
        connection.execute("COMMIT")
    finally:
        connection.close()


async def answer_until(
    respondent: Respondent, question_id: str, plan: Mapping[str, Answer]
) -> None:
    """Answer per `plan` (others skipped) until `question_id` is on screen."""
    for _ in range(len(respondent.engine.questions)):
        question, _ = respondent.screen_question()
        if question.id == question_id:
            return
        await respondent.answer(plan.get(question.id, SkipIt()))
    raise AssertionError(f"{question_id} never came")


def admin_stats(database_url: str) -> subprocess.CompletedProcess[str]:
    """`oclep-admin stats` as staff run it, on a stopped bot's database."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "oclep-admin"), "stats", "--database-url", database_url],
        capture_output=True,
        text=True,
        timeout=120,
        env={"COLUMNS": "200", "PATH": ""},
    )


def visible_texts(user: SimulatedUser) -> list[str]:
    return [m.text or "" for m in user.screen()]


def silent_and_protected(emulator: BotApiEmulator) -> bool:
    sends = emulator.calls_to("sendMessage")
    return bool(sends) and all(
        c.params.get("protect_content") is True and c.params.get("disable_notification") is True
        for c in sends
    )


async def test_a_failed_answer_is_deleted_and_every_notice_goes_once_read(
    tmp_path: Path,
) -> None:
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(emulator, tmp_path / "data") as bot,
    ):
        # Before any questionnaire: help is its own message, gone once the respondent acts.
        respondent = Respondent(emulator.user(6_400_001), questionnaire_engine())
        user = respondent.user
        command = await user.send_command("/ayuda")
        await user.wait_for_reply()
        assert user.chat.messages[command].deleted
        [help_message] = user.screen()
        assert texts.HELP.split("\n")[0] in (help_message.text or "")
        await respondent.start()
        assert user.chat.messages[help_message.message_id].deleted
        await answer_until(respondent, "pais", TO_MISSION_COUNTRY)

        # The database is locked: the typed answer is not kept, and not left in the chat.
        with write_lock_held(tmp_path / "data" / "oclep.db"):
            typed = await user.send_text("Venezuela")
            await user.wait_for_reply(timeout=SLOW_REPLY)
        assert user.chat.messages[typed].deleted
        assert visible_texts(user)[-1] == texts.TRY_AGAIN_TYPED
        [draft] = await bot.submissions()
        assert "pais" not in draft.answers

        # Typed again: stored, and the failure notice is removed with the typed answer.
        retyped = await user.send_text("Venezuela")
        await user.wait_for_reply()
        assert user.chat.messages[retyped].deleted
        [questionnaire] = user.screen()  # one message in the chat: the questionnaire
        assert respondent.screen_question()[0].id == "anio_inicio"
        [draft] = await bot.submissions()
        assert draft.answers["pais"] == "VE"

        # Help, privacy, a photo's hint, an unknown command: inside the questionnaire
        # message, above the question, until the next screen.
        for command_text, shown in (
            ("/ayuda", texts.HELP.split("\n")[0]),
            ("/privacidad", texts.PRIVACY.split("\n")[0]),
            ("/nada", texts.UNKNOWN_COMMAND),
        ):
            sent = await user.send_command(command_text)
            await user.wait_for_reply()
            assert user.chat.messages[sent].deleted
            [message] = user.screen()
            assert message.message_id == questionnaire.message_id
            assert shown in (message.text or "") and "¿En qué año empezó" in (message.text or "")
        photo = await user.send_content(PHOTO)
        await user.wait_for_reply()
        assert user.chat.messages[photo].deleted
        [message] = user.screen()
        # The shipped questionnaire asks for documents at its end: the hint says so.
        assert attachment_texts.NOT_NOW in (message.text or "")
        await respondent.answer(Type("2017"))
        [message] = user.screen()
        assert attachment_texts.NOT_NOW not in (message.text or "")
        assert silent_and_protected(emulator)


async def test_borrar_with_a_receipt_leaves_the_receipt_nowhere_in_the_chat(
    tmp_path: Path,
) -> None:
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(emulator, tmp_path / "data") as bot,
    ):
        respondent = Respondent(emulator.user(6_400_101), questionnaire_engine())
        user = respondent.user
        await respondent.start()
        done = await respondent.complete(HEALTH)
        receipt = re.search(r"\d{4} \d{4} \d{4} \d{4}", done)
        assert receipt is not None
        digits = receipt[0].replace(" ", "")
        calls_before = len(emulator.calls)

        typed = await user.send_text(f"/borrar {receipt[0]}")
        await user.wait_for_reply()
        assert user.chat.messages[typed].deleted
        prompt = user.chat.last_bot_message(with_keyboard=True)
        assert prompt is not None
        assert prompt.snapshot().text == texts.DELETE_RECEIPT_CONFIRM
        # Neither the prompt, nor its buttons, nor any call since holds the receipt.
        for call in emulator.calls[calls_before:]:
            assert digits not in str(call.params).replace(" ", ""), call.method
        assert len(await bot.submissions()) == 1

        await user.press(texts.DELETE_RECEIPT_YES)
        await user.wait_for_reply()
        assert visible_texts(user)[-1] == texts.DELETED_RECEIPT
        assert await bot.submissions() == []

        # A forged or expired reference deletes nothing and says to start again.
        await user.send_callback("w:AAAAAAAAAAAAAAAAAAAA")
        await user.wait_for_reply()
        assert texts.RECEIPT_CONFIRMATION_EXPIRED in visible_texts(user)
        assert silent_and_protected(emulator)


async def test_a_testimony_takes_ten_parts_and_20000_characters_said_beforehand(
    tmp_path: Path,
) -> None:
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(emulator, tmp_path / "data") as bot,
    ):
        respondent = Respondent(emulator.user(6_400_201), questionnaire_engine())
        user = respondent.user
        await respondent.start()
        await answer_until(respondent, "testimonio", HEALTH)
        _, screen = respondent.screen_question()
        room = "Todavía puede enviar hasta {} partes, con {} caracteres en total como máximo."
        assert room.format(10, 20000) in (screen.text or "")

        kept: list[str] = []
        for number, size in enumerate((4000, 4000, 4000, 4000, 3000)):  # 4 000: one part's most
            part = f"Parte {number}: ".ljust(size, "x")
            kept.append(part)
            await user.send_text(part)
            await user.wait_for_reply()
            if number == 3:
                assert room.format(6, 4000) in (user.screen()[-1].text or "")
        assert room.format(5, 1000) in (user.screen()[-1].text or "")

        too_long = await user.send_text("y" * 1500)
        await user.wait_for_reply()
        assert user.chat.messages[too_long].deleted
        assert "Esa parte no cabe: puede enviar 1000 caracteres más." in (
            user.screen()[-1].text or ""
        )

        for number in range(5, 10):
            kept.append(f"p{number}")
            await user.send_text(f"p{number}")
            await user.wait_for_reply()
            if number == 8:
                singular = "Todavía puede enviar 1 parte, de {} caracteres como máximo."
                left = 20000 - sum(map(len, kept))
                assert singular.format(left) in (user.screen()[-1].text or "")
        assert texts.TEXT_FULL in (user.screen()[-1].text or "")
        refused = await user.send_text("una parte más")
        await user.wait_for_reply()
        assert user.chat.messages[refused].deleted
        assert texts.TEXT_FULL in (user.screen()[-1].text or "")

        await respondent.press("Listo")
        assert respondent.screen_question()[0].id == "cita_permitida"
        [draft] = await bot.submissions()
        # Exactly the parts accepted, nothing of the refused ones.
        assert draft.answers["testimonio"] == "\n".join(kept)


async def test_completed_testimonies_per_account_and_day_are_capped_and_counted(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(emulator, data, testimonies_per_day=2) as bot,
    ):
        respondent = Respondent(emulator.user(6_400_301), questionnaire_engine())
        user = respondent.user
        for _ in range(2):
            await respondent.start()
            await respondent.complete(HEALTH)
        limit = (
            "Ya recibimos 2 testimonios desde esta cuenta hoy. Muchas gracias. Si quiere dar "
            "otro, vuelva mañana, por favor."
        )
        for _ in range(3):  # refused each time, counted once
            command = await user.send_command("/start")
            await user.wait_for_reply()
            assert user.chat.messages[command].deleted
            assert visible_texts(user)[-1] == limit
        assert len(await bot.submissions()) == 2

        # Someone else is not affected.
        other = emulator.user(6_400_302)
        await other.send_command("/start")
        await other.wait_for_reply()
        assert "Acepto" in (other.screen()[-1].button_texts or [])

        plural = CATALOGS.ngettext("en", texts.TESTIMONY_LIMIT_REACHED, 2).format(count=2)
        assert plural.startswith("We have already received 2 testimonies")

    stats = admin_stats(f"sqlite+aiosqlite:///{data / 'oclep.db'}")
    assert stats.returncode == 0, stats.stderr
    # One account refused three times on one day: one refusal in the two-column table.
    assert re.search(r"│ \d{4}-\d{2}-\d{2} │ +1 │\n│ total +│ +1 │", stats.stdout), stats.stdout
    assert str(respondent.user.user_id) not in stats.stdout
