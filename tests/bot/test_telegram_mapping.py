"""Raw updates to events: private chats only, non-answers and edits recognised, never a crash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.events import Attachment, ButtonPress, Command, Start, Text
from bot.telegram.mapping import (
    BotIdentity,
    EditIgnored,
    ForConversation,
    Ignored,
    NotAnAnswer,
    PrivateChatsOnly,
    UnusableCallback,
    map_update,
    update_id_of,
    update_kind,
)

BOT = BotIdentity(user_id=999, username="oclep_bot")
USER = {"id": 4242, "is_bot": False, "first_name": "Ana", "language_code": "es"}
PRIVATE = {"id": 4242, "type": "private", "first_name": "Ana"}
GROUP = {"id": -100123, "type": "supergroup", "title": "Brigada"}
CAPTURED = Path(__file__).resolve().parents[2].parent / "shared" / "telegram-updates"


def message(
    text: str | None = None, chat: dict[str, Any] = PRIVATE, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"message_id": 7, "from": USER, "chat": chat, "date": 1, **extra}
    if text is not None:
        body["text"] = text
    return {"update_id": 100, "message": body}


def test_typed_text_in_a_private_chat_is_a_text_event() -> None:
    mapped = map_update(message("unos 60 pesos"), BOT)
    assert isinstance(mapped, ForConversation)
    assert mapped.event == Text("unos 60 pesos", message_ref=7)
    assert (mapped.update_id, mapped.chat_id, mapped.respondent.user_id) == (100, 4242, 4242)
    assert mapped.respondent.language_code == "es"


def test_start_carries_the_deep_link_payload_and_commands_their_arguments() -> None:
    start = map_update(message("/start red_medicos"), BOT)
    bare = map_update(message("/start"), BOT)
    delete = map_update(message("/Borrar@oclep_bot 1234 5678 9012 3456"), BOT)
    assert isinstance(start, ForConversation) and isinstance(bare, ForConversation)
    assert start.event == Start(campaign="red_medicos", message_ref=7)
    assert bare.event == Start(campaign=None, message_ref=7)
    assert isinstance(delete, ForConversation)
    assert delete.event == Command("borrar", "1234 5678 9012 3456", message_ref=7)


def test_a_slash_inside_an_answer_is_text() -> None:
    mapped = map_update(message("/ no sé"), BOT)
    assert isinstance(mapped, ForConversation) and isinstance(mapped.event, Text)


def test_button_press_is_a_choice_with_the_message_it_came_from() -> None:
    update = {
        "update_id": 101,
        "callback_query": {
            "id": "q1",
            "from": USER,
            "message": {"message_id": 9, "chat": PRIVATE, "date": 1},
            "chat_instance": "x",
            "data": "a:3:2:0",
        },
    }
    mapped = map_update(update, BOT)
    assert isinstance(mapped, ForConversation)
    assert mapped.event == ButtonPress("a:3:2:0", message_ref=9)
    assert mapped.callback_query_id == "q1"


def test_presses_without_a_private_message_are_only_answered() -> None:
    inline = {"update_id": 1, "callback_query": {"id": "q", "from": USER, "data": "x"}}
    no_data = {
        "update_id": 2,
        "callback_query": {"id": "q", "from": USER, "message": {"message_id": 1, "chat": PRIVATE}},
    }
    assert map_update(inline, BOT) == UnusableCallback("q")
    assert map_update(no_data, BOT) == UnusableCallback("q")


def test_media_locations_contacts_and_forwards_are_not_answers() -> None:
    for content in (
        {"voice": {"file_id": "v"}},
        {"location": {"latitude": 1.0, "longitude": 2.0}},
        {"contact": {"phone_number": "+53 5 555 5555", "first_name": "X"}},
        {"sticker": {"file_id": "s"}},
        {"poll": {"id": "p"}},
        {"video": {"file_id": "v"}},
        # Files as evidence, but malformed or mixed with other content: not readable.
        {"photo": "f"},
        {"photo": [{"width": 1}]},
        {"document": {"file_name": "x.pdf"}},
        {"photo": [{"file_id": "f"}], "document": {"file_id": "d"}},
        {"document": {"file_id": "d"}, "forward_origin": {"type": "hidden_user"}},
    ):
        assert map_update(message(**content), BOT) == NotAnAnswer(4242, 7, "es"), content
    forwarded = message("texto de otro", forward_origin={"type": "hidden_user"})
    assert isinstance(map_update(forwarded, BOT), NotAnAnswer)


def test_photos_and_documents_are_files_for_the_conversation() -> None:
    photo = message(
        photo=[
            {"file_id": "small", "width": 90, "height": 60, "file_size": 900},
            {"file_id": "large", "width": 1280, "height": 960, "file_size": 90_000},
        ],
        caption="mi pasaporte",
    )
    mapped = map_update(photo, BOT)
    assert isinstance(mapped, ForConversation)
    assert mapped.event == Attachment(
        kind="photo", declared_size=90_000, source="large", message_ref=7
    )
    document = message(
        document={
            "file_id": "d",
            "file_name": "contrato.pdf",
            "mime_type": "application/pdf",
            "file_size": 1234,
        },
        caption="de Juan",
    )
    mapped = map_update(document, BOT)
    assert isinstance(mapped, ForConversation)
    assert mapped.event == Attachment(
        kind="document",
        media_type="application/pdf",
        declared_size=1234,
        name="contrato.pdf",
        source="d",
        message_ref=7,
    )
    # Nothing about the file shows where events are printed (logs).
    assert "contrato" not in repr(mapped) and "1234" not in repr(mapped)
    assert "mi pasaporte" not in repr(map_update(photo, BOT))


def test_edits_in_private_chats_are_noticed_elsewhere_ignored() -> None:
    edited = {"update_id": 5, "edited_message": message("nuevo")["message"]}
    in_group = {"update_id": 6, "edited_message": message("nuevo", chat=GROUP)["message"]}
    assert isinstance(map_update(edited, BOT), EditIgnored)
    assert isinstance(map_update(in_group, BOT), Ignored)


def test_groups_get_an_explanation_only_when_they_address_the_bot() -> None:
    assert isinstance(map_update(message("/start", chat=GROUP), BOT), PrivateChatsOnly)
    assert isinstance(map_update(message("hola @OCLEP_bot", chat=GROUP), BOT), PrivateChatsOnly)
    added = message(chat=GROUP, new_chat_members=[{"id": BOT.user_id, "is_bot": True}])
    assert isinstance(map_update(added, BOT), PrivateChatsOnly)
    assert isinstance(map_update(message("hola a todos", chat=GROUP), BOT), Ignored)
    assert isinstance(map_update(message("/start@otro_bot", chat=GROUP), BOT), Ignored)
    channel = {"update_id": 3, "channel_post": {"message_id": 1, "chat": GROUP, "text": "hola"}}
    assert isinstance(map_update(channel, BOT), Ignored)


def test_inconsistent_or_bot_senders_never_reach_the_conversation() -> None:
    other_sender = message("hola", **{"from": {**USER, "id": 1}})
    from_bot = message("hola", **{"from": {**USER, "is_bot": True}})
    negative = message("hola", chat={**PRIVATE, "id": -5}, **{"from": {**USER, "id": -5}})
    for update in (other_sender, from_bot, negative):
        assert not isinstance(map_update(update, BOT), ForConversation)


def test_malformed_and_unknown_updates_are_ignored() -> None:
    malformed: list[object] = [None, [], "x", {}, {"update_id": "1"}, {"update_id": True}]
    for raw in malformed:
        assert isinstance(map_update(raw, BOT), Ignored)
        assert update_id_of(raw) is None
    two_kinds = {**message("a"), "callback_query": {"id": "q"}}
    assert update_kind(two_kinds) == "malformed"
    assert map_update({"update_id": 1, "brand_new_kind": {}}, BOT) == Ignored("unknown")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "update_id",
                    "message",
                    "chat",
                    "from",
                    "id",
                    "type",
                    "text",
                    "callback_query",
                    "data",
                    "message_id",
                    "edited_message",
                    "photo",
                    "private",
                    "is_bot",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON)
def test_no_json_value_makes_the_mapping_raise(raw: object) -> None:
    mapped = map_update(raw, BOT)
    if isinstance(mapped, ForConversation):
        assert mapped.chat_id > 0 and mapped.respondent.user_id == mapped.chat_id


@pytest.mark.skipif(not CAPTURED.is_dir(), reason="../shared/telegram-updates is absent")
def test_captured_real_updates_never_reach_the_conversation_from_groups() -> None:
    files = sorted(CAPTURED.glob("*.json"))
    assert files
    for path in files:
        raw: dict[str, Any] = json.loads(path.read_text("utf-8"))
        mapped = map_update(raw, BOT)
        chat = next(
            (
                p.get("chat") or (p.get("message") or {}).get("chat")
                for p in raw.values()
                if isinstance(p, dict)
            ),
            None,
        )
        if isinstance(mapped, ForConversation | NotAnAnswer | EditIgnored):
            assert isinstance(chat, dict) and chat.get("type", "private") == "private", path.name
