"""Until exports and reports have their field-report tables, a field report is refused by
them, loudly: it is never counted as a testimony (docs/methodology.md section 12.3)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from admin_cli.errors import CommandError
from admin_cli.records import DefinitionCatalog, final_record, report_record
from flows.answers import encode_answer
from flows.loader import definition_hash
from flows.model import Questionnaire
from storage.reader import DecryptedSubmission, RecordDecoder, SubmissionMeta
from storage.repository import QuestionnaireRef
from tests.flows.support import load_informe_campo, load_testimonio_v2


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
