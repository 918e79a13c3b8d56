"""A real aiogram bot polling the emulator: screens, button presses, groups, raw updates."""

import asyncio

import pytest

from tests.telegram_emulator import BotApiEmulator, SimulatedUser

from .tiny_bot import GREETING, PRIVATE_ONLY, THANKS, TinyBotLog, polling_bot


async def test_start_shows_keyboard_and_press_edits_the_message(emulator: BotApiEmulator) -> None:
    user = emulator.user(user_id=5001, first_name="Ana", username="ana_x", language_code="es")
    async with polling_bot(emulator, TinyBotLog()):
        await user.send_command("/start", args="campana1")
        greeting = await user.wait_for_reply()
        assert greeting is not None
        assert greeting.text == GREETING.format(campaign="campana1")
        assert greeting.button_texts == ["Sí", "No"]
        assert greeting.protect_content

        query_id = await user.press("Sí")
        edited = await user.wait_for_reply()

    assert edited is not None
    assert edited.message_id == greeting.message_id
    assert edited.text == THANKS
    assert edited.edited
    assert edited.buttons == ()
    assert [m.text for m in user.screen()] == ["/start campana1", THANKS]
    assert user.callback_answer(query_id) is not None
    assert emulator.unanswered_callback_queries() == []
    assert all(c.params["protect_content"] is True for c in emulator.calls_to("sendMessage"))


async def test_long_poll_answers_as_soon_as_an_update_is_queued(emulator: BotApiEmulator) -> None:
    user = emulator.user(user_id=5002)
    async with polling_bot(emulator, TinyBotLog()):
        # The bot is now inside a 10 s long poll; the reply must not wait for it to expire.
        await asyncio.sleep(0.1)
        started = asyncio.get_running_loop().time()
        await user.send_text("hola")
        await user.wait_for_reply(timeout=2.0)
        elapsed = asyncio.get_running_loop().time() - started
    assert elapsed < 1.0


async def test_pressing_an_absent_button_fails_with_the_buttons_listed(
    emulator: BotApiEmulator,
) -> None:
    user = emulator.user(user_id=5003)
    async with polling_bot(emulator, TinyBotLog()):
        await user.send_command("/start")
        await user.wait_for_reply()
        with pytest.raises(AssertionError, match=r"no button 'Quizás'.*\['Sí', 'No'\]"):
            await user.press("Quizás")


async def test_stale_button_press_reaches_the_bot_with_the_old_message(
    emulator: BotApiEmulator,
) -> None:
    user = emulator.user(user_id=5004)
    async with polling_bot(emulator, TinyBotLog()):
        await user.send_command("/start")
        first = await user.wait_for_reply()
        await user.send_command("/start")
        await user.wait_for_reply()
        assert first is not None
        await user.press("seguro:si", message_id=first.message_id)
        await user.wait_for_reply()
    old, new = (m for m in user.screen() if m.from_bot)
    assert (old.text, new.text) == (THANKS, GREETING.format(campaign="-"))


async def test_group_message_gets_the_private_only_answer(emulator: BotApiEmulator) -> None:
    user = emulator.user(user_id=5005)
    group = emulator.group("Brigada")
    async with polling_bot(emulator, TinyBotLog()):
        await group.send_text("hola a todos", sender=user)
        reply = await group.wait_for_reply()
    assert reply is not None
    assert reply.text == PRIVATE_ONLY
    assert user.screen() == []


async def test_raw_update_is_retargeted_to_the_user(emulator: BotApiEmulator) -> None:
    user = emulator.user(user_id=5006)
    captured = {
        "update_id": 700004,
        "message": {
            "message_id": 28,
            "date": 1682177590,
            "chat": {"id": 1, "type": "private", "first_name": "X"},
            "from": {"id": 1, "is_bot": False, "first_name": "X"},
            "text": "/start",
            "entities": [{"offset": 0, "length": 6, "type": "bot_command"}],
        },
    }
    log = TinyBotLog()
    async with polling_bot(emulator, log):
        update_id = await user.send_raw_update(captured)
        reply = await user.wait_for_reply()
    assert log.update_ids == [update_id]
    assert update_id != captured["update_id"]
    assert reply is not None and reply.text == GREETING.format(campaign="-")
    assert [m.text for m in user.screen()] == ["/start", reply.text]


async def test_concurrent_respondents_each_see_only_their_own_chat(
    emulator: BotApiEmulator,
) -> None:
    users = [emulator.user(user_id=6000 + n) for n in range(20)]

    async def answer(user: SimulatedUser, campaign: str) -> None:
        await user.send_command("/start", args=campaign)
        await user.wait_for_reply()
        await user.press("Sí")
        await user.wait_for_reply()

    async with polling_bot(emulator, TinyBotLog()):
        await asyncio.gather(*(answer(u, f"c{n}") for n, u in enumerate(users)))

    for n, user in enumerate(users):
        assert [m.text for m in user.screen()] == [f"/start c{n}", THANKS]
    assert len(emulator.calls_to("answerCallbackQuery", applied=True)) == len(users)
