"""Documents as evidence with the questionnaire the bot ships (testimonio version 3), end to
end through the emulator: a patient in Cuba answers the health branch, sends two photos and a
PDF on `adjuntos`, a file over the configured limit is refused with a sentence that says the
limit, and staff export the answers and the files; every hash matches what was sent."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import json
from pathlib import Path

from typer.testing import CliRunner

from admin_cli.main import app
from bot.attachment_limits import MB
from flows.loader import definition_hash
from flows.shipped import load_shipped
from storage.keys import generate_staff_key, write_private_key_file
from tests.attachments.fixtures import jpeg_with_gps, pdf_with_author
from tests.attachments.test_bot_attachments import attachment_count, until_screen
from tests.bot.e2e.plans import HEALTH
from tests.bot.e2e.support import Respondent, questionnaire_engine, running_bot
from tests.conftest import DatabaseTarget
from tests.telegram_emulator import BotApiEmulator

PASSPHRASE = "una frase larga de prueba para los documentos"
FILE_LIMIT_MB = 1  # OCLEP_ATTACHMENT_MAX_FILE_MB for this run: a small over-limit file


async def _cli(*args: str) -> tuple[int, str]:
    result = await asyncio.to_thread(CliRunner().invoke, app, list(args), catch_exceptions=False)
    return result.exit_code, result.output


async def test_a_patient_sends_documents_with_the_shipped_questionnaire(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    shipped = load_shipped()
    assert (shipped.id, shipped.version) == ("testimonio", 3)
    key = generate_staff_key()
    first_photo = jpeg_with_gps()
    second_photo = jpeg_with_gps() + b"\x00" * 7  # another file, another hash
    pdf = pdf_with_author()
    too_big = b"%PDF-" + bytes(FILE_LIMIT_MB * MB)  # one byte-run over the configured limit
    sent: dict[str, bytes] = {}

    async def send_documents(respondent: Respondent) -> None:
        user = respondent.user
        guide = await until_screen(user, "¿Tiene documentos")
        # The guide says the limits in force (the settings), before any file is sent.
        assert f"de hasta {FILE_LIMIT_MB} MB cada uno" in guide
        assert "tape los nombres" in guide and "como «archivo», los conserva" in guide
        await user.send_photo(first_photo)
        await until_screen(user, "Archivo 1 recibido")
        await user.send_photo(second_photo)
        await until_screen(user, "Archivo 2 recibido")
        refused = await user.send_document(
            too_big, file_name="todo.pdf", mime_type="application/pdf"
        )
        screen = await until_screen(user, "no se guardó")
        assert f"Ese archivo pasa de {FILE_LIMIT_MB} MB y no se guardó." in screen
        assert not user.downloaded(refused)
        await user.send_document(pdf, file_name="contrato.pdf", mime_type="application/pdf")
        await until_screen(user, "Archivo 3 recibido")
        await respondent.press("Listo")
        await until_screen(user, "Revise sus respuestas")  # the last question: the review
        respondent.given["adjuntos"] = 3
        for data in (first_photo, second_photo, pdf):
            sent[hashlib.sha256(data).hexdigest()] = data

    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(
            emulator,
            tmp_path / "data",
            database_url=database_target.url,
            staff_key=key,
            attachment_max_file_mb=FILE_LIMIT_MB,
        ) as bot,
    ):
        respondent = Respondent(emulator.user(6_400_001), questionnaire_engine())
        await respondent.start()
        await respondent.walk(HEALTH, {"adjuntos": send_documents})
        (submission,) = await bot.submissions()
        database_url = bot.settings.effective_database_url

    assert submission.meta.questionnaire.version == 3
    assert submission.meta.questionnaire.hash == definition_hash(shipped)
    assert submission.answers == respondent.given
    assert submission.answers["adjuntos"] == 3
    assert submission.answers["salud_situaciones"] == ("insumos_propios", "cirugia_suspendida")
    assert respondent.given.get("motivos") is not None  # the health branch was walked
    assert await attachment_count(database_url) == 3  # the refused file was never stored

    key_file, passphrase_file = tmp_path / "staff.key", tmp_path / "frase.txt"
    write_private_key_file(key_file, key, PASSPHRASE)
    passphrase_file.write_text(PASSPHRASE + "\n", encoding="utf-8")
    files = tmp_path / "documentos"
    files.mkdir()
    code, output = await _cli(
        "export",
        "--key",
        str(key_file),
        "--passphrase-file",
        str(passphrase_file),
        "--database-url",
        database_url,
        "--audit-log",
        str(tmp_path / "audit.jsonl"),
        "--out",
        str(tmp_path / "export.csv"),
        "--attachments",
        str(files),
    )
    assert code == 0, output
    manifest = json.loads((files / "manifest.json").read_text(encoding="utf-8"))
    assert {row["sha256"] for row in manifest} == set(sent)
    for row in manifest:
        exported = (files / row["file"]).read_bytes()
        assert exported == sent[row["sha256"]]
        assert hashlib.sha256(exported).hexdigest() == row["sha256"]
        assert row["question"] == "adjuntos"
    assert sorted(row["kind"] for row in manifest) == ["document", "photo", "photo"]

    with (tmp_path / "export.csv").open(encoding="utf-8") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["questionnaire_version"] == "3"
    assert row["adjuntos"] == "3"
    # The one health screen of version 3, and the figures it feeds under their ids.
    assert row["salud_situaciones__insumos_propios"] == "1"
    assert row["salud_situaciones__cirugia_suspendida"] == "1"
    assert row["salud_situaciones__mercado_informal"] == "0"
    assert row["salud_insumos_propios"] == "present"
    assert row["salud_cirugia_suspendida"] == "present"
    assert row["salud_mercado_informal"] == "absent"
