"""The Bot API surface over raw HTTP: body encodings, auth, and Telegram's error answers."""

import asyncio
from typing import Any

import pytest

from tests.telegram_emulator import BotApiEmulator
from tests.telegram_emulator.constants import DELETE_WINDOW_SECONDS

from .http import Encoding, call, call_encoded

KEYBOARD = {"inline_keyboard": [[{"text": "Sí", "callback_data": "q1:si"}]]}


@pytest.mark.parametrize("encoding", ["json", "urlencoded", "multipart"])
async def test_every_body_encoding_sends_a_message_with_its_keyboard(
    emulator: BotApiEmulator, encoding: Encoding
) -> None:
    user = emulator.user(user_id=7001)
    body: dict[str, Any] = {
        "chat_id": user.chat_id,
        "text": "Pregunta 1",
        "reply_markup": KEYBOARD,
        "protect_content": True,
    }
    status, response = await call_encoded(emulator, "sendMessage", body, encoding)
    assert status == 200, response
    assert response["result"]["reply_markup"] == KEYBOARD
    assert response["result"]["has_protected_content"] is True
    (shown,) = user.screen()
    assert (shown.text, shown.callback_data, shown.protect_content) == (
        "Pregunta 1",
        ["q1:si"],
        True,
    )
    (logged,) = emulator.calls_to("sendMessage")
    assert logged.params["reply_markup"] == KEYBOARD
    assert logged.params["protect_content"] is True


async def test_get_me_by_query_string_describes_the_bot(emulator: BotApiEmulator) -> None:
    status, response = await call(emulator, "getMe", http_method="GET")
    assert status == 200
    assert response["result"]["is_bot"] is True
    assert response["result"]["id"] == int(emulator.token.split(":")[0])


async def test_unknown_token_is_unauthorized(emulator: BotApiEmulator) -> None:
    status, response = await call(emulator, "getMe", token="42:wrong")
    assert (status, response) == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )


async def test_unknown_method_is_not_found(emulator: BotApiEmulator) -> None:
    status, response = await call(emulator, "sendTelepathy", json_body={})
    assert (status, response["error_code"]) == (404, 404)


@pytest.mark.parametrize(
    ("text", "reply_markup", "description"),
    [
        ("   ", None, "Bad Request: message text is empty"),
        ("x" * 4097, None, "Bad Request: message is too long"),
        (
            "ok",
            {"inline_keyboard": [[{"text": "A", "callback_data": "é" * 33}]]},
            "Bad Request: BUTTON_DATA_INVALID",
        ),
    ],
)
async def test_send_message_refusals(
    emulator: BotApiEmulator, text: str, reply_markup: Any, description: str
) -> None:
    user = emulator.user(user_id=7002)
    body = {"chat_id": user.chat_id, "text": text, "reply_markup": reply_markup}
    status, response = await call(emulator, "sendMessage", json_body=body)
    assert (status, response["description"]) == (400, description)
    assert user.screen() == []


async def test_limits_themselves_are_accepted(emulator: BotApiEmulator) -> None:
    user = emulator.user(user_id=7003)
    keyboard = {"inline_keyboard": [[{"text": "A", "callback_data": "é" * 32}]]}
    body = {"chat_id": user.chat_id, "text": "x" * 4096, "reply_markup": keyboard}
    status, _ = await call(emulator, "sendMessage", json_body=body)
    assert status == 200


async def test_unknown_chat_is_refused(emulator: BotApiEmulator) -> None:
    status, response = await call(emulator, "sendMessage", form={"chat_id": 99, "text": "hola"})
    assert (status, response["description"]) == (400, "Bad Request: chat not found")


async def test_edit_refusals_and_success(emulator: BotApiEmulator) -> None:
    user = emulator.user(user_id=7004)
    chat = user.chat_id
    _, sent = await call(
        emulator, "sendMessage", form={"chat_id": chat, "text": "P1", "reply_markup": KEYBOARD}
    )
    message_id = sent["result"]["message_id"]
    same = {"chat_id": chat, "message_id": message_id, "text": "P1", "reply_markup": KEYBOARD}
    status, response = await call(emulator, "editMessageText", json_body=same)
    assert status == 400
    assert response["description"].startswith("Bad Request: message is not modified")

    missing = {"chat_id": chat, "message_id": 999, "text": "P2"}
    status, response = await call(emulator, "editMessageText", json_body=missing)
    assert (status, response["description"]) == (400, "Bad Request: message to edit not found")

    too_long = {"chat_id": chat, "message_id": message_id, "text": "y" * 4097}
    status, response = await call(emulator, "editMessageText", json_body=too_long)
    assert (status, response["description"]) == (400, "Bad Request: MESSAGE_TOO_LONG")

    status, response = await call(
        emulator, "editMessageText", json_body={**same, "text": "P2", "reply_markup": None}
    )
    assert status == 200
    (shown,) = user.screen()
    assert (shown.text, shown.buttons, shown.edited) == ("P2", (), True)

    markup_only = {"chat_id": chat, "message_id": message_id, "reply_markup": KEYBOARD}
    assert (await call(emulator, "editMessageReplyMarkup", form=markup_only))[0] == 200
    status, response = await call(emulator, "editMessageReplyMarkup", form=markup_only)
    assert status == 400
    assert "message is not modified" in response["description"]


async def test_user_messages_cannot_be_edited_by_the_bot(emulator: BotApiEmulator) -> None:
    user = emulator.user(user_id=7005)
    message_id = await user.send_text("mi respuesta")
    body = {"chat_id": user.chat_id, "message_id": message_id, "text": "otra"}
    status, response = await call(emulator, "editMessageText", json_body=body)
    assert (status, response["description"]) == (400, "Bad Request: message can't be edited")


async def test_delete_within_48_hours_then_refused_after(emulator: BotApiEmulator) -> None:
    user = emulator.user(user_id=7006)
    early = await user.send_text("respuesta 1")
    late = await user.send_text("respuesta 2")
    body = {"chat_id": user.chat_id, "message_id": early}
    assert (await call(emulator, "deleteMessage", form=body))[0] == 200
    status, response = await call(emulator, "deleteMessage", form=body)
    assert (status, response["description"]) == (400, "Bad Request: message to delete not found")

    emulator.clock.advance(DELETE_WINDOW_SECONDS + 1)
    status, response = await call(
        emulator, "deleteMessage", form={"chat_id": user.chat_id, "message_id": late}
    )
    assert (status, response["description"]) == (400, "Bad Request: message can't be deleted")
    assert [m.text for m in user.screen()] == ["respuesta 2"]
    assert [m.deleted for m in user.history()] == [True, False]


async def test_delete_messages_skips_what_it_cannot_delete(emulator: BotApiEmulator) -> None:
    user = emulator.user(user_id=7007)
    ids = [await user.send_text(f"r{n}") for n in range(3)]
    body = {"chat_id": user.chat_id, "message_ids": [ids[0], ids[2], 404]}
    status, response = await call(emulator, "deleteMessages", form=body)
    assert (status, response["result"]) == (200, True)
    assert [m.text for m in user.screen()] == ["r1"]


async def test_callback_query_is_answered_once(emulator: BotApiEmulator) -> None:
    user = emulator.user(user_id=7008)
    await call(
        emulator,
        "sendMessage",
        json_body={"chat_id": user.chat_id, "text": "P", "reply_markup": KEYBOARD},
    )
    query_id = await user.press("Sí")
    assert [q.data for q in emulator.unanswered_callback_queries()] == ["q1:si"]
    body = {"callback_query_id": query_id, "text": "Anotado"}
    waiting = asyncio.create_task(user.wait_for_callback_answer(query_id))
    assert (await call(emulator, "answerCallbackQuery", form=body))[0] == 200
    assert await waiting == {"text": "Anotado", "show_alert": False, "url": None}
    assert user.callback_answer(query_id) == await waiting
    status, response = await call(emulator, "answerCallbackQuery", form=body)
    assert status == 400
    assert "query ID is invalid" in response["description"]


async def test_chat_action_is_validated(emulator: BotApiEmulator) -> None:
    user = emulator.user(user_id=7009)
    ok = {"chat_id": user.chat_id, "action": "typing"}
    assert (await call(emulator, "sendChatAction", form=ok))[0] == 200
    status, _ = await call(emulator, "sendChatAction", form={**ok, "action": "dancing"})
    assert status == 400


async def test_get_updates_confirms_by_offset_and_honours_limit(emulator: BotApiEmulator) -> None:
    user = emulator.user(user_id=7010, language_code="es")
    for text in ("uno", "dos", "tres"):
        await user.send_text(text)
    _, first = await call(emulator, "getUpdates", form={"limit": 2})
    texts = [u["message"]["text"] for u in first["result"]]
    assert texts == ["uno", "dos"]
    sender = first["result"][0]["message"]["from"]
    assert (sender["is_bot"], sender["language_code"]) == (False, "es")
    assert first["result"][0]["message"]["chat"]["type"] == "private"

    next_offset = first["result"][-1]["update_id"] + 1
    _, second = await call(emulator, "getUpdates", form={"offset": next_offset})
    assert [u["message"]["text"] for u in second["result"]] == ["tres"]
    _, third = await call(emulator, "getUpdates", json_body={"offset": next_offset + 1})
    assert third["result"] == []
    assert emulator.pending_update_count == 0


async def test_a_newer_poll_ends_the_older_with_conflict(emulator: BotApiEmulator) -> None:
    older = asyncio.create_task(call(emulator, "getUpdates", form={"timeout": 5}))
    await emulator.wait_until(lambda: emulator.bot_is_polling)
    newer = await call(emulator, "getUpdates", form={"timeout": 0})
    status, response = await older
    assert newer[0] == 200
    assert (status, response["error_code"]) == (409, 409)
    assert "terminated by other getUpdates request" in response["description"]
