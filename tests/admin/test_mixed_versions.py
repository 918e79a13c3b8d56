"""Exports and reports over testimonies of versions 1, 2 and 3 of `testimonio` together: each
row and each figure is read with its own version's definition and rules.

The testimonies are stored through the real repository under the shipped definitions' hashes;
the expected cells and counts below are worked out by hand from the answers and the rules of
docs/methodology.md §7.2 (not by the derivation code), so a version read with another
version's rules fails here.
"""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path
from typing import Any

import pytest

from flows.answers import SKIPPED, AnswerValue
from flows.loader import definition_hash
from flows.model import Questionnaire
from storage.database import Database
from storage.keys import write_private_key_file
from storage.repository import Change, QuestionnaireRef
from tests.admin.cli_support import run
from tests.admin.fixtures.builder import PASSPHRASE
from tests.conftest import DatabaseTarget
from tests.flows.support import load_testimonio, load_testimonio_v2, load_testimonio_v3
from tests.storage.repository_support import Setup, at_version, random_telegram_id, record

V1, V2, V3 = load_testimonio(), load_testimonio_v2(), load_testimonio_v3()
START: dict[str, AnswerValue] = {"consentimiento": "acepto", "lugar_seguro": "si"}

# name -> (definition, answers). Health answers of all three versions, and the passport
# questions that version 2 merged, so that each version's own rule decides.
TESTIMONIES: dict[str, tuple[Questionnaire, dict[str, AnswerValue]]] = {
    "v1_patient": (
        V1,
        {
            **START,
            "rol": "paciente_cuba",
            "necesidad_no_atendida": "si",
            "llevar_insumos": "si",
            "mercado_informal": "no",
            "cirugia_suspendida": "si",
            "ambulancia": "6_24h",  # version 1's code: 6 hours or more under its rule
        },
    ),
    "v1_mission": (
        V1,
        {
            **START,
            "rol": "mision_pasada",
            "documentos_retenidos": "si",
            "documentos_acceso": "si",  # given back on request: not retention (v1 rule)
        },
    ),
    "v2_patient": (
        V2,
        {
            **START,
            "rol": "paciente_cuba",
            "necesidad_no_atendida": "no",
            "llevar_insumos": "no",
            "mercado_informal": "si",
            "cirugia_suspendida": "no_sabe",
            "ambulancia": "24h_o_mas",
        },
    ),
    "v2_mission": (V2, {**START, "rol": "mision_actual", "documentos": "guardado_con_permiso"}),
    "v3_health_worker": (
        V3,
        {
            **START,
            "rol": "salud_cuba",
            "necesidad_no_atendida": "si",
            "salud_situaciones": ("insumos_propios", "mercado_informal"),
            "ambulancia": "de_6_a_24h",
            "adjuntos": 0,
        },
    ),
    "v3_patient": (
        V3,
        {
            **START,
            "rol": "paciente_cuba",
            "necesidad_no_atendida": "si",
            "salud_situaciones": SKIPPED,
            "ambulancia": "menos_1h",
            "adjuntos": SKIPPED,
        },
    ),
    "v3_relative": (
        V3,
        {
            **START,
            "rol": "familiar",
            "documentos": "guardado_sin_acceso",
            "quiere_salud": "no",
            "adjuntos": 2,
        },
    ),
}

# By hand, per docs/methodology.md §7.2 (present, absent) over those the figure applies to.
EXPECTED_FIGURES = {
    # v1 si, v3 ticked | v2 no | v3 skipped: unknown
    "salud_insumos_propios": (2, 1),
    # v2 si, v3 ticked | v1 no | v3 skipped: unknown
    "salud_mercado_informal": (2, 1),
    # v1 si | v2 no_sabe, v3 not ticked | v3 skipped: unknown
    "salud_cirugia_suspendida": (1, 2),
    # v1 6_24h, v2 24h_o_mas, v3 de_6_a_24h | v3 menos_1h
    "salud_ambulancia_mas_6h": (3, 1),
    # v1 si, v3 si, v3 si | v2 no
    "salud_necesidad_no_atendida": (3, 1),
    # v2 guardado_con_permiso, v3 guardado_sin_acceso | v1 retained but given back on request
    "ilo_retencion_documentos": (2, 1),
}
# The export's cells of the columns the versions do not share, per testimony.
EXPECTED_CELLS: dict[str, dict[str, str]] = {
    "v1_patient": {
        "questionnaire_version": "1",
        "llevar_insumos": "si",
        "cirugia_suspendida": "si",
        "salud_situaciones__insumos_propios": "",
        "ambulancia": "6_24h",
        "adjuntos": "",
        "salud_insumos_propios": "present",
        "salud_cirugia_suspendida": "present",
        "salud_mercado_informal": "absent",
    },
    "v2_patient": {
        "questionnaire_version": "2",
        "llevar_insumos": "no",
        "cirugia_suspendida": "no_sabe",
        "salud_situaciones__mercado_informal": "",
        "adjuntos": "",
        "salud_insumos_propios": "absent",
        "salud_mercado_informal": "present",
        "salud_cirugia_suspendida": "absent",
    },
    "v3_health_worker": {
        "questionnaire_version": "3",
        "llevar_insumos": "",
        "mercado_informal": "",
        "salud_situaciones__insumos_propios": "1",
        "salud_situaciones__mercado_informal": "1",
        "salud_situaciones__cirugia_suspendida": "0",
        "salud_situaciones__ninguna": "0",
        "adjuntos": "0",
        "salud_insumos_propios": "present",
        "salud_mercado_informal": "present",
        "salud_cirugia_suspendida": "absent",
    },
    "v3_patient": {
        "salud_situaciones__insumos_propios": "_skip",
        "adjuntos": "_skip",
        "salud_insumos_propios": "unknown",
        "salud_mercado_informal": "unknown",
        "salud_cirugia_suspendida": "unknown",
    },
    "v3_relative": {
        "documentos": "guardado_sin_acceso",
        "documentos_retenidos": "",
        "adjuntos": "2",
        "ilo_retencion_documentos": "present",
        "salud_insumos_propios": "not_applicable",
    },
    "v1_mission": {
        "documentos": "",
        "documentos_retenidos": "si",
        "ilo_retencion_documentos": "absent",
        "icls_coaccion": "present",  # v1: kept at all is an element of coercion
    },
}


async def _store(setup: Setup, questionnaire: Questionnaire, answers: dict[str, Any]) -> str:
    """One complete testimony of `questionnaire` with `answers`; its submission id (hex)."""
    ref = QuestionnaireRef(questionnaire.id, questionnaire.version, definition_hash(questionnaire))
    repository = setup.repository()
    key = setup.pseudonym(random_telegram_id())
    draft = await repository.start_or_resume(
        key, questionnaire=ref, campaign=None, initial_state=b""
    )
    records = tuple(record(q, v) for q, v in answers.items())
    answered = await repository.apply(
        key, update_id=1, decide=at_version(draft.version, Change(state=b"", answers=records))
    )
    assert answered.decided is True and answered.draft is not None
    completed = await repository.apply(
        key, update_id=2, decide=at_version(answered.draft.version, Change(complete=True))
    )
    assert completed.decided is True
    return draft.submission_id.hex()


@pytest.fixture
async def mixed(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, str], list[str]]:
    """The testimonies stored; their ids by name, and the CLI's key arguments."""
    monkeypatch.setenv("OCLEP_AUDIT_LOG", str(tmp_path / "audit" / "audit.jsonl"))
    setup = Setup(database)  # the clock stands in March 2025
    ids = {name: await _store(setup, q, a) for name, (q, a) in TESTIMONIES.items()}
    write_private_key_file(tmp_path / "staff.key", setup.staff_key, PASSPHRASE)
    passphrase = tmp_path / "passphrase.txt"
    passphrase.write_text(PASSPHRASE + "\n", encoding="utf-8")
    passphrase.chmod(0o600)
    return ids, ["--key", str(tmp_path / "staff.key"), "--passphrase-file", str(passphrase)]


async def test_an_export_reads_each_version_with_its_own_definition(
    mixed: tuple[dict[str, str], list[str]], database_target: DatabaseTarget, tmp_path: Path
) -> None:
    ids, keys = mixed
    out = tmp_path / "export.csv"
    args = [*keys, "--database-url", database_target.url, "--out", out]
    result = await asyncio.to_thread(run, ["export", *args])
    assert result.exit_code == 0, result.stderr
    with out.open(encoding="utf-8") as handle:
        rows = {row["submission_id"]: row for row in csv.DictReader(handle)}
    assert len(rows) == len(TESTIMONIES)
    for name, cells in EXPECTED_CELLS.items():
        row = rows[ids[name]]
        assert {column: row[column] for column in cells} == cells, name
    hashes = {row["questionnaire_version"]: row["questionnaire_hash"] for row in rows.values()}
    assert hashes == {str(q.version): definition_hash(q) for q in (V1, V2, V3)}


async def test_a_report_counts_each_version_by_its_own_rules(
    mixed: tuple[dict[str, str], list[str]], database_target: DatabaseTarget, tmp_path: Path
) -> None:
    _, keys = mixed
    out = tmp_path / "report.json"
    args = [*keys, "--database-url", database_target.url, "--month", "2025-03"]
    result = await asyncio.to_thread(
        run, ["report", *args, "--format", "json", "--out", out, "--min-cell", "1"]
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    published = {row["id"]: row for group in report["figures"].values() for row in group}
    for figure_id, (present, absent) in EXPECTED_FIGURES.items():
        row = published[figure_id]
        assert (row["present"], row["absent"]) == (present, absent), figure_id
    versions = {
        (row["version"], row["hash_prefix"]): row["count"]
        for row in report["questionnaire_versions"]["rows"]
    }
    assert versions == {(q.version, definition_hash(q)[:12]): 0 for q in (V1, V2, V3)} | {
        (1, definition_hash(V1)[:12]): 2,
        (2, definition_hash(V2)[:12]): 2,
        (3, definition_hash(V3)[:12]): 3,
    }
    # Ambulance delays of every version in one table: each version's codes are rows, and
    # the rows of 6 hours or more add up to the figure.
    # the rows of 6 hours or more add up to the figure (an equation the disclosure auditor
    # relies on). Version 1's overlapping ranges are shown only where a testimony holds them.
    ambulance = {row["code"]: row["count"] for row in report["tables"]["ambulancia"]["rows"]}
    assert ambulance == {
        "menos_1h": 1,
        "de_1_a_6h": 0,
        "de_6_a_24h": 1,
        "24h_o_mas": 1,
        "nunca_llego": 0,
        "no_necesito": 0,
        "6_24h": 1,  # version 1's "De 6 a 24 horas"
        "_no_answer": 0,
    }
    over_6h = ambulance["de_6_a_24h"] + ambulance["24h_o_mas"] + ambulance["6_24h"]
    assert over_6h == published["salud_ambulancia_mas_6h"]["present"]
