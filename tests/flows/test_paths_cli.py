"""`oclep-admin questionnaire paths`: screens per role, and the table docs/methodology.md shows."""

from pathlib import Path

from typer.testing import CliRunner

from admin_cli.main import app
from flows.paths import SCREENS_NOTE
from tests.flows.support import TESTIMONIO, TESTIMONIO_V2, TESTIMONIO_V3

runner = CliRunner()
METHODOLOGY = Path(__file__).resolve().parents[2] / "docs" / "methodology.md"


def _table(markdown: str, name: str = "testimonio") -> str:
    begin = f"<!-- paths:{name}:begin -->\n"
    return markdown.split(begin, 1)[1].split(f"<!-- paths:{name}:end -->", 1)[0]


def test_paths_of_v3_are_the_table_in_the_methodology() -> None:
    result = runner.invoke(app, ["questionnaire", "paths", str(TESTIMONIO_V3)])
    assert result.exit_code == 0, result.output
    assert result.output == _table(METHODOLOGY.read_text(encoding="utf-8"))


def test_paths_of_the_field_report_by_name_are_the_table_in_the_methodology() -> None:
    result = runner.invoke(app, ["questionnaire", "paths", "informe_campo"])
    assert result.exit_code == 0, result.output
    assert result.output == _table(METHODOLOGY.read_text(encoding="utf-8"), "informe_campo")


def test_paths_of_v1_and_v2_are_longer() -> None:
    result = runner.invoke(app, ["questionnaire", "paths", str(TESTIMONIO)])
    assert result.exit_code == 0, result.output
    assert "| abandono | 288 | 38 | 51 | 55 |" in result.output
    result = runner.invoke(app, ["questionnaire", "paths", str(TESTIMONIO_V2)])
    assert result.exit_code == 0, result.output
    assert "| abandono | 216 | 34 | 43 | 46 |" in result.output
    assert "| paciente_cuba | 4 | 14 | 15 | 16 |" in result.output


def test_paths_count_each_branch_once(tmp_path: Path) -> None:
    definition = tmp_path / "tiny.yaml"
    definition.write_text(
        "id: t\nversion: 1\ntitle: T\nmodules:\n  - id: m\n    title: M\n    questions:\n"
        "      - id: rol\n        type: single\n        text: R\n"
        "        choices: [{code: a, label: A}, {code: b, label: B}]\n"
        "      - {id: x, type: yesno, text: X, when: {q: rol, in: [a]}}\n"
        "      - {id: y, type: yesno, text: Y, when: {q: x, in: [si]}}\n"
        "      - {id: z, type: text, text: Z}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["questionnaire", "paths", str(definition)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # rol a: x = si (rol, x, y, z) or x = other / skipped (rol, x, z); rol b: (rol, z); each
    # with the review screen.
    assert "| a | 2 | 4 | 4.5 | 5 |" in lines
    assert "| b | 1 | 3 | 3 | 3 |" in lines
    assert "| (skipped) | 1 | 3 | 3 | 3 |" in lines
    assert result.output.endswith("\n\n" + SCREENS_NOTE)
    assert "review screen" in SCREENS_NOTE


def test_paths_by_an_unknown_question_is_one_sentence() -> None:
    result = runner.invoke(app, ["questionnaire", "paths", str(TESTIMONIO_V2), "--by", "nada"])
    assert result.exit_code == 1
    assert "has no question 'nada'" in result.output
    assert "Traceback" not in result.output
