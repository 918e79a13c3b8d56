"""`oclep-bot console` as a real subprocess, driven by scripted stdin."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from pathlib import Path

from storage.database import open_database
from storage.keys import keyring, read_private_key_file
from storage.reader import DecryptedSubmission, read_submissions

# consent, safe place, role (health worker), province typed, then skip the rest with
# "saltar"; the testimony in two parts, then "listo"; quote permission: yes; no documents
# ("listo"); then send.
SCRIPT = ["1", "1", "6", "Holguín"] + ["saltar"] * 6 + ["Mi relato.", "Otra parte.", "listo", "1"]
SCRIPT += ["listo"]  # no documents on `adjuntos`
SCRIPT += ["listo"]  # "Enviar" on the review
BYE = "Hasta pronto."
ANSWERS_KEPT = "Puede seguir después: sus respuestas quedan guardadas."


def _run(data_dir: Path, lines: list[str], **extra: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "OCLEP_DATA_DIR": str(data_dir), **extra}
    environment.pop("OCLEP_TELEGRAM_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        cwd=data_dir.parent,
    )


def test_console_completes_a_questionnaire(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    result = _run(data_dir, SCRIPT)
    assert result.returncode == 0, result.stderr
    assert "NOT FOR PRODUCTION" in result.stderr
    assert "¡Gracias por su testimonio!" in result.stdout
    assert result.stdout.rstrip().endswith(BYE)  # EOF after completion: nothing to continue
    assert ANSWERS_KEPT not in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    for name in ("dev-staff.pub", "dev-staff.key", "dev-staff.passphrase", "oclep.db"):
        assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600, name

    passphrase = (data_dir / "dev-staff.passphrase").read_text().strip()
    staff = read_private_key_file(data_dir / "dev-staff.key", passphrase)

    async def read() -> list[DecryptedSubmission]:
        async with await open_database(f"sqlite+aiosqlite:///{data_dir / 'oclep.db'}") as db:
            return [s async for s in read_submissions(db, keyring([staff]))]  # type: ignore[misc]

    [submission] = asyncio.run(read())
    assert submission.answers["rol"] == "salud_cuba"
    assert submission.answers["provincia"] == "holguin"
    assert submission.answers["testimonio"] == "Mi relato.\nOtra parte."
    assert submission.answers["adjuntos"] == 0
    assert submission.answers["cita_permitida"] == "si"


def test_console_eof_mid_questionnaire_resumes_next_run(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = _run(data_dir, ["1", "1"])
    assert first.returncode == 0, first.stderr
    assert first.stdout.rstrip().endswith(ANSWERS_KEPT)
    second = _run(data_dir, ["1"])  # "Sí, es un lugar seguro" on the return check
    assert second.returncode == 0
    assert "(reused)" in second.stderr or "reused" in second.stderr
    assert "Sección: Consentimiento y seguridad · pregunta 3 de unas" in second.stdout
    assert "¿Cuál opción describe mejor su situación?" in second.stdout
    assert second.stdout.rstrip().endswith(ANSWERS_KEPT)


def test_console_eof_with_nothing_stored_says_only_goodbye(tmp_path: Path) -> None:
    # Consent shown but not given; consent refused; a questionnaire deleted with /borrar.
    for run, lines in enumerate([[], ["2"], ["1", "1", "/borrar", "1"]]):
        result = _run(tmp_path / f"data{run}", lines)
        assert result.returncode == 0, result.stderr
        assert result.stdout.rstrip().endswith(BYE), lines
        assert ANSWERS_KEPT not in result.stdout, lines


def test_bad_database_url_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    result = _run(tmp_path / "data", [], OCLEP_DATABASE_URL="mysql://nope/db")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "database URL" in result.stderr


def test_options_of_a_question_that_takes_typing_show_the_mark_that_picks_them(
    tmp_path: Path,
) -> None:
    # consent, safe place, on a mission now, health sector, doctor; then the country question,
    # which also takes a typed name: its options read "#1." and "#1" picks Venezuela.
    result = _run(tmp_path / "data", ["1", "1", "1", "1", "1", "#1"])
    assert result.returncode == 0, result.stderr
    country = result.stdout.index("¿En qué país es o fue la misión?")
    assert "  #1. Venezuela" in result.stdout[country:]
    assert "  1. Salud" in result.stdout  # a question with buttons only: plain numbers
    assert "No encontramos ese país" not in result.stdout
    assert result.stdout.count("¿En qué país es o fue la misión?") == 1
