"""The three sources in the staff outputs: a month of testimonies given by the person,
interviews and field reports, stored as the bot stores them, then exported and reported by
the real `oclep-admin`. Every figure checked here is computed in this file from the plans
alone, never read back from the report library (docs/methodology.md §12)."""

from __future__ import annotations

import asyncio
import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any, Final

import pytest

from flows.answers import AnswerValue
from flows.loader import definition_hash
from flows.model import Questionnaire
from flows.shipped import load_shipped
from storage.database import Database
from storage.keys import write_private_key_file
from storage.repository import Change, QuestionnaireRef
from storage.tables import SubmissionMode
from tests.admin.cli_support import run
from tests.admin.fixtures.builder import PASSPHRASE
from tests.conftest import DatabaseTarget
from tests.storage.repository_support import Setup, at_version, random_telegram_id, record

Plan = dict[str, AnswerValue]

# Testimonies (the person's own, or an interview: the same questionnaire). Health respondents
# in Cuba: every health figure applies to each of them.
PATIENT_SHORTAGE: Final[Plan] = {
    "consentimiento": "acepto",
    "lugar_seguro": "si",
    "rol": "paciente_cuba",
    "provincia": "holguin",
    "necesidad_no_atendida": "si",
    "motivos": ("sin_medicamentos", "espera"),
    "faltantes": ("antibioticos", "jeringuillas"),
    "llevar_insumos": "si",
    "ambulancia": "nunca_llego",
}
PATIENT_NO_NEED: Final[Plan] = {
    "consentimiento": "acepto",
    "lugar_seguro": "si",
    "rol": "paciente_cuba",
    "provincia": "camaguey",
    "necesidad_no_atendida": "no",
    "ambulancia": "no_necesito",
}
# Field reports: a hospital with counted surgeries, one with "No sé", a pharmacy, a mission.
HOSPITAL_COUNTED: Final[Plan] = {
    "consentimiento": "acepto",
    "lugar_seguro": "si",
    "tipo_lugar": "hospital",
    "provincia": "holguin",
    "mes": "marzo",
    "fuentes": ("observacion",),
    "confirmado": "si",
    "hallazgos": ("cirugias_suspendidas", "faltan_insumos"),
    "faltantes": ("antibioticos",),
}
PHARMACY: Final[Plan] = {
    "consentimiento": "acepto",
    "lugar_seguro": "si",
    "tipo_lugar": "farmacia",
    "provincia": "camaguey",
    "mes": "marzo",
    "fuentes": ("observacion",),
    "confirmado": "en_parte",
    "hallazgos": ("faltan_insumos",),
    "faltantes": ("analgesicos",),
}
MISSION_SITE: Final[Plan] = {
    "consentimiento": "acepto",
    "lugar_seguro": "si",
    "tipo_lugar": "mision",
    "pais": "VE",
    "mes": "marzo",
    "fuentes": ("documentos",),
    "confirmado": "no",
}
SURGERIES: Final = (12, 7, 30, 4)  # the counted hospitals' numbers, one report each

# The month: 6 + 3 testimonies by the person, 2 + 2 interviews, and 4 + 2 + 3 + 1 reports.
TESTIMONIES: Final = [(PATIENT_SHORTAGE, SubmissionMode.DIRECT)] * 6 + [
    (PATIENT_NO_NEED, SubmissionMode.DIRECT)
] * 3
INTERVIEWS: Final = [(PATIENT_SHORTAGE, SubmissionMode.INTERVIEW)] * 2 + [
    (PATIENT_NO_NEED, SubmissionMode.INTERVIEW)
] * 2
FIELD_REPORTS: Final[list[Plan]] = (
    [{**HOSPITAL_COUNTED, "cirugias_suspendidas_n": n} for n in SURGERIES]
    + [{**HOSPITAL_COUNTED, "cirugias_suspendidas_n": "no_sabe"}] * 2
    + [PHARMACY] * 3
    + [MISSION_SITE]
)


async def _store(
    setup: Setup, questionnaire: Questionnaire, plan: Plan, mode: SubmissionMode
) -> None:
    """One submission stored as the bot stores it: a draft, its answers, completion."""
    ref = QuestionnaireRef(questionnaire.id, questionnaire.version, definition_hash(questionnaire))
    repository = setup.repository()
    key = setup.pseudonym(random_telegram_id())
    draft = await repository.start_or_resume(
        key, questionnaire=ref, campaign=None, initial_state=b"", mode=mode
    )
    answers = tuple(record(q, v) for q, v in plan.items())
    answered = await repository.apply(
        key, update_id=1, decide=at_version(draft.version, Change(state=b"", answers=answers))
    )
    assert answered.draft is not None
    done = await repository.apply(
        key, update_id=2, decide=at_version(answered.draft.version, Change(complete=True))
    )
    assert done.decided is True


def _expected() -> dict[str, Any]:
    """The month's figures, from the plans above alone."""
    people = TESTIMONIES + INTERVIEWS
    shortage = [m for plan, m in people if plan is PATIENT_SHORTAGE]
    health_reports = [p for p in FIELD_REPORTS if p["tipo_lugar"] != "mision"]
    given = [n for p in FIELD_REPORTS if isinstance(n := p.get("cirugias_suspendidas_n"), int)]
    return {
        "by_mode": Counter(m.value for _, m in people),
        "field": len(FIELD_REPORTS),
        "all": len(people) + len(FIELD_REPORTS),
        # salud_falta_medicamentos: shortage of antibiotics or syringes, among everyone.
        "shortage_present": len(shortage),
        "shortage_base_by_mode": Counter(m.value for _, m in people),
        "field_surgery_present": sum(
            "cirugias_suspendidas" in _codes(p.get("hallazgos")) for p in health_reports
        ),
        "field_health_base": len(health_reports),
        "surgeries_given": len(given),
        "surgeries_unknown": sum(
            p.get("cirugias_suspendidas_n") == "no_sabe" for p in FIELD_REPORTS
        ),
        "surgeries_sum": sum(given),
    }


def _codes(value: AnswerValue | None) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else ()


@pytest.fixture
async def month(
    database: Database,
    database_target: DatabaseTarget,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> list[Any]:
    """The stored month, and the command-line arguments that open it."""
    monkeypatch.setenv("OCLEP_AUDIT_LOG", str(tmp_path / "audit" / "audit.jsonl"))
    setup = Setup(database)  # the clock stands in March 2025
    testimony, report = load_shipped(), load_shipped("informe_campo.yaml")
    for plan, mode in TESTIMONIES + INTERVIEWS:
        await _store(setup, testimony, plan, mode)
    for plan in FIELD_REPORTS:
        await _store(setup, report, plan, SubmissionMode.DIRECT)
    write_private_key_file(tmp_path / "staff.key", setup.staff_key, PASSPHRASE)
    passphrase = tmp_path / "passphrase.txt"
    passphrase.write_text(PASSPHRASE + "\n", encoding="utf-8")
    passphrase.chmod(0o600)
    keys = ["--key", tmp_path / "staff.key", "--passphrase-file", passphrase]
    return [*keys, "--database-url", database_target.url, "--month", "2025-03"]


async def test_export_has_a_file_per_questionnaire_with_the_mode(
    month: list[Any], tmp_path: Path
) -> None:
    out = tmp_path / "out" / "march.csv"
    out.parent.mkdir()
    result = await asyncio.to_thread(run, ["export", *month, "--out", out])
    assert result.exit_code == 0, result.stderr
    expected = _expected()
    with out.open(encoding="utf-8") as handle:
        testimonies = list(csv.DictReader(handle))
    with out.with_name("march.informe_campo.csv").open(encoding="utf-8") as handle:
        reports = list(csv.DictReader(handle))
    assert Counter(row["mode"] for row in testimonies) == expected["by_mode"]
    assert {row["questionnaire_id"] for row in testimonies} == {"testimonio"}
    assert len(reports) == expected["field"]
    assert {row["questionnaire_id"] for row in reports} == {"informe_campo"}
    assert sorted(
        int(row["cirugias_suspendidas_n"])
        for row in reports
        if row["cirugias_suspendidas_n"].isdigit()
    ) == sorted(SURGERIES)
    assert "rol" not in reports[0] and "tipo_lugar" not in testimonies[0]
    with out.with_name("march.csv.codebook.csv").open(encoding="utf-8") as handle:
        sheets = Counter(row["sheet"] for row in csv.DictReader(handle))
    assert sheets["testimonio"] == len(testimonies[0]) and sheets["informe_campo"] == len(
        reports[0]
    )


async def test_report_opens_with_the_sources_and_keeps_field_reports_apart(
    month: list[Any], tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    args = ["report", *month, "--format", "json", "--min-cell", "1", "--out", out]
    result = await asyncio.to_thread(run, args)
    assert result.exit_code == 0, result.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    expected = _expected()
    sources = {row["code"]: row["count"] for row in report["tables"]["mode"]["rows"]}
    assert sources == dict(expected["by_mode"])
    assert report["tables"]["status"]["total"] == sum(expected["by_mode"].values())
    assert report["field_reports"]["n"] == expected["field"]
    assert report["questionnaire_versions"]["total"] == expected["all"]
    health = {row["id"]: row for row in report["figures"]["health"]}
    shortage = health["salud_falta_medicamentos"]
    assert shortage["present"] == expected["shortage_present"]
    assert shortage["base_by_source"] == dict(expected["shortage_base_by_mode"])
    field = {row["id"]: row for row in report["field_reports"]["figures"]["health"]}
    surgery = field["campo_salud_cirugia_suspendida"]
    assert surgery["present"] == expected["field_surgery_present"]
    assert surgery["base"] == expected["field_health_base"]
    assert "base_by_source" not in surgery  # one source: the reports
    counts = {row["id"]: row for row in report["field_reports"]["counts"]}
    assert counts["cirugias_suspendidas_n"]["reports"] == expected["surgeries_given"]
    assert (
        counts["cirugias_suspendidas_n"]["reports_without_number"]
        == (expected["surgeries_unknown"])
    )
    assert counts["cirugias_suspendidas_n"]["sum"] == expected["surgeries_sum"]


async def test_report_under_disclosure_control_hides_the_small_sources(
    month: list[Any], tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    result = await asyncio.to_thread(run, ["report", *month, "--format", "json", "--out", out])
    assert result.exit_code == 0, result.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    # 4 interviews: below k = 5, so not shown; the field reports' total is an anchor.
    interviews = next(r for r in report["tables"]["mode"]["rows"] if r["code"] == "entrevista")
    assert isinstance(interviews["count"], dict) and interviews["count"]["suppressed"] is True
    assert report["field_reports"]["n"] == _expected()["field"]
    # 4 counted hospitals: fewer than k reports gave a number, so no sum.
    counts = {row["id"]: row for row in report["field_reports"]["counts"]}
    assert counts["cirugias_suspendidas_n"]["sum"] is None
    html = tmp_path / "report.html"
    shown = await asyncio.to_thread(run, ["report", *month, "--out", html])
    assert shown.exit_code == 0, shown.stderr
    page = html.read_text(encoding="utf-8")
    assert page.index("Fuentes de este informe") < page.index("Testimonios recibidos")
    assert "Informes de campo: conteos de los investigadores" in page
