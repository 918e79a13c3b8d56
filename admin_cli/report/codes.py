"""Figure ids and answer codes the report tabulates, in the order it shows them."""

from collections.abc import Iterable
from functools import cache
from typing import Final

from flows.model import ConditionIndicator, InCodes, Questionnaire, condition_atoms
from flows.shipped import load_all_shipped

ILO_FIGURES: Final = (
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
)
ILO_TOTAL: Final = "ilo_total"
ILO_TOTAL_VALUES: Final = tuple(range(len(ILO_FIGURES) + 1))
# "n with >= 9 of 11" is asked for by the observatory; it is a count, not a threshold of the ILO.
ILO_MANY_FROM: Final = 9

FRAMEWORK_FIGURES: Final = (
    "icls_involuntario",
    "icls_coaccion",
    "icls_trabajo_forzoso",
    "palermo_medios",
    "palermo_trata",
)
HEALTH_FIGURES: Final = (
    "salud_necesidad_no_atendida",
    "salud_falta_medicamentos",
    "salud_insumos_propios",
    "salud_mercado_informal",
    "salud_ambulancia_mas_6h",
    "salud_cirugia_suspendida",
    "salud_menor_afectado",
)
# The sources (docs/methodology.md §12): testimonies given by the person, interviews recorded
# by an investigator (both the testimony questionnaire: one person's account each), and field
# reports (an investigator's findings about a place: never added to the testimonies).
MODES: Final = ("directo", "entrevista")
FIELD_QUESTIONNAIRE: Final = "informe_campo"
FIELD_HEALTH_FIGURES: Final = (
    "campo_salud_cierre_centro",
    "campo_salud_cierre_servicio",
    "campo_salud_cirugia_suspendida",
    "campo_salud_falta_medicamentos",
    "campo_salud_falta_agua_electricidad",
    "campo_salud_falta_personal",
    "campo_salud_pacientes_no_atendidos",
    "campo_salud_insumos_propios",
    "campo_salud_pagos_informales",
    "campo_salud_muertes",
    "campo_salud_donaciones_desviadas",
)
FIELD_ILO_FIGURES: Final = tuple(f"campo_{figure}" for figure in ILO_FIGURES)
# The investigators' own counts (integer questions with a "No sé" button).
FIELD_COUNTS: Final = ("cirugias_suspendidas_n", "pacientes_no_atendidos_n", "muertes_n")
RETENTION: Final = "retencion_salarial_pct"
HOST_PAYMENT: Final = "pago_estado_mes"
PAYMENT_CURRENCY: Final = "USD"

STATUSES: Final = ("complete", "partial")
ROLES: Final = (
    "mision_actual",
    "mision_pasada",
    "abandono",
    "familiar",
    "paciente_cuba",
    "salud_cuba",
)
MISSION_ROLES: Final = frozenset({"mision_actual", "mision_pasada", "abandono", "familiar"})
SECTORS: Final = (
    "salud",
    "construccion",
    "maritimo",
    "tecnico",
    "educacion_deporte",
    "cultura",
    "otro",
)
AMBULANCE_QUESTION: Final = "ambulancia"
AMBULANCE_OVER_6H_FIGURE: Final = "salud_ambulancia_mas_6h"

# Row codes the report adds itself; none can collide with a questionnaire code (leading "_").
NO_ANSWER: Final = "_no_answer"
OTHERS: Final = "_others"
NO_CAMPAIGN: Final = "_no_campaign"
MISSION: Final = "_mission"
MANY_INDICATORS: Final = "_9_or_more"

MAX_COUNTRIES: Final = 10

# The report's tables keyed by the variable they count, as the export and its codebook name
# it (a meta column, a question or a figure id): one set of ids everywhere.
TABLE_VARIABLES: Final = {
    "status": "status",
    "roles": "rol",
    "campaigns": "campaign",
    "sectors": "sector",
    "countries": "pais",
    "ilo_total": "ilo_total",
    "ambulance": "ambulancia",
    "sources": "mode",
}


def version_codes(question_id: str, versions: Iterable[Questionnaire]) -> tuple[str, ...]:
    """The choice codes of a question over every version that asks it: the newest
    version's in its order, then the codes only older versions used (a record answered under
    an older version is still counted in a row of its own)."""
    found: list[str] = []
    for questionnaire in sorted(versions, key=lambda q: q.version, reverse=True):
        if any(q.id == question_id for q in questionnaire.questions()):
            choices = questionnaire.question(question_id).all_choices()
            found += [c.code for c in choices if c.code not in found]
    return tuple(found)


def figure_codes(
    figure_id: str, question_id: str, versions: Iterable[Questionnaire]
) -> tuple[str, ...]:
    """The codes of `question_id` that make a condition figure present, over every version
    (newest first), so the report's sums follow each version's rule."""
    found: list[str] = []
    for questionnaire in sorted(versions, key=lambda q: q.version, reverse=True):
        figure = next((f for f in questionnaire.indicators if f.id == figure_id), None)
        if not isinstance(figure, ConditionIndicator):
            continue
        for atom in condition_atoms(figure.present):
            if isinstance(atom, InCodes) and atom.q == question_id:
                found += [code for code in atom.codes if code not in found]
    return tuple(found)


@cache
def ambulance() -> tuple[str, ...]:
    """The rows of the ambulance-delay table: every shipped version's codes."""
    return version_codes(AMBULANCE_QUESTION, load_all_shipped())


@cache
def ambulance_over_6h() -> tuple[str, ...]:
    """The ambulance rows whose sum is the figure "ambulance 6 hours or more, or never"."""
    return figure_codes(AMBULANCE_OVER_6H_FIGURE, AMBULANCE_QUESTION, load_all_shipped())


@cache
def ambulance_shown() -> tuple[str, ...]:
    """The ambulance rows shown in every month, even at 0: the newest version's codes.

    Older versions' codes (version 1's overlapping ranges) are rows only in a month that
    holds them, so that nobody reads a version 2 testimony against version 1's ranges."""
    newest = max(load_all_shipped(), key=lambda questionnaire: questionnaire.version)
    return version_codes(AMBULANCE_QUESTION, [newest])


def ambulance_rows(held: Iterable[str]) -> tuple[str, ...]:
    """The ambulance table's rows for a month holding the codes `held`."""
    held = set(held)
    shown = ambulance_shown()
    return shown + tuple(code for code in ambulance() if code not in shown and code in held)
