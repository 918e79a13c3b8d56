"""`oclep-admin questionnaire check|preview|codebook`, and the codebook's content."""

import csv
import io
from pathlib import Path

from typer.testing import CliRunner

from admin_cli.main import app
from flows.codebook import codebook, codebook_csv
from tests.flows.support import SPEC_FIGURES, TESTIMONIO, load_testimonio
from tests.flows.test_testimonio import SPEC

runner = CliRunner()

DERIVED = SPEC_FIGURES


def test_check_testimonio_exits_0_with_a_summary() -> None:
    result = runner.invoke(app, ["questionnaire", "check", str(TESTIMONIO)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK ")
    assert "testimonio version 1" in result.output
    assert "55 questions" in result.output


def test_check_a_broken_file_exits_1_naming_the_problem(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "id: t\nversion: 1\ntitle: T\nmodules:\n  - id: m\n    title: M\n    questions:\n"
        "      - {id: a, type: slider, text: Pregunta}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["questionnaire", "check", str(broken)])
    assert result.exit_code == 1
    assert "question 'a': unknown type 'slider'" in result.output
    assert "Traceback" not in result.output


def test_check_refuses_a_report_label_without_its_translation(tmp_path: Path) -> None:
    # A figure relabelled in a new version: the report would show the Spanish label in its
    # English edition; the check says which label and where to translate it.
    source = TESTIMONIO.read_text(encoding="utf-8")
    assert source.count("label: Engaño\n") == 1
    edited = tmp_path / "testimonio_nueva_etiqueta.yaml"
    edited.write_text(
        source.replace("label: Engaño\n", "label: Engaño sobre el trabajo\n"), encoding="utf-8"
    )
    result = runner.invoke(app, ["questionnaire", "check", str(edited)])
    assert result.exit_code == 1, result.output
    output = " ".join(result.output.split())
    assert (
        "The label 'Engaño sobre el trabajo' of the figure 'ilo_engano' has no translation "
        "in the 'en' catalog" in output
    )
    assert "Traceback" not in result.output


def test_check_a_missing_file_exits_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["questionnaire", "check", str(tmp_path / "none.yaml")])
    assert result.exit_code == 1
    assert "cannot read the file" in result.output


def test_preview_markdown_lists_questions_choices_conditions_and_figures() -> None:
    result = runner.invoke(app, ["questionnaire", "preview", str(TESTIMONIO), "--markdown"])
    assert result.exit_code == 0
    text = result.output
    assert "### `documentos_acceso` (single)" in text
    assert "- when: `documentos_retenidos in [si]`" in text
    assert "- `con_permiso`: Solo con permiso" in text
    assert "- `ninguna`: Ninguna (exclusive)" in text
    assert "- ends the questionnaire on: no_acepto" in text
    assert "- pauses the questionnaire on: no" in text
    section = text.split("### `deuda` (yesno)")[1].split("###")[0]
    assert "- feeds: ilo_servidumbre_deudas, ilo_total, icls_coaccion" in section
    assert "`ilo_total` (" in text


def test_preview_in_the_terminal() -> None:
    result = runner.invoke(app, ["questionnaire", "preview", str(TESTIMONIO)])
    assert result.exit_code == 0
    assert "documentos_acceso" in result.output
    assert "###" not in result.output  # rendered, not raw Markdown


def test_codebook_lists_every_variable_and_figure() -> None:
    rows = codebook(load_testimonio())
    variables = [row.variable for row in rows]
    assert [v for v in variables if v in SPEC] == list(SPEC)
    assert set(DERIVED) <= set(variables)


def test_codebook_csv_columns_and_cells() -> None:
    result = runner.invoke(app, ["questionnaire", "codebook", str(TESTIMONIO), "--format", "csv"])
    assert result.exit_code == 0
    rows = {row["variable"]: row for row in csv.DictReader(io.StringIO(result.output))}
    assert set(SPEC) <= set(rows)
    acceso = rows["documentos_acceso"]
    assert acceso["type"] == "single"
    assert acceso["text"] == "¿Podía recuperarlo cuando lo necesitaba?"
    assert acceso["codes"] == "si = Sí; con_permiso = Solo con permiso; no = No"
    assert acceso["condition"] == (
        "(rol in [mision_actual, mision_pasada, abandono, familiar]) "
        "and (documentos_retenidos in [si])"
    )
    assert "ilo_restriccion_movimiento" in acceso["figures"]
    assert "ilo_retencion_documentos" in acceso["figures"]
    assert rows["pago_estado_mes"]["figures"].startswith("retencion_salarial_pct")
    assert rows["horas_semana"]["rule"].startswith("0–140")
    assert rows["ilo_total"]["kind"] == "figure"


def test_codebook_markdown_to_a_file_and_no_silent_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "codebook.md"
    args = ["questionnaire", "codebook", str(TESTIMONIO), "--format", "md", "--out", str(out)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Codebook: testimonio v1")
    assert "| cita_permitida | question | yesno |" in text
    again = runner.invoke(app, args)
    assert again.exit_code == 1 and "exists" in again.output
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


def test_codebook_csv_function_round_trips_through_a_csv_reader() -> None:
    rows = codebook(load_testimonio())
    parsed = list(csv.DictReader(io.StringIO(codebook_csv(rows))))
    assert len(parsed) == len(rows)
    assert parsed[0]["text"] == rows[0].text  # multi-line consent text kept intact


def test_a_shipped_name_reads_the_shipped_definition() -> None:
    result = runner.invoke(app, ["questionnaire", "check", "testimonio_v1"])
    assert result.exit_code == 0, result.output
    assert "testimonio version 1" in result.output and "55 questions" in result.output


def test_a_name_that_is_neither_a_file_nor_shipped_is_one_sentence() -> None:
    result = runner.invoke(app, ["questionnaire", "codebook", "informe"])
    assert result.exit_code == 1
    assert "no shipped questionnaire of that name" in result.output
    assert "informe_campo, testimonio, testimonio_v1" in result.output
    assert "Traceback" not in result.output
