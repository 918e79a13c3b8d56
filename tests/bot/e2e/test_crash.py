"""The bot as a real process, killed with SIGKILL mid-questionnaire and started again."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from storage.keys import generate_staff_key, write_public_key_file
from tests.bot.e2e.plans import MISSION
from tests.bot.e2e.support import (
    Press,
    Respondent,
    decrypt_all,
    label_of,
    questionnaire_engine,
)
from tests.telegram_emulator import BotApiEmulator

BOT_COMMAND = Path(sys.executable).parent / "oclep-bot"
START_TIMEOUT = 120.0  # importing aiogram alone takes seconds on a busy CI runner


async def start_bot(env: dict[str, str], workdir: Path, log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as sink:
        return await asyncio.create_subprocess_exec(
            str(BOT_COMMAND), "run", cwd=workdir, env=env, stdout=sink, stderr=sink
        )


async def test_sigkill_mid_questionnaire_loses_and_repeats_nothing(tmp_path: Path) -> None:
    staff_key = generate_staff_key()
    key_file = tmp_path / "staff.pub"
    write_public_key_file(key_file, staff_key.public_key)
    log = tmp_path / "bot.log"
    engine = questionnaire_engine()
    async with await BotApiEmulator.start() as emulator:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "OCLEP_TELEGRAM_TOKEN": emulator.token,
            "OCLEP_TELEGRAM_API_BASE": emulator.api_base,
            "OCLEP_DATA_DIR": str(tmp_path / "data"),
            "OCLEP_SERVER_SECRET_FILE": str(tmp_path / "server.secret"),
            "OCLEP_STAFF_PUBLIC_KEY": str(key_file),
            "OCLEP_RATE_LIMIT_PER_MINUTE": "10000",
        }
        first = await start_bot(env, tmp_path, log)
        try:
            await emulator.wait_until(
                lambda: emulator.bot_is_polling, START_TIMEOUT, "the first process polling"
            )
            respondent = Respondent(emulator.user(7_000_000_001), engine)
            await respondent.start()
            for answer in (Press("acepto"), Press("si"), Press("mision_pasada"), Press("salud")):
                await respondent.answer(answer)
            question, _ = respondent.screen_question()
            assert question.id == "profesion_salud"

            # Press "Médico" and kill the bot at once: the press may be unread, read but
            # unconfirmed, or stored; after the restart it must count exactly once.
            await respondent.user.press(label_of(engine.question("profesion_salud"), "medico"))
            respondent.given["profesion_salud"] = "medico"
            first.kill()
        finally:
            if first.returncode is None:
                first.kill()
            await first.wait()

        second = await start_bot(env, tmp_path, log)
        try:
            await emulator.wait_until(
                lambda: len(emulator.calls_to("getMe")) == 2 and emulator.bot_is_polling,
                START_TIMEOUT,
                "the second process polling",
            )
            await emulator.wait_until(
                lambda: emulator.pending_update_count == 0, 10, "the press handled"
            )
            await respondent.start()  # /start resumes where the respondent was
            assert "Sección: La misión" in respondent.screen_text()  # and the safety check
            await respondent.press("Sí, es un lugar seguro")
            assert respondent.screen_question()[0].id == "pais"
            await respondent.complete(MISSION)
        finally:
            second.terminate()  # SIGTERM: a graceful stop
            code = await asyncio.wait_for(second.wait(), 30)
        assert code == 0, log.read_text()

    database_url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'oclep.db'}"
    (submission,) = await decrypt_all(database_url, staff_key)
    assert submission.answers == respondent.given
    # One record per answer, plus the second part of the testimony: nothing repeated.
    assert submission.meta.answer_count == len(respondent.given) + 1
    output = log.read_bytes()
    assert emulator.token.encode() not in output
    assert str(respondent.user.user_id).encode() not in output
