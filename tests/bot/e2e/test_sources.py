"""The three sources through the emulator: a respondent's testimony, an investigator's field
reports and interviews, each opened by the link's access code (issue 15).

Codes are registered as staff do (`AccessCodes.add`, what `oclep-admin codes add` runs) in the
bot's database under its server secret; the bot reads them per /start. What staff decrypt
afterwards is checked submission by submission: questionnaire, mode, campaign label, answers.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Final

from flows.engine import Engine
from flows.shipped import load_shipped
from storage.access_codes import AccessCodes
from storage.database import open_database
from storage.reader import DecryptedSubmission
from storage.server_secret import ServerSecret
from storage.tables import AccessCodeKind, SubmissionMode, SubmissionStatus
from tests.bot.e2e.plans import HEALTH, MISSION
from tests.bot.e2e.support import (
    Answer,
    Press,
    Respondent,
    RunningBot,
    SkipIt,
    Tick,
    Type,
    captured_logs,
    identity_traces,
    questionnaire_engine,
    running_bot,
)
from tests.conftest import DatabaseTarget
from tests.telegram_emulator import BotApiEmulator

TODAY: Final = date(2026, 12, 1)
REVOKED_SENTENCE: Final = "Este enlace ya no está activo"
INTERVIEW_MARK: Final = "MODO ENTREVISTA"
INTERVIEW_DONE: Final = "Entrevista guardada"
KEEP_OPEN: Final = "Seguir con el que tengo"
SET_ASIDE: Final = "Guardarlo y empezar otro"

# Three field reports: a hospital, a pharmacy, a mission site.
HOSPITAL: Final[dict[str, Answer]] = {
    "consentimiento": Press("acepto"),
    "lugar_seguro": Press("si"),
    "tipo_lugar": Press("hospital"),
    "provincia": Press("holguin"),
    "mes": Press("marzo"),
    "anio": Type("2026"),
    "fuentes": Tick("observacion", "entrevistas"),
    "personas_entrevistadas": Type("4"),
    "perfil_entrevistados": Tick("pacientes", "personal_salud"),
    "confirmado": Press("si"),
    "hallazgos": Tick("cirugias_suspendidas", "faltan_insumos", "muertes"),
    "cirugias_suspendidas_n": Type("12"),
    "faltantes": Tick("antibioticos", "oxigeno"),
    "muertes_n": Press("no_sabe"),
    "muertes_atribucion": Tick("personal_salud"),
    "relato": Type("El salón de operaciones llevaba semanas cerrado por falta de oxígeno."),
    "cita_permitida": Press("no"),
}
PHARMACY: Final[dict[str, Answer]] = {
    "consentimiento": Press("acepto"),
    "lugar_seguro": Press("si"),
    "tipo_lugar": Press("farmacia"),
    "provincia": Press("camaguey"),
    "mes": Press("octubre"),
    "fuentes": Tick("observacion"),
    "confirmado": Press("en_parte"),
    "hallazgos": Tick("faltan_insumos"),
    "faltantes": Tick("analgesicos", "cronicos"),
}
MISSION_SITE: Final[dict[str, Answer]] = {
    "consentimiento": Press("acepto"),
    "lugar_seguro": Press("si"),
    "tipo_lugar": Press("mision"),
    "pais": Press("VE"),
    "mes": Press("junio"),
    "fuentes": Tick("documentos"),
    "confirmado": Press("no"),
}


def report_engine() -> Engine:
    return Engine(load_shipped("informe_campo.yaml"))


async def register(
    bot: RunningBot,
    kind: AccessCodeKind,
    questionnaire: str,
    label: str,
    *,
    chosen: str | None = None,
) -> str:
    """A code registered as `oclep-admin codes add` does; returns the code (a test knows it)."""
    secret = ServerSecret.load(bot.settings.effective_server_secret_file)
    served = frozenset({"testimonio", "informe_campo"})
    async with await open_database(bot.settings.effective_database_url) as database:
        made = await AccessCodes(database, secret).add(
            kind, questionnaire, label, TODAY, chosen=chosen, served=served
        )
    return made.code


async def grant_tokens(bot: RunningBot, *codes: str) -> list[str]:
    """What the bot's buttons carry for each code instead of it."""
    secret = ServerSecret.load(bot.settings.effective_server_secret_file)
    async with await open_database(bot.settings.effective_database_url) as database:
        access = AccessCodes(database, secret)
        found = [await access.resolve(code) for code in codes]
    return [access.grant_token(grant.short_id) for grant in found if grant is not None]


async def revoke(bot: RunningBot, code: str) -> None:
    secret = ServerSecret.load(bot.settings.effective_server_secret_file)
    async with await open_database(bot.settings.effective_database_url) as database:
        codes = AccessCodes(database, secret)
        grant = await codes.resolve(code)
        assert grant is not None
        await codes.revoke(grant.short_id, TODAY)


def by_id(submissions: list[DecryptedSubmission]) -> dict[str, list[DecryptedSubmission]]:
    found: dict[str, list[DecryptedSubmission]] = {}
    for submission in submissions:
        found.setdefault(submission.meta.questionnaire.id, []).append(submission)
    return found


async def test_a_testimony_three_field_reports_and_two_interviews(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    investigator_id, respondent_id = 6_104_338_912, 5_220_941_003
    async with await BotApiEmulator.start() as emulator:
        with captured_logs([emulator.token]) as logs:
            async with running_bot(
                emulator, tmp_path / "data", database_url=database_target.url
            ) as bot:
                campaign = await register(bot, AccessCodeKind.CAMPAIGN, "testimonio", "red_salud")
                reports = await register(
                    bot, AccessCodeKind.INVESTIGATOR, "informe_campo", "campo_oriente"
                )
                interviews = await register(
                    bot, AccessCodeKind.INVESTIGATOR, "testimonio", "entrevistas_brasil"
                )

                respondent = Respondent(emulator.user(respondent_id), questionnaire_engine())
                await respondent.start(campaign)
                await respondent.complete(HEALTH)

                investigator = emulator.user(investigator_id, "Marisleydis", "mary_campo")
                filed = []
                for plan in (HOSPITAL, PHARMACY, MISSION_SITE):
                    report = Respondent(investigator, report_engine())
                    await report.start(reports)
                    done = await report.complete(plan)
                    assert "informe quedó guardado" in done
                    filed.append(report.given)
                interviewed = []
                for plan in (MISSION, HEALTH):
                    interview = Respondent(investigator, questionnaire_engine())
                    await interview.start(interviews)
                    consent_screen = interview.screen_text()
                    # The consent, written for the interviewer, with the text to read aloud.
                    assert consent_screen.startswith(INTERVIEW_MARK)
                    assert questionnaire_engine().first_question().text in consent_screen
                    done = await interview.complete(plan)
                    # The receipt is for the interviewee; no link to pass on.
                    assert done.startswith(INTERVIEW_DONE) and "t.me/" not in done
                    interviewed.append(interview.given)
                submissions = await bot.submissions()
                tokens = await grant_tokens(bot, campaign, reports, interviews)

        assert all(s.meta.status == SubmissionStatus.COMPLETE for s in submissions)
        sources = by_id(submissions)
        assert sorted(sources) == ["informe_campo", "testimonio"]
        # Field reports: the investigator's answers, given directly, under the code's label.
        assert sorted(map(_key, (s.answers for s in sources["informe_campo"]))) == sorted(
            map(_key, filed)
        )
        assert {(s.meta.mode, s.meta.campaign) for s in sources["informe_campo"]} == {
            (SubmissionMode.DIRECT.value, "campo_oriente")
        }
        testimonies = sources["testimonio"]
        direct = [s for s in testimonies if s.meta.mode == SubmissionMode.DIRECT.value]
        interviews_stored = [s for s in testimonies if s.meta.mode == SubmissionMode.INTERVIEW]
        assert [s.answers for s in direct] == [respondent.given]
        assert direct[0].meta.campaign == "red_salud"
        assert sorted(map(_key, (s.answers for s in interviews_stored))) == sorted(
            map(_key, interviewed)
        )
        assert {s.meta.campaign for s in interviews_stored} == {"entrevistas_brasil"}

        # No code, no investigator's identity, at rest or in the logs.
        traces = identity_traces(investigator_id, "Marisleydis", "mary_campo")
        traces += [code.encode() for code in (campaign, reports, interviews)]
        assert len(tokens) == 3
        traces += [token.encode() for token in tokens]  # in the buttons only
        stored = database_target.stored_bytes()
        logged = logs.getvalue().encode()
        assert logged
        for trace in traces:
            assert not database_target.holds(trace, stored), trace
            assert trace not in logged, trace


async def test_revoked_and_unknown_codes(database_target: DatabaseTarget, tmp_path: Path) -> None:
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(emulator, tmp_path / "data", database_url=database_target.url) as bot,
    ):
        code = await register(bot, AccessCodeKind.INVESTIGATOR, "informe_campo", "campo_sur")
        await revoke(bot, code)
        refused = Respondent(emulator.user(4_400_000_001), report_engine())
        await refused.start(code)
        said = [m.text or "" for m in refused.user.screen() if m.from_bot]
        assert said and said[-1].startswith(REVOKED_SENTENCE)
        assert refused.user.chat.last_bot_message(with_keyboard=True) is None  # nothing opens

        # An unknown code opens the testimony, without a campaign, as a bare /start does.
        unknown = Respondent(emulator.user(4_400_000_002), questionnaire_engine())
        await unknown.start("codigo_que_nadie_registro")
        assert unknown.screen_question()[0].id == "consentimiento"
        await unknown.complete(HEALTH)
        submissions = await bot.submissions()
    assert [(s.meta.questionnaire.id, s.meta.campaign) for s in submissions] == [
        ("testimonio", None)
    ]
    assert submissions[0].answers == unknown.given


async def test_a_second_questionnaire_while_a_draft_is_open(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(emulator, tmp_path / "data", database_url=database_target.url) as bot,
    ):
        code = await register(bot, AccessCodeKind.INVESTIGATOR, "informe_campo", "campo_centro")
        user = emulator.user(4_500_000_001)
        testimony = Respondent(user, questionnaire_engine())
        await testimony.start()
        for question in ("consentimiento", "lugar_seguro", "rol"):
            assert await testimony.answer(HEALTH[question]) == question
        on_screen = testimony.screen_question()[0].id

        # The link of another questionnaire: asked, not started; "keep" changes nothing.
        await testimony.start(code)
        asked = testimony.user.chat.last_bot_message(with_keyboard=True)
        assert asked is not None and SET_ASIDE in asked.snapshot().button_texts
        await testimony.press(KEEP_OPEN)
        assert testimony.screen_question()[0].id == on_screen
        assert len(await bot.submissions()) == 1  # the draft, still open

        # Asked again, set aside: the testimony kept as unfinished, the report begins.
        await testimony.start(code)
        await testimony.press(SET_ASIDE)
        report = Respondent(user, report_engine())
        assert report.screen_question()[0].id == "consentimiento"
        await report.complete(PHARMACY)
        submissions = await bot.submissions()
    sources = by_id(submissions)
    (kept,) = sources["testimonio"]
    assert kept.meta.status == SubmissionStatus.PARTIAL
    assert kept.answers == testimony.given  # nothing lost
    (filed,) = sources["informe_campo"]
    assert filed.meta.status == SubmissionStatus.COMPLETE
    assert filed.answers == report.given


def _key(answers: object) -> str:
    return repr(sorted(dict(answers).items()))  # type: ignore[call-overload]


_ = SkipIt  # the plans leave every other question to "Prefiero no responder"
