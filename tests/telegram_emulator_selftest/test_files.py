"""Files: getFile and streamed downloads, through aiogram's own client over real HTTP."""

import os

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest

from tests.telegram_emulator import BotApiEmulator
from tests.telegram_emulator.constants import DOWNLOAD_PIECE_BYTES, MAX_BOT_DOWNLOAD_BYTES


def _bot(emulator: BotApiEmulator) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(emulator.api_base))
    return Bot(emulator.token, session=session)


async def test_a_document_is_described_then_streamed_in_pieces(emulator: BotApiEmulator) -> None:
    user = emulator.user(user_id=7101)
    content = os.urandom(3 * DOWNLOAD_PIECE_BYTES + 17)
    message_id = await user.send_document(
        content, file_name="contrato.pdf", mime_type="application/pdf", caption="mi contrato"
    )
    bot = _bot(emulator)
    try:
        [update] = await bot.get_updates()
        assert update.message is not None and update.message.document is not None
        document = update.message.document
        assert (document.file_name, document.mime_type, document.file_size) == (
            "contrato.pdf",
            "application/pdf",
            len(content),
        )
        assert update.message.caption == "mi contrato"
        assert not user.downloaded(message_id)
        described = await bot.get_file(document.file_id)
        assert described.file_size == len(content) and described.file_path
        url = bot.session.api.file_url(bot.token, described.file_path)
        pieces = [p async for p in bot.session.stream_content(url, chunk_size=10_000)]
        assert b"".join(pieces) == content
        assert len(pieces) > 1
        assert user.downloaded(message_id)
    finally:
        await bot.session.close()


async def test_a_photo_comes_in_sizes_and_the_largest_holds_the_picture(
    emulator: BotApiEmulator,
) -> None:
    user = emulator.user(user_id=7102)
    content = os.urandom(50_000)
    await user.send_photo(content)
    bot = _bot(emulator)
    try:
        [update] = await bot.get_updates()
        assert update.message is not None and update.message.photo is not None
        largest = max(update.message.photo, key=lambda size: size.width * size.height)
        described = await bot.get_file(largest.file_id)
        assert described.file_path is not None
        url = bot.session.api.file_url(bot.token, described.file_path)
        assert b"".join([p async for p in bot.session.stream_content(url)]) == content
    finally:
        await bot.session.close()


async def test_unknown_and_too_big_files_are_refused(emulator: BotApiEmulator) -> None:
    user = emulator.user(user_id=7103)
    await user.send_document(
        b"x" * (MAX_BOT_DOWNLOAD_BYTES + 1), file_name="grande.zip", mime_type="application/zip"
    )
    bot = _bot(emulator)
    try:
        [update] = await bot.get_updates()
        assert update.message is not None and update.message.document is not None
        with pytest.raises(TelegramBadRequest, match="file is too big"):
            await bot.get_file(update.message.document.file_id)
        with pytest.raises(TelegramBadRequest, match="invalid file_id"):
            await bot.get_file("no-such-file")
    finally:
        await bot.session.close()
