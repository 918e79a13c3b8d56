"""Figure ids and answer codes the report tabulates, in the order it shows them."""

from typing import Final

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
# The ambulance codes of the questionnaire the bot asks (versions 2 and 3), shown even at 0.
# Version 1's overlapping ranges (`1_6h`, `6_24h`, `mas_1dia`) are rows of their own, shown
# only in a month that holds them, so that no testimony is read with another version's codes.
AMBULANCE: Final = (
    "menos_1h",
    "de_1_a_6h",
    "de_6_a_24h",
    "24h_o_mas",
    "nunca_llego",
    "no_necesito",
)
# The rows `salud_ambulancia_mas_6h` counts, in every version (docs/methodology.md §7.2):
# they add up to its "present" count, an equation the disclosure auditor relies on.
AMBULANCE_OVER_6H: Final = ("de_6_a_24h", "24h_o_mas", "nunca_llego", "6_24h", "mas_1dia")

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
}
