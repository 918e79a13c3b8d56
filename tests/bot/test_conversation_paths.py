"""Whole conversations on a real database: what staff decrypt is exactly what was answered."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from bot.replies import Closing, DeleteRespondentMessage, Prompt
from flows.answers import SKIPPED, Money
from storage.database import Database
from tests.bot.conversation_support import TO_COUNTRY, Typed, consented

MISSION_SCRIPT = {
    "lugar_seguro": "si",
    "rol": "mision_pasada",
    "sector": "salud",
    "profesion_salud": "medico",
    "pais": Typed("venezuela", "VE"),
    "anio_inicio": Typed("2015", 2015),
    "anio_fin": Typed("2018", 2018),
    "entidad": "csmc",
    "pudo_negarse": "no",
    "presiones_ir": ("necesidad_economica", "familia"),
    "conoce_pago_estado": "si",
    "pago_estado_mes": Typed("3.000 USD", Money(Decimal(3000), "USD")),
    "estipendio_mes": Typed("$250", Money(Decimal(250), "USD")),
    "restricciones": ("toque_queda", "permiso_salir"),
    "horas_semana": Typed("70", 70),
    "amenazas": ("ninguna",),
    "quiere_salud": "no",
    "testimonio": ["Primera parte del relato.", "Segunda parte."],
    "cita_permitida": "si",
}

HEALTH_SCRIPT = {
    "lugar_seguro": "si",
    "rol": "paciente_cuba",
    "provincia": "matanzas",
    "necesidad_no_atendida": "si",
    "motivos": ("sin_medicamentos", "transporte"),
    "faltantes": ("antibioticos",),
    "ambulancia": "nunca_llego",
    "afectado_edad": ("mayor",),
    "consecuencia": "dano_grave",
}


async def test_mission_branch_reaches_done_and_staff_read_exactly_the_answers(
    database: Database, tmp_path: Path
) -> None:
    registered = frozenset({"red_madrid"})
    async with consented(
        database, tmp_path, campaign="red_madrid", bot_username="oclep_bot", campaigns=registered
    ) as (w, chat):
        expected = await chat.walk(MISSION_SCRIPT)
        done = chat.done()
        assert len(done.receipt) == 19 and done.receipt in done.text
        # The bare link: only a code's keyed hash is kept, so the bot cannot write it back.
        assert done.share_link == "https://t.me/oclep_bot"
        assert "/borrar" in done.text

        [submission] = await w.submissions()
        assert submission.meta.status == "complete"
        assert submission.meta.campaign == "red_madrid"
        assert submission.answers == {"consentimiento": "acepto", **expected}
        assert submission.answers["testimonio"] == "Primera parte del relato.\nSegunda parte."
        assert submission.answers["entidad"] == "csmc"
        assert submission.answers["deuda"] is SKIPPED  # not in the script: skipped
        assert "provincia" not in submission.answers  # health module not on this path
        assert await w.count_drafts() == 0


async def test_health_branch_reaches_done(database: Database, tmp_path: Path) -> None:
    async with consented(database, tmp_path) as (w, chat):
        expected = await chat.walk(HEALTH_SCRIPT)
        done = chat.done()
        assert done.share_link is None
        [submission] = await w.submissions()
        assert submission.answers == {"consentimiento": "acepto", **expected}
        assert submission.answers["testimonio"] is SKIPPED
        assert "cita_permitida" not in submission.answers  # only asked after a testimony
        assert "sector" not in submission.answers


async def test_back_then_another_answer_drops_the_branch(
    database: Database, tmp_path: Path
) -> None:
    async with consented(database, tmp_path) as (w, chat):
        await chat.answer_each(TO_COUNTRY)
        assert chat.current().id == "pais"
        for _ in range(3):  # pais -> profesion_salud -> sector -> rol
            await chat.press("Atrás")
        assert chat.current().id == "rol"
        await chat.answer("paciente_cuba")
        assert chat.current().id == "provincia"
        await chat.walk({})
        [submission] = await w.submissions()
        pruned = w.engine.prune_answers(submission.answers)
        assert pruned["rol"] == "paciente_cuba"
        assert "sector" not in pruned and "profesion_salud" not in pruned
        # The records still hold the abandoned branch; only pruning removes it.
        assert submission.answers["sector"] == "salud"


async def test_typed_answers_are_deleted_in_discreet_mode_and_kept_when_off(
    database: Database, tmp_path: Path
) -> None:
    async with consented(database, tmp_path) as (_, chat):
        await chat.answer_each(TO_COUNTRY)
        await chat.type("Venezuela")
        assert any(isinstance(r, DeleteRespondentMessage) for r in chat.replies)
        await chat.command("discreto")
        assert chat.prompt is not None and "está activado" in chat.prompt.text
        await chat.press("Desactivar modo discreto")
        assert "desactivado" in chat.notices()[0]
        await chat.command("discreto")  # typing it again shows the state; it changes nothing
        assert chat.prompt is not None and "está desactivado" in chat.prompt.text
        await chat.press("Desactivar modo discreto")
        assert "desactivado" in chat.notices()[0]
        await chat.type("2015")
        assert not any(isinstance(r, DeleteRespondentMessage) for r in chat.replies)
        assert chat.current().id == "entidad"


async def test_bad_typed_input_gets_a_spanish_notice_and_loses_nothing(
    database: Database, tmp_path: Path
) -> None:
    async with consented(database, tmp_path) as (w, chat):
        await chat.answer_each([*TO_COUNTRY, Typed("Venezuela", "VE")])
        async with w.unchanged():
            await chat.type("hace mucho")
        assert chat.current().id == "anio_inicio"
        assert chat.prompt is not None and chat.prompt.note
        assert "año" in chat.prompt.note
        # Discreet mode: a rejected answer is deleted from the chat too (the note says why).
        assert any(isinstance(r, DeleteRespondentMessage) for r in chat.replies)
        await chat.type("2016")
        assert chat.current().id == "entidad"
        await chat.walk({})
        [submission] = await w.submissions()
        assert submission.answers["pais"] == "VE" and submission.answers["anio_inicio"] == 2016


async def test_safe_place_no_pauses_and_start_resumes(database: Database, tmp_path: Path) -> None:
    async with consented(database, tmp_path) as (_, chat):
        await chat.answer("no")
        [closing] = [r for r in chat.replies if isinstance(r, Closing)]
        assert "/start" in closing.text and "vista previa" in closing.text
        assert chat.prompt is None
        await chat.start()
        prompt = chat.prompt
        assert isinstance(prompt, Prompt) and prompt.fresh
        # On return: where the respondent is, and the safety check first.
        assert "Sección: Consentimiento y seguridad · pregunta 2 de unas" in prompt.text
        assert "lugar seguro" in prompt.text
        await chat.press("Sí, es un lugar seguro")
        assert chat.current().id == "lugar_seguro"
        await chat.answer("si")
        assert chat.current().id == "rol"
