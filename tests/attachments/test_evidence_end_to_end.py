"""Documents as evidence, end to end: a respondent sends two photos and a PDF through the real
bot and the emulator (one file over the limit is refused), staff export and clean them, the
hashes prove the files, location data is gone from the clean copy only, and a withdrawn
questionnaire's files are gone from the server."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import json
import os
from pathlib import Path

from typer.testing import CliRunner

from admin_cli.main import app
from bot.attachment_limits import MAX_FILE_BYTES
from storage.attachments.store import attachments_of, sealed_chunks
from storage.database import open_database
from storage.keys import generate_staff_key, write_private_key_file
from tests.attachments.fixtures import gps_of, jpeg_with_gps, pdf_names_author, pdf_with_author
from tests.attachments.test_bot_attachments import (
    QUESTIONNAIRE,
    attachment_count,
    to_the_documents,
    until_screen,
)
from tests.bot.e2e.support import running_bot
from tests.conftest import DatabaseTarget
from tests.telegram_emulator import BotApiEmulator

PASSPHRASE = "una frase larga de prueba para los documentos"


async def _cli(*args: str) -> tuple[int, str]:
    # The CLI runs its own event loop: off this test's loop, as staff run it.
    result = await asyncio.to_thread(CliRunner().invoke, app, list(args), catch_exceptions=False)
    return result.exit_code, result.output


async def test_two_photos_and_a_pdf_from_chat_to_clean_copies(
    database_target: DatabaseTarget, tmp_path: Path
) -> None:
    key = generate_staff_key()
    photo = jpeg_with_gps()  # sent as a photo: Telegram's recompressed copy, as given here
    camera_file = jpeg_with_gps()  # sent as a file: it keeps its EXIF GPS position
    pdf = pdf_with_author()
    assert gps_of(camera_file)  # the fixture really carries a location
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(
            emulator,
            tmp_path / "data",
            database_url=database_target.url,
            staff_key=key,
            questionnaire_file=QUESTIONNAIRE,
        ) as bot,
    ):
        user = emulator.user(6_300_001)
        await to_the_documents(user)
        await user.send_photo(photo)
        await until_screen(user, "Archivo 1 recibido")
        await user.send_document(camera_file, file_name="IMG_0042.jpg", mime_type="image/jpeg")
        await until_screen(user, "Archivo 2 recibido")
        too_big = await user.send_document(
            b"%PDF-" + bytes(MAX_FILE_BYTES), file_name="todo.pdf", mime_type="application/pdf"
        )
        screen = await until_screen(user, "no se guardó")
        assert "Ese archivo pasa de 20 MB y no se guardó." in screen
        assert not user.downloaded(too_big)
        await user.send_document(pdf, file_name="contrato_brigada.pdf", mime_type="application/pdf")
        await until_screen(user, "Archivo 3 recibido")
        await user.press("Listo")
        await until_screen(user, "Enviar")
        await user.press("Enviar")
        await user.wait_for_screen(
            lambda screen: any("recibo es" in (m.text or "") for m in screen),
            description="the receipt",
        )

        # A second respondent sends a file, then withdraws the unfinished questionnaire.
        other = emulator.user(6_300_002)
        await to_the_documents(other)
        withdrawn_file = pdf_with_author(pages=2)
        await other.send_document(withdrawn_file, file_name="otro.pdf", mime_type="application/pdf")
        await until_screen(other, "Archivo 1 recibido")
        database = await open_database(bot.settings.effective_database_url)
        try:
            in_progress = [
                s.meta.id for s in await bot.submissions() if s.meta.status == "in_progress"
            ]
            [withdrawn_id] = in_progress
            [stored] = await attachments_of(database, withdrawn_id)
            withdrawn_sealed = [c async for c in sealed_chunks(database, stored)]
        finally:
            await database.close()
        await other.send_command("/borrar")
        await other.wait_for_reply()
        await other.press("Sí, borrar mis respuestas")
        await other.wait_for_reply()
        (submission,) = await bot.submissions()
        database_url = bot.settings.effective_database_url
    assert submission.answers["adjuntos"] == 3
    assert await attachment_count(database_url) == 3  # the withdrawn file is gone
    stored_bytes = database_target.stored_bytes()
    assert not any(database_target.holds(chunk, stored_bytes) for chunk in withdrawn_sealed)
    assert not database_target.holds(stored.sealed_key, stored_bytes)

    # Staff: export with the attachments, hashes verified against what was sent.
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
        "--questionnaire",
        str(QUESTIONNAIRE),
        "--audit-log",
        str(tmp_path / "audit.jsonl"),
        "--out",
        str(tmp_path / "export.csv"),
        "--attachments",
        str(files),
    )
    assert code == 0, output
    manifest = json.loads((files / "manifest.json").read_text(encoding="utf-8"))
    sent = {hashlib.sha256(data).hexdigest(): data for data in (photo, camera_file, pdf)}
    assert {row["sha256"] for row in manifest} == set(sent)
    submission_hex = submission.meta.id.hex()
    for row in manifest:
        exported = (files / row["file"]).read_bytes()
        assert exported == sent[row["sha256"]]
        assert row["file"].startswith(f"{submission_hex}-")
        assert row["submission_id"] == submission_hex and row["question"] == "adjuntos"
        assert row["size"] == len(exported)
        assert row["original_name"] == ""  # names only with --include-text
        assert (files / row["file"]).stat().st_mode & 0o777 == 0o600
    kinds = sorted((row["kind"], row["media_type"]) for row in manifest)
    assert kinds == [
        ("document", "application/pdf"),
        ("document", "image/jpeg"),
        ("photo", "image/jpeg"),
    ]
    with (files / "manifest.csv").open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 3
    # One file per questionnaire: `--out` holds the testimony (none here), this
    # questionnaire's rows are beside it under its id.
    with (tmp_path / "export.csv").open(encoding="utf-8") as handle:
        assert list(csv.DictReader(handle)) == []
    with (tmp_path / "export.documentos_prueba.csv").open(encoding="utf-8") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["adjuntos"] == "3"

    # Clean copies: GPS in the exported original, none in the clean copy; the PDF's author
    # gone from the copy; the originals untouched.
    code, output = await _cli("attachments", "clean", str(files))
    assert code == 0, output
    by_hash = {row["sha256"]: row["file"] for row in manifest}
    camera_name = by_hash[hashlib.sha256(camera_file).hexdigest()]
    pdf_name = by_hash[hashlib.sha256(pdf).hexdigest()]
    assert gps_of((files / camera_name).read_bytes())
    assert gps_of((files / "clean" / camera_name).read_bytes()) == {}
    assert pdf_names_author((files / pdf_name).read_bytes())
    assert not pdf_names_author((files / "clean" / pdf_name).read_bytes())
    for row in manifest:
        assert hashlib.sha256((files / row["file"]).read_bytes()).hexdigest() == row["sha256"]
    with (files / "clean" / "clean-manifest.csv").open(encoding="utf-8") as handle:
        outcomes = {r["file"]: r["outcome"] for r in csv.DictReader(handle)}
    assert set(outcomes.values()) == {"cleaned"} and len(outcomes) == 3


async def test_the_export_names_files_only_when_asked_and_refuses_an_altered_original(
    tmp_path: Path,
) -> None:
    key = generate_staff_key()
    pdf = pdf_with_author()
    async with (
        await BotApiEmulator.start() as emulator,
        running_bot(
            emulator, tmp_path / "data", staff_key=key, questionnaire_file=QUESTIONNAIRE
        ) as bot,
    ):
        user = emulator.user(6_300_003)
        await to_the_documents(user)
        await user.send_document(pdf, file_name="=contrato.pdf", mime_type="application/pdf")
        await until_screen(user, "Archivo 1 recibido")
        database_url = bot.settings.effective_database_url
    key_file, passphrase_file = tmp_path / "staff.key", tmp_path / "frase.txt"
    write_private_key_file(key_file, key, PASSPHRASE)
    passphrase_file.write_text(PASSPHRASE + "\n", encoding="utf-8")
    files = tmp_path / "documentos"
    files.mkdir()
    common = [
        "--key",
        str(key_file),
        "--passphrase-file",
        str(passphrase_file),
        "--database-url",
        database_url,
        "--questionnaire",
        str(QUESTIONNAIRE),
        "--audit-log",
        str(tmp_path / "audit.jsonl"),
        "--status",
        "in_progress",
    ]
    code, output = await _cli(
        "export",
        *common,
        "--out",
        str(tmp_path / "export.csv"),
        "--attachments",
        str(files),
        "--include-text",
    )
    assert code == 0, output
    [row] = json.loads((files / "manifest.json").read_text(encoding="utf-8"))
    assert row["original_name"] == "=contrato.pdf"
    with (files / "manifest.csv").open(encoding="utf-8") as handle:
        [csv_row] = list(csv.DictReader(handle))
    assert csv_row["original_name"] == "'=contrato.pdf"  # never a spreadsheet formula
    # A second export into the same folder is refused before any key is read.
    code, output = await _cli(
        "export", *common, "--out", str(tmp_path / "otra.csv"), "--attachments", str(files)
    )
    assert code == 1 and "manifest.csv already exists" in output
    # An original changed after the export: cleaning refuses, nothing is written.
    with (files / row["file"]).open("ab") as handle:
        handle.write(os.urandom(4))
    code, output = await _cli("attachments", "clean", str(files))
    assert code == 1 and "does not match the SHA-256 of the manifest" in output
    assert not (files / "clean").exists()
