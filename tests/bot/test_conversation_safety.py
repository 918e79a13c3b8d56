"""Stale, duplicate and forged input change nothing; refusal and withdrawal store nothing."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.callback_data import ConsentToken, encode
from bot.events import ButtonPress, Text
from bot.replies import Closing, DeleteRespondentMessage, Notice, Prompt
from storage.database import Database
from storage.tables import Tombstone
from tests.bot.conversation_support import TO_COUNTRY, Typed, consented, world

STALE = "Esa pregunta ya fue respondida."


async def test_consent_refused_stores_nothing(database: Database, tmp_path: Path) -> None:
    async with world(database, tmp_path) as w:
        chat = w.respondent()
        await chat.start("campania_1")
        await chat.press("No acepto")
        [closing] = [r for r in chat.replies if isinstance(r, Closing)]
        assert "borrar este chat" in closing.text
        assert await w.counts() == (0, 0, 0)
        await chat.type("hola")
        assert await w.counts() == (0, 0, 0)


async def test_stale_button_and_double_tap_are_recorded_once(
    database: Database, tmp_path: Path
) -> None:
    async with consented(database, tmp_path) as (w, chat):
        yes = chat.option("Sí").token
        await chat.press_token(yes)
        async with w.unchanged():
            await chat.press_token(yes)  # double tap: a second update with the same button
        assert chat.notices() == [STALE]
        assert chat.current().id == "rol"


async def test_same_update_twice_changes_nothing(database: Database, tmp_path: Path) -> None:
    async with consented(database, tmp_path) as (w, chat):
        token = chat.option("Sí").token
        await chat.press_token(token, update_id=5)
        async with w.unchanged():
            replies = await chat.press_token(token, update_id=5)
        assert isinstance(replies[0], Prompt)  # where the respondent is, again
        assert chat.current().id == "rol"
        # A typed answer delivered twice is stored once as well.
        await chat.answer_each(TO_COUNTRY[1:])  # "si" was the button above
        await chat.send(Text("Venezuela", message_ref=9), update_id=77)
        async with w.unchanged():
            await chat.send(Text("Venezuela", message_ref=9), update_id=77)


async def test_a_token_for_another_question_changes_nothing(
    database: Database, tmp_path: Path
) -> None:
    async with consented(database, tmp_path) as (w, chat):
        await chat.answer("si")
        rol_token = chat.option("Vivo en Cuba y quiero contar sobre el acceso a la salud").token
        kind, question, step, arg = rol_token.split(":")
        other = f"{kind}:{int(question) + 1}:{step}:{arg}"
        async with w.unchanged():
            await chat.press_token(other)
        assert chat.notices() == [STALE]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    token=st.one_of(
        st.text(max_size=80),
        st.from_regex(r"[akmdtnsbxwgcr][:0-9a-zA-Z!~]{0,70}", fullmatch=True),
    )
)
async def test_forged_tokens_change_nothing(database: Database, tmp_path: Path, token: str) -> None:
    async with world(database, tmp_path / str(abs(hash(token)))) as w:
        chat = w.respondent(user_id=abs(hash(token)) % 10**9 + 1)
        replies = await chat.send(ButtonPress(token))
        assert all(isinstance(r, Notice | Prompt | Closing) for r in replies)
        # Only a genuine "Acepto" could create a draft; a forgery at most shows a screen.
        if await w.count_drafts():
            assert token.startswith("c")


async def test_forged_tokens_on_a_draft_store_nothing(database: Database, tmp_path: Path) -> None:
    async with consented(database, tmp_path) as (w, chat):
        await chat.answer("si")
        forged = [
            "a:2:2:99",  # choice out of range
            "a:2:999:0",  # future step
            "m:2:2:zz",  # multi toggle on a single question
            "d:2:2:1",  # submit a selection to a single question
            "k:2:2:VE",  # country code to the role question
            "x:0",  # delete with an old step
            "c09" + "!" * 61,  # consent with garbage campaign
            "a" * 64,
            "a:2:2:0" + " " * 60,
            "ñ:2:2:0",
        ]
        for token in forged:
            async with w.unchanged(token):
                await chat.press_token(token)
        await chat.answer("paciente_cuba")
        assert chat.current().id == "provincia"


async def test_long_deep_link_campaign_survives_the_consent_button(
    database: Database, tmp_path: Path
) -> None:
    campaign = "Z" * 64
    assert len(encode(ConsentToken("es", 0, campaign))) <= 64
    registered = frozenset({campaign})
    async with consented(database, tmp_path, campaign=campaign, campaigns=registered) as (w, chat):
        await chat.walk({"lugar_seguro": "si", "rol": "salud_cuba"})
        [submission] = await w.submissions()
        assert submission.meta.campaign == campaign


async def test_invalid_campaign_is_ignored(database: Database, tmp_path: Path) -> None:
    async with consented(database, tmp_path, campaign="no válida; DROP") as (w, chat):
        await chat.answer("no")
        assert await w.campaigns() == [None]


async def test_delete_unfinished_needs_confirmation(database: Database, tmp_path: Path) -> None:
    async with consented(database, tmp_path) as (w, chat):
        await chat.answer("si")
        await chat.command("borrar")
        assert await w.counts() != (0, 0, 0)
        await chat.press("No, volver")
        assert chat.current().id == "rol"
        await chat.command("borrar")
        await chat.press("Sí, borrar mis respuestas")
        assert await w.counts() == (0, 0, 0)
        assert await w.count(Tombstone) == 1


async def test_delete_finished_with_receipt(database: Database, tmp_path: Path) -> None:
    async with consented(database, tmp_path) as (w, chat):
        await chat.walk(
            {"lugar_seguro": "si", "rol": "salud_cuba", "provincia": Typed("Holguín", "holguin")}
        )
        receipt = chat.done().receipt
        assert (await w.counts())[0] == 1
        await chat.command("borrar", "0000 0000 0000 0000")
        await chat.press("Sí, borrar ese cuestionario")
        assert "No encontramos" in chat.replies[0].text  # type: ignore[union-attr]
        assert (await w.counts())[0] == 1
        await chat.command("borrar", receipt.replace(" ", "-"))
        assert chat.replies[0] == chat.replies[0]
        await chat.press("Sí, borrar ese cuestionario")
        assert await w.counts() == (0, 0, 0)
        await chat.command("borrar", "12")
        assert "no es válido" in chat.notices()[0]


async def test_language_switch_to_english(database: Database, tmp_path: Path) -> None:
    async with world(database, tmp_path) as w:
        chat = w.respondent(language_code="en-GB")
        await chat.start()
        assert chat.prompt is not None and "Do you agree" in chat.prompt.text
        await chat.press("🌐 Español")
        assert chat.prompt is not None and "¿Acepta participar?" in chat.prompt.text
        await chat.press("Acepto")
        await chat.command("idioma")
        await chat.press("English")
        assert chat.prompt is not None and "safe" in chat.prompt.text
        assert [o.label for o in chat.prompt.options][-2:] == ["Prefer not to answer", "Back"]
        await chat.press("Yes")
        await chat.command("ayuda")
        assert "Commands" in chat.notices()[0]


async def test_multi_toggles_never_write(database: Database, tmp_path: Path) -> None:
    async with consented(database, tmp_path) as (w, chat):
        await chat.answer_each(("si", "paciente_cuba", "matanzas", "si"))
        assert chat.current().id == "motivos"
        before = await w.draft_rows()
        async with w.unchanged():
            await chat.press("No había medicamentos")
            await chat.press("No había transporte")
            await chat.press("No había medicamentos")
        assert chat.prompt is not None and chat.prompt.selected is not None
        assert [chat.prompt.options[i].label for i in chat.prompt.selected] == [
            "✅ No había transporte"
        ]
        assert await w.draft_rows() == before
        await chat.press("Listo")
        assert chat.current().id == "faltantes"
        await chat.press("No faltó nada")
        await chat.press("Antibióticos")  # a real choice clears the exclusive "ninguno"
        assert chat.prompt is not None and chat.prompt.selected is not None
        assert [chat.prompt.options[i].label for i in chat.prompt.selected] == ["✅ Antibióticos"]


async def test_rate_limit_gives_a_kind_notice(database: Database, tmp_path: Path) -> None:
    async with world(database, tmp_path, rate_limit=3) as w:
        chat = w.respondent()
        for _ in range(3):
            await chat.command("ayuda")
        await chat.command("ayuda")
        # Not read, not stored, but deleted all the same (discreet is the default).
        assert chat.notices() == [
            "Va muy rápido: no leímos su mensaje y lo borramos del chat. Espere un minuto y "
            "escríbalo otra vez, por favor."
        ]
        assert DeleteRespondentMessage(4) in chat.replies
        await chat.press_token("a:1:0:0")  # a press is not a typed message: nothing to delete
        assert chat.notices() == ["Va muy rápido. Espere un minuto y siga, por favor."]
        assert not any(isinstance(r, DeleteRespondentMessage) for r in chat.replies)
