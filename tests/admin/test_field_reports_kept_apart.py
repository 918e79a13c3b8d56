"""Until exports and reports have their field-report tables, a field report is refused by
them, loudly: it is never counted as a testimony (docs/methodology.md section 12.3)."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path

import pytest

from admin_cli.errors import CommandError
from admin_cli.records import DefinitionCatalog, final_record, report_record
from flows.answers import encode_answer
from flows.loader import definition_hash
from flows.model import Questionnaire
from storage.database import Database
from storage.keys import write_private_key_file
from storage.reader import DecryptedSubmission, RecordDecoder, SubmissionMeta
from storage.repository import Change, QuestionnaireRef
from tests.admin.cli_support import leftovers, one_sentence, run
from tests.admin.fixtures.builder import PASSPHRASE
from tests.conftest import DatabaseTarget
from tests.flows.support import load_informe_campo, load_testimonio_v2
from tests.storage.repository_support import Setup, at_version, random_telegram_id, record


def _submission(questionnaire: Questionnaire, answers: dict[str, str]) -> DecryptedSubmission:
    records = tuple(
        json.dumps({"q": q, "v": encode_answer(v)}, separators=(",", ":")).encode()
        for q, v in answers.items()
    )
    meta = SubmissionMeta(
        id=bytes(16),
        status="complete",
        created_on=date(2026, 11, 3),
        completed_on=date(2026, 11, 3),
        campaign=None,
        questionnaire=QuestionnaireRef(
            questionnaire.id, questionnaire.version, definition_hash(questionnaire)
        ),
        key_id=bytes(8),
        answer_count=len(records),
    )
    return DecryptedSubmission(meta, records, RecordDecoder())


def test_the_shipped_catalog_reads_field_reports_and_the_report_refuses_them() -> None:
    catalog = DefinitionCatalog.load()
    field = final_record(_submission(load_informe_campo(), {"tipo_lugar": "hospital"}), catalog)
    assert field.figures["campo_salud_muertes"].state == "unknown"
    with pytest.raises(CommandError, match="never counts them as testimonies"):
        report_record(field)
    testimony = final_record(_submission(load_testimonio_v2(), {"rol": "salud_cuba"}), catalog)
    assert report_record(testimony).questionnaire_id == "testimonio"


async def test_export_and_report_refuse_a_field_report_in_one_sentence(
    database: Database,
    database_target: DatabaseTarget,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OCLEP_AUDIT_LOG", str(tmp_path / "audit" / "audit.jsonl"))
    setup = Setup(database)  # the clock stands in March 2025
    report = load_informe_campo()
    ref = QuestionnaireRef(report.id, report.version, definition_hash(report))
    repository = setup.repository()
    key = setup.pseudonym(random_telegram_id())
    draft = await repository.start_or_resume(
        key, questionnaire=ref, campaign=None, initial_state=b""
    )
    answer = Change(state=b"", answers=(record("tipo_lugar", "hospital"),))
    answered = await repository.apply(key, update_id=1, decide=at_version(draft.version, answer))
    assert answered.decided is True and answered.draft is not None
    completed = await repository.apply(
        key, update_id=2, decide=at_version(answered.draft.version, Change(complete=True))
    )
    assert completed.decided is True

    write_private_key_file(tmp_path / "staff.key", setup.staff_key, PASSPHRASE)
    passphrase = tmp_path / "passphrase.txt"
    passphrase.write_text(PASSPHRASE + "\n", encoding="utf-8")
    passphrase.chmod(0o600)
    out = tmp_path / "out"
    out.mkdir()
    keys = ["--key", tmp_path / "staff.key", "--passphrase-file", passphrase]
    common = [*keys, "--database-url", database_target.url, "--month", "2025-03"]
    for command, target, problem in (
        ("export", out / "x.csv", "cannot write yet"),
        ("report", out / "r.html", "never counts them as testimonies"),
    ):
        result = await asyncio.to_thread(run, [command, *common, "--out", target])
        assert result.exit_code == 1, command
        sentence = one_sentence(result)
        assert "field reports (informe_campo)" in sentence and problem in sentence
        assert leftovers(out) == [], command
