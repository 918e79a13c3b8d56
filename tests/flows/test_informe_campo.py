"""The field report (informe_campo): its wording, its paths and its alignment with the testimony."""

import re

import pytest
from typer.testing import CliRunner

from admin_cli.main import app
from flows.answers import SKIPPED, NavigationValue
from flows.engine import Engine
from flows.model import ConditionIndicator, InCodes, Question, Questionnaire, condition_atoms
from flows.paths import estimated_minutes, path_lengths
from flows.shipped import INVESTIGATOR_ONLY, SERVED_DEFINITIONS
from tests.flows.support import ILO_INDICATORS, load_informe_campo, load_testimonio_v3

REPORT = load_informe_campo()
ENGINE = Engine(REPORT)
TESTIMONY = load_testimonio_v3()
LENGTHS = path_lengths(ENGINE, "tipo_lugar")
START: dict[str, NavigationValue] = {"consentimiento": "acepto", "lugar_seguro": "si"}
runner = CliRunner()


def _path(answers: dict[str, NavigationValue]) -> list[str]:
    """The questions shown, in order, answering each from `answers` (else a plain answer)."""
    shown: list[str] = []
    given: dict[str, NavigationValue] = {}
    question = ENGINE.next_question(given, None)
    while question is not None:
        shown.append(question.id)
        given[question.id] = answers.get(question.id, _plain(question))
        question = ENGINE.next_question(given, question.id)
    return shown


def _plain(question: Question) -> NavigationValue:
    if question.type == "multi":
        return (question.choices[-1].code,)
    if question.choices:
        return question.choices[0].code
    return "1" if question.type in ("integer", "year") else "texto"


def test_it_is_served_and_only_investigators_open_it() -> None:
    assert (REPORT.id, REPORT.version) == ("informe_campo", 1)
    assert "informe_campo.yaml" in SERVED_DEFINITIONS
    assert {"informe_campo"} == INVESTIGATOR_ONLY


def test_consent_is_honest_and_states_the_time_measured_from_the_paths() -> None:
    text = REPORT.question("consentimiento").text
    assert "anónimo" not in text
    assert "Telegram sí sabe" in text
    assert "30 días" in text and "ya no se puede retirar" in text
    assert "nunca sumadas a los testimonios" in text
    assert "un informe por cada uno" in text
    every_group = tuple(row.group for row in LENGTHS)
    assert [int(n) for n in re.findall(r"unos (\d+) minutos", text)] == [
        estimated_minutes(LENGTHS, every_group)
    ]
    assert len(text) <= 900


def test_an_investigator_files_a_report_in_few_screens() -> None:
    longest = {row.group: row.longest for row in LENGTHS}
    assert max(longest.values()) <= 25, longest


def test_one_idea_per_question() -> None:
    double = [q.id for q in REPORT.questions() if q.text.count("?") > 1]
    assert double == []


def test_every_other_is_followed_by_a_short_text() -> None:
    """An "Otro" choice is followed by a text question asked exactly when it is chosen."""
    others = [
        (question, code)
        for question in REPORT.questions()
        for code in (c.code for c in question.choices)
        if code in ("otro", "otra", "otras")
    ]
    assert len(others) == 6
    for question, code in others:
        follow = [
            q
            for q in REPORT.questions()
            if q.type == "text"
            and q.when is not None
            and q.when.model_dump(by_alias=True) == {"q": question.id, "in": (code,)}
        ]
        assert len(follow) == 1, question.id
        assert (follow[0].max_length or 0) <= 200, follow[0].id


def test_only_yes_or_no_where_nothing_else_fits() -> None:
    for question_id in ("lugar_seguro", "cita_permitida", "confirmado"):
        question = REPORT.question(question_id)
        assert not question.skippable, question_id
        assert question.choice("no_sabe") is None, question_id


def test_every_count_offers_no_se_and_is_asked_only_after_its_finding() -> None:
    counts = [q for q in REPORT.questions() if q.type == "integer"]
    by_finding = {
        "cirugias_suspendidas_n": "cirugias_suspendidas",
        "pacientes_no_atendidos_n": "pacientes_no_atendidos",
        "muertes_n": "muertes",
    }
    for question in counts:
        if question.id == "personas_entrevistadas":  # the investigator's own interviews
            continue
        assert question.choice("no_sabe") is not None, question.id
        assert question.skippable, question.id
    hospital = {**START, "tipo_lugar": "hospital"}
    for count, finding in by_finding.items():
        assert count in _path({**hospital, "hallazgos": (finding,)})
        assert count not in _path({**hospital, "hallazgos": ("ninguno",)})


def test_the_place_decides_where_and_what_is_asked() -> None:
    hospital = _path({**START, "tipo_lugar": "hospital"})
    assert "provincia" in hospital and "pais" not in hospital
    assert "hallazgos" in hospital and "indicadores_oit" not in hospital
    mission = _path({**START, "tipo_lugar": "mision"})
    assert "pais" in mission and "provincia" not in mission
    assert "indicadores_oit" in mission and "hallazgos" not in mission
    family = _path({**START, "tipo_lugar": "familia", "tema": ("mision",), "ubicacion": "cuba"})
    assert "provincia" in family and "indicadores_oit" in family
    assert "trabajadores_n" not in family  # a family is not a site with a headcount
    unsaid = _path({**START, "tipo_lugar": SKIPPED})
    assert "tema" in unsaid and "ubicacion" in unsaid


def test_months_are_the_twelve_in_order() -> None:
    codes = [c.code for c in REPORT.question("mes").choices]
    assert codes[0] == "enero" and codes[-1] == "diciembre" and len(set(codes)) == 12


def test_mission_findings_use_the_ilo_indicators_of_the_testimony() -> None:
    codes = [c.code for c in REPORT.question("indicadores_oit").choices]
    assert codes == [*ILO_INDICATORS, "ninguno"]
    testimony_figures = {indicator.id for indicator in TESTIMONY.indicators}
    assert set(ILO_INDICATORS) <= testimony_figures


@pytest.mark.parametrize("question_id", ["sector", "pais"])
def test_shared_questions_have_the_testimonys_codes(question_id: str) -> None:
    def pairs(question: Question) -> list[tuple[str, str]]:
        return [(c.code, c.label) for c in question.choices]

    assert pairs(REPORT.question(question_id)) == pairs(TESTIMONY.question(question_id))


def test_shortage_kinds_include_every_kind_the_testimony_counts() -> None:
    report = {c.code: c.label for c in REPORT.question("faltantes").choices}
    testimony = {
        c.code: c.label
        for c in TESTIMONY.question("faltantes").choices
        if c.code not in ("ninguno", "no_sabe")
    }
    assert testimony.items() <= report.items()
    assert _codes_read(REPORT, "campo_salud_falta_medicamentos", "faltantes") == _codes_read(
        TESTIMONY, "salud_falta_medicamentos", "faltantes"
    )


def _codes_read(questionnaire: Questionnaire, figure_id: str, question_id: str) -> set[str]:
    indicator = questionnaire.indicator(figure_id)
    assert isinstance(indicator, ConditionIndicator)
    return {
        code
        for atom in condition_atoms(indicator.present)
        if isinstance(atom, InCodes) and atom.q == question_id
        for code in atom.codes
    }


def test_figures_align_by_name_and_never_share_an_id_with_the_testimony() -> None:
    """`campo_X` stands beside the testimony's `X` in the same group; no id is shared, so no
    table can add a field report to a respondent's count by accident."""
    testimony = {indicator.id: indicator for indicator in TESTIMONY.indicators}
    assert not {indicator.id for indicator in REPORT.indicators} & set(testimony)
    aligned = 0
    for indicator in REPORT.indicators:
        assert indicator.id.startswith("campo_"), indicator.id
        assert (indicator.group or "").startswith("campo_"), indicator.id
        counterpart = testimony.get(indicator.id.removeprefix("campo_"))
        if counterpart is not None:
            aligned += 1
            assert indicator.group == f"campo_{counterpart.group}", indicator.id
    assert aligned == 11 + 1 + 3  # the ILO indicators, retention, three health figures


def test_no_count_of_ilo_indicators_per_report() -> None:
    assert [i.id for i in REPORT.indicators if i.kind == "count"] == []


def test_admin_cli_checks_documents_and_walks_it_by_name() -> None:
    check = runner.invoke(app, ["questionnaire", "check", "informe_campo"])
    assert check.exit_code == 0, check.output
    assert "informe_campo version 1" in check.output
    paths = runner.invoke(app, ["questionnaire", "paths", "informe_campo"])
    assert paths.exit_code == 0, paths.output
    assert paths.output.startswith("| tipo_lugar | distinct paths |")
    assert "| mision |" in paths.output
    codebook = runner.invoke(app, ["questionnaire", "codebook", "informe_campo.yaml"])
    assert codebook.exit_code == 0, codebook.output
    assert "campo_salud_muertes" in codebook.output
