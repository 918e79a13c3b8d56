"""The package as a volunteer sysadmin installs it: the built wheel, in a fresh virtualenv.

The bot server's environment gets exactly deploy/requirements.lock (hash-checked, so the lock
must be complete and current: `pip check` fails on a dependency it lacks) plus the wheel
without its dependencies; a staff environment gets `oclep[staff]`. Every command runs from a
temporary folder with a clean environment, so nothing from the source tree is importable.
The Bot API emulator and the simulated respondent run in this test process.
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from tests.bot.e2e.plans import MISSION
from tests.bot.e2e.support import Respondent, questionnaire_engine
from tests.conftest import DatabaseTarget
from tests.deploy.conftest import ROOT, Venv
from tests.telegram_emulator import BotApiEmulator

STAFF_ONLY: Final = ("matplotlib", "openpyxl", "numpy", "PIL")
START_TIMEOUT: Final = 120.0
PASSPHRASE: Final = "correct horse battery staple wheel"


def test_the_server_venv_holds_the_lock_and_the_bot_only(installed: tuple[Venv, Venv]) -> None:
    server, _ = installed
    # Every requirement of the wheel (base and postgres extra) is satisfied by the lock.
    server.ok(server.bin("python"), "-m", "pip", "check")
    where = server.ok(server.bin("python"), "-c", "import bot, flows; print(bot.__file__)")
    assert str(server.path) in where and str(ROOT) not in where
    for module in STAFF_ONLY:
        probe = server.run(server.bin("python"), "-c", f"import {module}")
        assert probe.returncode != 0, f"{module} is installed on the bot server"
    assert server.ok(server.bin("oclep-bot"), "--version").strip() == "oclep-bot 0.1.0"
    assert server.ok(server.bin("oclep-admin"), "--version").strip() == "oclep-admin 0.1.0"
    # Staff commands say which extras they need, in one sentence, instead of a traceback.
    report = server.run(server.bin("oclep-admin"), "report", "--help")
    assert report.returncode == 0 and "Needs the staff extras" in report.stdout
    refused = server.run(server.bin("oclep-admin"), "report")
    assert refused.returncode == 1 and "pip install 'oclep[staff]'" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_run_without_a_token_refuses_and_writes_nothing(installed: tuple[Venv, Venv]) -> None:
    server, _ = installed
    data = server.workdir / "refused-data"
    done = server.run(server.bin("oclep-bot"), "run", OCLEP_DATA_DIR=str(data))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "OCLEP_TELEGRAM_TOKEN is not set" in done.stderr
    assert done.stdout == ""
    assert not data.exists()


async def test_a_conversation_on_the_installed_bot_and_a_staff_report(
    installed: tuple[Venv, Venv], database_target: DatabaseTarget, tmp_path: Path
) -> None:
    server, staff = installed
    keys, data = tmp_path / "keys", tmp_path / "data"
    passphrase = tmp_path / "passphrase"
    passphrase.write_text(PASSPHRASE + "\n")
    staff.ok(
        staff.bin("oclep-admin"), "keys", "init", "--out", keys, "--passphrase-file", passphrase
    )
    database = {"OCLEP_DATABASE_URL": database_target.url, "OCLEP_DATA_DIR": str(data)}
    if database_target.kind == "postgresql":
        server.ok(server.bin("oclep-admin"), "db", "upgrade", **database)

    async with await BotApiEmulator.start() as emulator:
        env = server.env(
            OCLEP_TELEGRAM_TOKEN=emulator.token,
            OCLEP_TELEGRAM_API_BASE=emulator.api_base,
            OCLEP_STAFF_PUBLIC_KEY=str(keys / "staff.pub"),
            OCLEP_SERVER_SECRET_FILE=str(tmp_path / "secret" / "server.secret"),
            OCLEP_RATE_LIMIT_PER_MINUTE="10000",
            **database,
        )
        log = tmp_path / "bot.log"
        with log.open("wb") as sink:
            bot = await asyncio.create_subprocess_exec(
                str(server.bin("oclep-bot")),
                "run",
                cwd=server.workdir,
                env=env,
                stdout=sink,
                stderr=sink,
            )
        try:
            await emulator.wait_until(lambda: emulator.bot_is_polling, START_TIMEOUT, "polling")
            respondent = Respondent(emulator.user(7_123_456_789, "Yaima"), questionnaire_engine())
            await respondent.start()
            done = await respondent.complete(MISSION)
            assert "recibo" in done
            # The installed catalogs: an English-speaking respondent reads English.
            english = emulator.user(7_123_456_790, "Ann", language_code="en")
            await english.send_command("/start")
            shown = await english.wait_for_reply()
            assert shown is not None and "I agree" in shown.button_texts
        finally:
            bot.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(bot.wait(), 60) == 0, log.read_text()

    month = datetime.now(UTC).strftime("%Y-%m")
    out = tmp_path / "informe.json"
    staff.ok(
        staff.bin("oclep-admin"),
        *_report_args(month, keys / "staff.key", passphrase, out),
        OCLEP_AUDIT_LOG=str(tmp_path / "audit.jsonl"),
        **database,
    )
    report = json.loads(out.read_text())
    assert _complete_count(report) == 1, report
    html = tmp_path / "informe.html"
    staff.ok(
        staff.bin("oclep-admin"),
        *_report_args(month, keys / "staff.key", passphrase, html, format_="html"),
        OCLEP_AUDIT_LOG=str(tmp_path / "audit.jsonl"),
        **database,
    )
    assert html.read_text().count("data:image/svg+xml") >= 3  # the charts, by matplotlib
    xlsx = tmp_path / "export.xlsx"
    staff.ok(
        staff.bin("oclep-admin"),
        *("export", "--key", keys / "staff.key", "--passphrase-file", passphrase),
        *("--out", xlsx, "--format", "xlsx"),
        OCLEP_AUDIT_LOG=str(tmp_path / "audit.jsonl"),
        **database,
    )
    assert xlsx.read_bytes().startswith(b"PK")  # a workbook, by openpyxl


def _report_args(
    month: str, key: Path, passphrase: Path, out: Path, *, format_: str = "json"
) -> Sequence[str | Path]:
    return (
        "report",
        "--month",
        month,
        "--key",
        key,
        "--passphrase-file",
        passphrase,
        "--out",
        out,
        "--format",
        format_,
        "--min-cell",
        "1",
    )


def _complete_count(report: object) -> int:
    """The number of complete submissions the JSON report counts."""
    assert isinstance(report, dict)
    return int(report["tables"]["status"]["rows"][0]["count"])
