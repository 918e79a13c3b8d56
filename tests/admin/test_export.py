"""`oclep-admin export`: CSV, XLSX and JSON Lines read back equal the known answers."""

from __future__ import annotations

import csv
import json
import re
import stat
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from flows.answers import AnswerValue, Money, Skipped
from tests.admin.cli_support import key_args, run
from tests.admin.expected_figures import figures
from tests.admin.fixtures.builder import COUNT, SEED, FixtureDatabase, Known, engines
from tests.admin.fixtures.plans import CAMPAIGNS, make_plans

META = {"submission_id", "status", "created_on", "completed_on", "campaign"}
META |= {"questionnaire_id", "questionnaire_version", "questionnaire_hash", "review", "mode"}


def norm(value: Any) -> str:
    """One spelling per value across CSV text, XLSX numbers and JSON numbers."""
    if value is None:
        return ""
    text = str(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return str(number.normalize()) if number.is_finite() else text


def expected_cell(known: Known, column: str) -> str | None:
    """The cell the test expects, from the known answers alone; None: not checked here."""
    variable, _, part = column.partition("__")
    derived = figures(known.answers)
    if variable in derived:
        figure = derived[variable]
        return norm(figure.value) if part == "value" else figure.state
    if variable in META or variable == "palermo_acto":
        return None
    value: AnswerValue | None = known.answers.get(variable)
    if value is None:
        return ""
    if isinstance(value, Skipped):
        return "_skip"
    if isinstance(value, tuple):
        return "1" if part in value else "0"
    if isinstance(value, Money):
        return norm(value.amount) if part == "amount" else value.currency
    return norm(value)


def check_rows(built: FixtureDatabase, table: list[dict[str, Any]], wanted: list[Known]) -> None:
    by_id = {k.submission_id: k for k in built.known}
    assert sorted(row["submission_id"] for row in table) == sorted(k.submission_id for k in wanted)
    for row in table:
        known = by_id[row["submission_id"]]
        assert row["status"] == known.status
        assert norm(row["questionnaire_version"]) == str(known.version)
        assert norm(row["campaign"]) == (known.campaign or "")
        assert row["mode"] == "directo"  # the fixture's respondents answered themselves
        for column, cell in row.items():
            want = expected_cell(known, column)
            if want is not None:
                assert norm(cell) == want, (known.index, column)


def march(built: FixtureDatabase, *, campaign: str | None = None) -> list[Known]:
    return [
        k
        for k in built.known
        if k.status in ("complete", "partial")
        and k.day.month == 3
        and (campaign is None or k.campaign == campaign)
    ]


@pytest.fixture(scope="module")
def csv_export(built: FixtureDatabase, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("csv") / "export.csv"
    result = run(["export", *key_args(built), "--month", "2025-03", "--out", out])
    assert result.exit_code == 0, result.stderr
    return out


def read_csv(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_equals_known_answers(built: FixtureDatabase, csv_export: Path) -> None:
    check_rows(built, read_csv(csv_export), march(built))


def test_withdrawn_and_unfinished_are_absent(built: FixtureDatabase, csv_export: Path) -> None:
    exported = {row["submission_id"] for row in read_csv(csv_export)}
    withdrawn = {k.submission_id for k in built.known if k.status == "withdrawn"}
    in_progress = {k.submission_id for k in built.known if k.status == "in_progress"}
    assert withdrawn and in_progress
    assert not exported & (withdrawn | in_progress)


def test_going_back_drops_the_abandoned_branch(built: FixtureDatabase, csv_export: Path) -> None:
    plans = make_plans(SEED, COUNT, {v: e.questionnaire for v, e in engines().items()})
    detours = {p.index for p in plans if p.detour and p.detour.at == "condiciones_distintas"}
    rows = {row["submission_id"]: row for row in read_csv(csv_export)}
    checked = 0
    for known in built.known:
        if known.index in detours and known.submission_id in rows:
            row = rows[known.submission_id]
            assert row["condiciones_distintas"] != "peores"
            assert row["aspectos_distintos__tareas"] == ""  # answered, then pruned
            checked += 1
    assert checked >= 3


def test_columns_are_stable_across_versions(csv_export: Path) -> None:
    with csv_export.open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header[:3] == ["submission_id", "status", "created_on"]
    # v2's new code and question sit where v2 defines them, among v1's columns.
    assert header.index("restricciones__prohibido_viajar") == (
        header.index("restricciones__prohibido_relaciones") + 1
    )
    assert header.index("dias_descanso") == header.index("horas_semana") + 1
    assert "testimonio" not in header  # free text only with --include-text
    assert "pago_estado_mes__amount" in header and "ilo_total__value" in header
    rows = read_csv(csv_export)
    v1 = [r for r in rows if r["questionnaire_version"] == "1" and r["rol"] == "mision_actual"]
    assert v1 and all(r["dias_descanso"] == "" for r in v1)


def test_codebook_documents_every_column(csv_export: Path) -> None:
    codebook = csv_export.with_name(csv_export.name + ".codebook.csv")
    with codebook.open(encoding="utf-8") as handle:
        book = list(csv.DictReader(handle))
    with csv_export.open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    field_reports = csv_export.with_name("export.informe_campo.csv")
    with field_reports.open(encoding="utf-8") as handle:
        field_header = next(csv.reader(handle))
    # Every column of each questionnaire's file, named by its sheet, then the audit anchor:
    # the log entry that recorded this export.
    assert [row["column"] for row in book] == [*header, *field_header, "_audit_log"]
    assert [row["sheet"] for row in book[:-1]] == ["testimonio"] * len(header) + [
        "informe_campo"
    ] * len(field_header)
    assert "campo_salud_muertes" in field_header and "rol" not in field_header
    assert re.fullmatch(r"\d+:[0-9a-f]{64}", book[-1]["codes"])
    skip = next(row for row in book if row["column"] == "rol")
    assert "_skip = Prefiero no responder" in skip["codes"]
    viajar = next(row for row in book if row["column"] == "restricciones__prohibido_viajar")
    assert viajar["versions"] == "2"
    for path in (csv_export, codebook, field_reports):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "statuses", [("partial",), ("in_progress",), ("complete", "in_progress")], ids="+".join
)
def test_status_keeps_exactly_those_submissions(
    built: FixtureDatabase, tmp_path: Path, statuses: tuple[str, ...]
) -> None:
    out = tmp_path / "export.csv"
    chosen = [arg for status in statuses for arg in ("--status", status)]
    result = run(["export", *key_args(built), *chosen, "--out", out])
    assert result.exit_code == 0, result.stderr
    wanted = [k for k in built.known if k.status in statuses]
    assert {k.status for k in wanted} == set(statuses)  # the fixture holds each of them
    check_rows(built, read_csv(out), wanted)


@pytest.mark.parametrize("campaign", CAMPAIGNS)
def test_campaign_keeps_exactly_its_submissions(
    built: FixtureDatabase, tmp_path: Path, campaign: str
) -> None:
    out = tmp_path / "export.csv"
    result = run(["export", *key_args(built), "--campaign", campaign, "--out", out])
    assert result.exit_code == 0, result.stderr
    # No --month: every complete or partial submission of that campaign, whatever its day.
    wanted = [k for k in built.known if k.status in ("complete", "partial")]
    wanted = [k for k in wanted if k.campaign == campaign]
    assert {k.day.month for k in wanted} == {2, 3}
    check_rows(built, read_csv(out), wanted)


def test_xlsx_equals_known_answers(built: FixtureDatabase, tmp_path: Path) -> None:
    out = tmp_path / "export.xlsx"
    args = ["export", *key_args(built), "--month", "2025-03", "--campaign", "marinos_2025"]
    result = run([*args, "--format", "xlsx", "--out", out, "--include-text"])
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    book = openpyxl.load_workbook(out, read_only=True)
    # A sheet per questionnaire (this month has no field report: a header alone), one codebook.
    assert book.sheetnames == ["testimonio", "informe_campo", "codebook"]
    assert len(list(book["informe_campo"].iter_rows(values_only=True))) == 1
    values = list(book["testimonio"].iter_rows(values_only=True))
    header = [str(h) for h in values[0]]
    # Read-only sheets drop a row's trailing empty cells.
    table = [
        dict(zip(header, (*row, *[None] * (len(header) - len(row))), strict=True))
        for row in values[1:]
    ]
    check_rows(built, table, march(built, campaign="marinos_2025"))
    by_id = {k.submission_id: k for k in built.known}
    texts = [r for r in table if r["testimonio"] not in (None, "_skip")]
    assert texts
    for row in texts:
        assert row["testimonio"] == by_id[row["submission_id"]].answers["testimonio"]
    described = [r for r in book["codebook"].iter_rows(values_only=True)][1:]
    assert [r[0] for r in described if r[-1] == "testimonio"] == header
    assert described[-1][0] == "_audit_log"


def test_jsonl_with_text(built: FixtureDatabase, tmp_path: Path) -> None:
    out = tmp_path / "export.jsonl"
    since = ["--since", "2025-03-10", "--until", "2025-03-12", "--include-text"]
    result = run(["export", *key_args(built), *since, "--format", "jsonl", "--out", out])
    assert result.exit_code == 0, result.stderr
    table = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    wanted = [k for k in march(built) if 10 <= k.day.day <= 12]
    check_rows(built, table, wanted)
    assert out.with_name("export.jsonl.codebook.csv").exists()


def test_formula_in_free_text_stays_text(tmp_path: Path) -> None:
    from admin_cli.export.writers import CsvWriter, XlsxWriter

    path = tmp_path / "t.xlsx"
    writer = XlsxWriter(path, ["testimonio"])
    writer.write_row(['=HYPERLINK("http://x")'])
    writer.close()
    cell = openpyxl.load_workbook(path)["submissions"]["A2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")'
    with (tmp_path / "t.csv").open("w", encoding="utf-8", newline="") as handle:
        csv_writer = CsvWriter(handle, ["testimonio"])
        csv_writer.write_row(["=1+1"])
    assert (tmp_path / "t.csv").read_text(encoding="utf-8").splitlines()[1] == "'=1+1"


def test_no_overwrite_without_force(built: FixtureDatabase, tmp_path: Path) -> None:
    out = tmp_path / "export.csv"
    out.write_text("keep me", encoding="utf-8")
    args = ["export", *key_args(built), "--month", "2025-03", "--campaign", "redes_salud"]
    refused = run([*args, "--out", out])
    assert refused.exit_code == 1 and "--force" in refused.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv"]
    assert run([*args, "--out", out, "--force"]).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("submission_id,")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
