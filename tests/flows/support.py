"""Helpers for flows tests: a small questionnaire stated inline, pyxform style."""

import textwrap
from pathlib import Path

from flows.engine import Engine
from flows.loader import load_questionnaire, parse_questionnaire
from flows.model import Questionnaire

QUESTIONNAIRES = Path(__file__).parents[2] / "flows" / "questionnaires"
# Version 1 (frozen) is what most flows tests check the engine and QUESTIONNAIRE.md against;
# version 2 (frozen) is checked in tests/flows/test_testimonio_v2.py; version 3 is what the
# bot asks (tests/flows/test_testimonio_v3.py).
TESTIMONIO = QUESTIONNAIRES / "testimonio_v1.yaml"
TESTIMONIO_V2 = QUESTIONNAIRES / "testimonio_v2.yaml"
TESTIMONIO_V3 = QUESTIONNAIRES / "testimonio.yaml"
INFORME_CAMPO = QUESTIONNAIRES / "informe_campo.yaml"
HEADER = "id: t\nversion: 1\ntitle: T\n"


def form(body: str) -> Questionnaire:
    """A questionnaire from a few YAML lines (`modules:` and maybe `indicators:`)."""
    return parse_questionnaire(HEADER + textwrap.dedent(body), "inline.yaml")


def questions(body: str) -> Questionnaire:
    """A questionnaire of one module holding the given YAML list of questions."""
    indented = textwrap.indent(textwrap.dedent(body), "      ")
    return form(f"modules:\n  - id: m\n    title: M\n    questions:\n{indented}")


def engine(body: str) -> Engine:
    """An engine over `questions(body)`."""
    return Engine(questions(body))


def load_testimonio() -> Questionnaire:
    """The real questionnaire, version 1."""
    return load_questionnaire(TESTIMONIO)


def load_testimonio_v2() -> Questionnaire:
    """The real questionnaire, version 2 (frozen)."""
    return load_questionnaire(TESTIMONIO_V2)


def load_testimonio_v3() -> Questionnaire:
    """The real questionnaire, version 3 (the one the bot asks)."""
    return load_questionnaire(TESTIMONIO_V3)


def load_informe_campo() -> Questionnaire:
    """The field report investigators file (opened only by investigator codes)."""
    return load_questionnaire(INFORME_CAMPO)


# The 11 ILO forced-labour indicators of QUESTIONNAIRE.md, restated here (not read from the
# definition) so that tests notice one missing from testimonio.yaml.
ILO_INDICATORS = [
    "ilo_abuso_vulnerabilidad",
    "ilo_engano",
    "ilo_restriccion_movimiento",
    "ilo_aislamiento",
    "ilo_violencia",
    "ilo_intimidacion_amenazas",
    "ilo_retencion_documentos",
    "ilo_retencion_salarios",
    "ilo_servidumbre_deudas",
    "ilo_condiciones_abusivas",
    "ilo_horas_extra_excesivas",
]
# The seven health figures of QUESTIONNAIRE.md, restated likewise.
HEALTH_FIGURES = [
    "salud_necesidad_no_atendida",
    "salud_falta_medicamentos",
    "salud_insumos_propios",
    "salud_mercado_informal",
    "salud_ambulancia_mas_6h",
    "salud_cirugia_suspendida",
    "salud_menor_afectado",
]
# Every derived figure QUESTIONNAIRE.md lists, in its order.
SPEC_FIGURES = [
    *ILO_INDICATORS,
    "ilo_total",
    "icls_involuntario",
    "icls_coaccion",
    "icls_trabajo_forzoso",
    "palermo_medios",
    "palermo_trata",
    "retencion_salarial_pct",
    *HEALTH_FIGURES,
]
