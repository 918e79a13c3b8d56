"""Typed answers that used to be bent, through the real bot, as staff decrypt them.

Each case types what the cognitive testing typed ("el 25% del salario", "1200 riales",
"mucho, más de 12 horas", "de lunes a sábado 10 horas diarias", "60", "olguin") and checks
the screen (asked again, or readings to pick from) and what staff decrypt afterwards.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from admin_cli.main import app
from flows.answers import Money
from flows.engine import Engine
from flows.loader import load_questionnaire
from storage.keys import generate_staff_key, write_private_key_file
from tests.bot.e2e.plans import HEALTH, MISSION
from tests.bot.e2e.support import (
    Answer,
    Press,
    Respondent,
    questionnaire_engine,
    running_bot,
)
from tests.conftest import DatabaseTarget
from tests.telegram_emulator import BotApiEmulator

V1 = Path(__file__).resolve().parents[3] / "flows" / "questionnaires" / "testimonio_v1.yaml"
Step = Callable[[Respondent], Awaitable[None]]


async def _share_then_rials(respondent: Respondent) -> None:
    screen = await respondent.type("el 25% del salario")
    assert "Usted escribió una parte, no una cantidad de dinero" in screen
    buttons = respondent.user.chat.last_bot_message(with_keyboard=True)
    assert buttons is not None
    screen = await respondent.type("1200 riales")
    assert "¿En qué moneda son 1.200?" in screen
    labels = respondent.user.last_bot_message()
    assert labels is not None
    assert "1.200 QAR · Catar" in labels.button_texts
    assert "1.200 SAR · Arabia Saudita" in labels.button_texts
    await respondent.press("1.200 QAR · Catar")


async def _bound_then_days(respondent: Respondent) -> None:
    screen = await respondent.type("mucho, más de 12 horas")
    assert "no nos dice cuántas horas" in screen
    await respondent.type("de lunes a sábado 10 horas diarias")


async def _bare_total_confirmed(respondent: Respondent) -> None:
    screen = await respondent.type("60")
    assert "¿Unas 60 horas por semana?" in screen
    await respondent.press("✓ 60 h")


async def test_shares_rials_and_hours_are_never_bent(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    plan = {**MISSION, "pais": Press("QA"), "conoce_pago_estado": Press("no")}
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(emulator, tmp_path / "data", database_url=database_target.url) as bot,
    ):
        respondent = Respondent(emulator.user(6_100_201), questionnaire_engine())
        await respondent.start()
        await respondent.walk(
            plan,
            {"estipendio_mes": _share_then_rials, "horas_semana": _bound_then_days},
        )
        (submission,) = await bot.submissions()
    answers = submission.answers
    assert answers["estipendio_mes"] == Money(Decimal(1200), "QAR")  # not 25 USD, not SAR
    assert answers["horas_semana"] == 60  # not 10, not 12
    assert answers["pais"] == "QA"


async def test_a_bare_weekly_total_is_recorded_only_once_confirmed(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(emulator, tmp_path / "data", database_url=database_target.url) as bot,
    ):
        respondent = Respondent(emulator.user(6_100_202), questionnaire_engine())
        await respondent.start()
        await respondent.walk(MISSION, {"horas_semana": _bare_total_confirmed})
        (submission,) = await bot.submissions()
    assert submission.answers["horas_semana"] == 60


async def test_a_province_suggestion_answers_the_province(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    async def misspelt(respondent: Respondent) -> None:
        screen = await respondent.type("olguin")
        assert "¿Quiso decir alguna de estas provincias?" in screen
        shown = respondent.user.last_bot_message()
        assert shown is not None
        assert shown.button_texts[0] == "Holguín"  # the suggestion first, and only once
        assert shown.button_texts.count("Holguín") == 1
        await respondent.press("Holguín")
        assert respondent.screen_question()[0].id == "necesidad_no_atendida"

    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(emulator, tmp_path / "data", database_url=database_target.url) as bot,
    ):
        respondent = Respondent(emulator.user(6_100_203), questionnaire_engine())
        await respondent.start()
        await respondent.walk(HEALTH, {"provincia": misspelt})
        (submission,) = await bot.submissions()
    assert submission.answers["provincia"] == "holguin"


async def test_export_mixes_v1_and_shipped_testimonies(tmp_path: Path) -> None:
    """One testimony under version 1, one under the shipped version (3), one export: each read
    by its own definition, shared variables in one column, version-only variables empty
    elsewhere."""
    key = generate_staff_key()
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'oclep.db'}"
    v1_plan: dict[str, Answer] = {
        **{k: v for k, v in MISSION.items() if k != "horas_semana"},
        "entidad": Press("csmc"),
    }
    async with await BotApiEmulator.start() as emulator:
        async with running_bot(
            emulator, tmp_path / "data", staff_key=key, questionnaire_file=V1
        ) as bot:
            old = Respondent(emulator.user(6_100_301), Engine(load_questionnaire(V1)))
            await old.start()
            await old.walk(v1_plan, {"horas_semana": _typed_weekly("61")})
        async with running_bot(emulator, tmp_path / "data", staff_key=key) as bot:
            new = Respondent(emulator.user(6_100_302), questionnaire_engine())
            await new.start()
            await new.walk(MISSION, {})
            submissions = await bot.submissions()
    assert sorted(s.meta.questionnaire.version for s in submissions) == [1, 3]

    key_file, passphrase = tmp_path / "staff.key", tmp_path / "passphrase.txt"
    write_private_key_file(key_file, key, "una frase larga de prueba")
    passphrase.write_text("una frase larga de prueba\n", encoding="utf-8")
    out = tmp_path / "export.csv"
    # The CLI runs its own event loop: off this test's loop, as staff run it.
    result = await asyncio.to_thread(
        CliRunner().invoke,
        app,
        [
            "export",
            "--key",
            str(key_file),
            "--passphrase-file",
            str(passphrase),
            "--database-url",
            database_url,
            "--out",
            str(out),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        rows = {row["questionnaire_version"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"1", "3"}
    assert rows["1"]["horas_semana"] == "61" and rows["3"]["horas_semana"] == "60"
    assert rows["1"]["entidad"] == "csmc" and rows["3"]["entidad"] == ""
    assert rows["1"]["documentos"] == "" and rows["1"]["documentos_retenidos"] == "_skip"
    assert rows["3"]["documentos"] == "_skip" and rows["3"]["documentos_retenidos"] == ""
    assert rows["1"]["adjuntos"] == "" and rows["3"]["adjuntos"] == "_skip"  # no file sent
    # Each testimony derived with its own version's rules: v1's 61 hours are over 60.
    assert rows["1"]["ilo_horas_extra_excesivas"] == "present"
    assert rows["3"]["ilo_horas_extra_excesivas"] == "absent"


def _typed_weekly(text: str) -> Step:
    async def step(respondent: Respondent) -> None:
        await respondent.type(text)

    return step
