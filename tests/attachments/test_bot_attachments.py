"""Files through the real bot and the emulator: checked, sealed, counted, refused, deleted."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import func, select

from bot.attachment_limits import MAX_FILE_BYTES
from storage.database import open_database
from storage.tables import ATTACHMENTS
from tests.attachments.fixtures import jpeg_with_gps, pdf_with_author
from tests.bot.e2e.support import captured_logs, running_bot
from tests.conftest import DatabaseTarget
from tests.telegram_emulator import BotApiEmulator, SimulatedUser

QUESTIONNAIRE = Path(__file__).resolve().parents[1] / "bot" / "e2e" / "fixtures" / "documentos.yaml"
TESTIMONY = "Me retuvieron el pasaporte y el salario."


async def to_the_documents(user: SimulatedUser) -> None:
    """/start, consent, a testimony, «Listo»: the documents question on screen."""
    await user.send_command("/start")
    await until_screen(user, "¿Acepta participar?")
    await user.press("Acepto")
    await until_screen(user, "cuente con sus palabras")
    await user.send_text(TESTIMONY)
    await until_screen(user, "Parte guardada")
    await user.press("Listo")
    await until_screen(user, "¿Tiene documentos")


async def until_screen(user: SimulatedUser, words: str, seconds: float = 10.0) -> str:
    """Wait until the questionnaire message shows `words`; its text."""

    def shown(_screen: object) -> bool:
        message = user.chat.last_bot_message(with_keyboard=True)
        return message is not None and words in (message.snapshot().text or "")

    await user.wait_for_screen(shown, timeout=seconds, description=repr(words))
    return screen_text(user)


def screen_text(user: SimulatedUser) -> str:
    message = user.chat.last_bot_message(with_keyboard=True)
    assert message is not None
    return message.snapshot().text or ""


async def attachment_count(database_url: str) -> int:
    database = await open_database(database_url)
    try:
        async with database.engine.connect() as connection:
            count = await connection.scalar(select(func.count()).select_from(ATTACHMENTS))
            return int(count or 0)
    finally:
        await database.close()


async def test_files_are_sealed_counted_and_their_messages_deleted(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    photo, pdf = jpeg_with_gps(), pdf_with_author()
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(
            emulator,
            tmp_path / "data",
            database_url=database_target.url,
            questionnaire_file=QUESTIONNAIRE,
        ) as bot,
    ):
        user = emulator.user(6_200_001)
        await to_the_documents(user)
        guide = screen_text(user)
        assert "tape los nombres" in guide and "Listo" in guide
        assert "Hasta 10 archivos, de hasta 20 MB" in guide
        with captured_logs([emulator.token]) as logs:
            sent_photo = await user.send_photo(photo, caption="foto del recibo de Pedro")
            await until_screen(user, "Archivo 1 recibido")
            sent_pdf = await user.send_document(
                pdf, file_name="contrato_Pedro.pdf", mime_type="application/pdf"
            )
            await until_screen(user, "Archivo 2 recibido")
        # Discreet mode: each file's message is gone from the chat once sealed.
        await user.wait_for_screen(
            lambda screen: not {sent_photo, sent_pdf} & {m.message_id for m in screen},
            description="the files' messages deleted",
        )
        logged = logs.getvalue()
        for secret in ("Pedro", "contrato", "recibo", str(len(pdf)), str(len(photo))):
            assert secret not in logged
        await user.press("Listo")
        await until_screen(user, "Enviar")
        await user.press("Enviar")
        await user.wait_for_screen(
            lambda screen: any("recibo es" in (m.text or "") for m in screen),
            description="the receipt",
        )
        (submission,) = await bot.submissions()
    assert submission.answers["adjuntos"] == 2
    assert await attachment_count(bot.settings.effective_database_url) == 2


async def test_files_refused_before_download(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(
            emulator,
            tmp_path / "data",
            database_url=database_target.url,
            questionnaire_file=QUESTIONNAIRE,
        ) as bot,
    ):
        user = emulator.user(6_200_002)
        early = await user.send_photo(jpeg_with_gps())
        await user.wait_for_reply()
        assert not user.downloaded(early)
        last = user.last_bot_message()
        assert last is not None and "Ahora no puedo recibir archivos" in (last.text or "")
        await to_the_documents(user)
        big = await user.send_document(
            b"%PDF-" + os.urandom(MAX_FILE_BYTES),
            file_name="grande.pdf",
            mime_type="application/pdf",
        )
        await until_screen(user, "pasa de 20 MB y no se guardó")
        assert not user.downloaded(big)
        video = await user.send_document(os.urandom(1000), file_name="v.mp4", mime_type="video/mp4")
        await until_screen(user, "Ese tipo de archivo no se acepta")
        assert not user.downloaded(video)
        # A stated type that lies: refused by its first bytes, nothing kept.
        liar = await user.send_document(
            b"MZ" + os.urandom(5000), file_name="x.pdf", mime_type="application/pdf"
        )
        await user.wait_for_screen(
            lambda _s: (
                user.downloaded(liar) and not any(m.message_id == liar for m in user.screen())
            ),
            description="the liar refused and deleted",
        )
        assert "Ese tipo de archivo no se acepta" in screen_text(user)
        assert await attachment_count(bot.settings.effective_database_url) == 0
