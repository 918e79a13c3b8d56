"""Spanish and English wording of the report: headings, figure and code labels, notes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

_ES: Final[Mapping[str, str]] = {
    "title": "Informe mensual de testimonios",
    "subtitle": "Trabajo forzoso y trata en las misiones de trabajo del Estado cubano",
    "period": "Período",
    "generated": "Generado el",
    "section.summary": "Testimonios recibidos",
    "section.ilo": "Indicadores de trabajo forzoso de la OIT",
    "section.ilo_total": "Número de indicadores de la OIT reportados por persona",
    "section.frameworks": (
        "Elementos coherentes con trabajo forzoso (CIET 2018) y trata (Protocolo de Palermo)"
    ),
    "section.wages": "Salarios",
    "section.health": "Acceso a la salud en Cuba",
    "section.ambulance": "Demora de la ambulancia",
    "section.methodology": "Nota metodológica",
    "section.disclosure": "Control de divulgación",
    "section.versions": "Versiones del cuestionario incluidas",
    "table.status": "Testimonios por estado",
    "table.roles": "Testimonios por situación de la persona",
    "table.campaigns": "Testimonios por campaña",
    "table.sectors": "Personas de misiones por sector",
    "table.countries": "Personas de misiones por país de la misión",
    "table.ilo": "Indicadores de la OIT entre las personas de misiones",
    "table.ilo_total": "Personas de misiones según cuántos de los 11 indicadores reportaron",
    "table.frameworks": "Elementos reportados coherentes con los marcos de la CIET y de Palermo",
    "table.health": "Problemas de acceso a la salud reportados",
    "table.ambulance": "Demora de la ambulancia la última vez que se necesitó",
    "table.retention": "Parte del pago del país receptor retenida por el Estado (%)",
    "table.payments": "Pago mensual del país receptor al Estado cubano (USD)",
    "table.versions": "Versiones del cuestionario",
    "col.category": "Categoría",
    "col.count": "n",
    "col.percent": "%",
    "col.figure": "Indicador",
    "col.present": "Reportado (n)",
    "col.answered": "Respondieron (n)",
    "col.percent_answered": "% de quienes respondieron",
    "col.absent": "No reportado (n)",
    "col.indicators": "Indicadores reportados",
    "col.statistic": "Estadístico",
    "col.value": "Valor",
    "col.questionnaire": "Cuestionario",
    "col.version": "Versión",
    "col.hash": "Huella (SHA-256, inicio)",
    "row.total": "Total",
    "stat.n": "Personas con el dato (n)",
    "stat.median": "Mediana",
    "stat.quartiles": "Cuartiles (25 % – 75 %)",
    "stat.review": (
        "Testimonios marcados para revisar (montos fuera de rango, monedas distintas o pago 0)"
    ),
    "stat.other_currencies": "Pagos en otras monedas (no incluidos)",
    "stat.hidden": "Mediana y cuartiles no publicados: menos de {k} personas con el dato.",
    "stat.none": "Sin datos.",
    "status.complete": "Completos",
    "status.partial": "Parciales (sin terminar)",
    "role.mision_actual": "En una misión ahora",
    "role.mision_pasada": "Estuvo en una misión y regresó",
    "role.abandono": "Abandonó una misión",
    "role.familiar": "Familiar de alguien en una misión",
    "role.paciente_cuba": "Paciente o familia en Cuba",
    "role.salud_cuba": "Trabaja en la salud en Cuba",
    "sector.salud": "Salud",
    "sector.construccion": "Construcción",
    "sector.maritimo": "Marina mercante y pesca",
    "sector.tecnico": "Técnicos e industria",
    "sector.educacion_deporte": "Educación y deporte",
    "sector.cultura": "Cultura",
    "sector.otro": "Otro sector",
    "ambulance.menos_1h": "Menos de 1 hora",
    "ambulance.1_6h": "De 1 a 6 horas",
    "ambulance.6_24h": "De 6 a 24 horas",
    "ambulance.mas_1dia": "Más de un día",
    "ambulance.nunca_llego": "Nunca llegó",
    "ambulance.no_necesito": "No la necesitaron",
    "code._no_answer": "Sin respuesta (omitida o no respondida)",
    "code._others": "Otros países",
    "code._no_campaign": "Sin campaña",
    "code._mission": "Subtotal: personas de misiones",
    "code._9_or_more": "Subtotal: 9 o más de 11",
    "figure.ilo_abuso_vulnerabilidad": "Abuso de la vulnerabilidad",
    "figure.ilo_engano": "Engaño",
    "figure.ilo_restriccion_movimiento": "Restricción de movimiento",
    "figure.ilo_aislamiento": "Aislamiento",
    "figure.ilo_violencia": "Violencia física o sexual",
    "figure.ilo_intimidacion_amenazas": "Intimidación y amenazas",
    "figure.ilo_retencion_documentos": "Retención de documentos de identidad",
    "figure.ilo_retencion_salarios": "Retención de salarios",
    "figure.ilo_servidumbre_deudas": "Servidumbre por deudas",
    "figure.ilo_condiciones_abusivas": "Condiciones de trabajo y de vida abusivas",
    "figure.ilo_horas_extra_excesivas": "Horas extra excesivas",
    "figure.icls_involuntario": "Trabajo involuntario (CIET)",
    "figure.icls_coaccion": "Coacción (CIET)",
    "figure.icls_trabajo_forzoso": "Trabajo involuntario y bajo coacción (CIET)",
    "figure.palermo_medios": "Medios (Palermo)",
    "figure.palermo_trata": "Acto, medios y fin de explotación (Palermo)",
    "figure.salud_necesidad_no_atendida": "Necesitó atención médica y no la recibió",
    "figure.salud_falta_medicamentos": "Faltaron medicamentos o materiales",
    "figure.salud_insumos_propios": "Tuvieron que llevar sus propios insumos",
    "figure.salud_mercado_informal": "Medicinas del mercado informal o del exterior",
    "figure.salud_ambulancia_mas_6h": "La ambulancia demoró más de 6 horas o no llegó",
    "figure.salud_cirugia_suspendida": "Cirugía suspendida o aplazada",
    "figure.salud_menor_afectado": "La persona afectada era menor de edad",
    "chart.ilo": "Porcentaje de quienes respondieron que reportaron cada indicador de la OIT",
    "chart.ilo_total": "Personas de misiones según el número de indicadores reportados",
    "chart.retention": "Distribución de la parte del pago retenida (%)",
    "chart.health": "Porcentaje de quienes respondieron que reportaron cada problema de salud",
    "chart.axis.percent": "% de quienes respondieron",
    "chart.axis.people": "Personas",
    "chart.axis.indicators": "Indicadores reportados (de 11)",
    "chart.hidden": "{hidden}: cifra oculta por control de divulgación",
    "note.frameworks": (
        "El acto del Protocolo de Palermo (reclutamiento y traslado por una entidad del Estado)"
        " está presente para toda persona de una misión. Las cifras describen elementos"
        " reportados coherentes con el trabajo forzoso o la trata; no son una calificación"
        " jurídica."
    ),
    "note.ilo_total": (
        "Los 11 indicadores de la OIT son pistas para identificar situaciones, no una"
        " puntuación: la OIT no fija un número mínimo. La tabla muestra cuántos indicadores"
        " reportó cada persona."
    ),
    "note.percent": (
        "Los porcentajes se calculan sobre quienes respondieron las preguntas de cada"
        " indicador (se excluyen las personas sin dato)."
    ),
    "methodology.1": (
        "Los testimonios son autoseleccionados: llegan de personas que decidieron responder."
        " No son una muestra y no permiten estimar la frecuencia de estas situaciones en"
        " ninguna población. Las cifras dicen cuántas de las personas que respondieron"
        " reportaron cada situación."
    ),
    "methodology.2": (
        "Los 11 indicadores de trabajo forzoso de la OIT (2012) son pistas de identificación,"
        " no una puntuación. Según las directrices de la 20.ª CIET (2018), una persona está en"
        " trabajo forzoso si su trabajo fue a la vez involuntario y bajo coacción (amenaza de"
        " una pena) en el período de referencia, aquí su última misión. El informe cuenta a"
        " quienes reportaron elementos coherentes con ambos."
    ),
    "methodology.3": (
        "Protocolo de Palermo (art. 3 a): la trata requiere un acto, unos medios y un fin de"
        " explotación. El informe cuenta a quienes reportaron elementos coherentes con los"
        " tres; no es una determinación jurídica."
    ),
    "methodology.4": (
        "La retención salarial es 100 × (1 − (estipendio + depósito en Cuba) / pago del país"
        " receptor), acotada entre 0 y 100, cuando la persona conoce ese pago y está en la"
        " misma moneda. Los pagos del país receptor se resumen solo en dólares."
    ),
    "disclosure.on": (
        "Para proteger a las personas, en las tablas por rol, campaña, sector y país los"
        " conteos de 1 a {km1} se muestran como «<{k}» sin porcentaje, y otros conteos"
        " marcados «x» se ocultan para que ninguno pueda deducirse de los totales ni de"
        " publicaciones anteriores de este mes. Las cifras sobre menos de {base} personas no"
        " se publican («n/p»). Los ceros se publican. Mediana y cuartiles solo con 10 o más"
        " valores y redondeados; nunca mínimos ni máximos."
    ),
    "disclosure.off": (
        "El control de divulgación está DESACTIVADO en este informe (tamaño mínimo de celda"
        " 1): se muestran todos los conteos, también los pequeños. No publique este informe"
        " sin revisarlo."
    ),
    "versions.note": "Se incluyen los testimonios de estas versiones del cuestionario.",
    "stamp.audit": "Entrada del registro de auditoría que generó este informe: {anchor}.",
    "stamp.final": (
        "Publicación definitiva n.º {number} de este período en el registro de publicaciones."
    ),
    "stamp.provisional": (
        "Publicación PROVISIONAL n.º {number} de este período: aún pueden llegar testimonios"
        " de este período; las cifras pueden cambiar en la publicación definitiva."
    ),
    "banner.provisional": "PROVISIONAL: las cifras de este informe pueden cambiar.",
    "banner.working_copy": (
        "COPIA DE TRABAJO, NO PUBLICAR: no consta en el registro de publicaciones."
    ),
    "empty": "No hay testimonios en este período.",
}

_EN: Final[Mapping[str, str]] = {
    "title": "Monthly testimony report",
    "subtitle": "Forced labour and trafficking in the Cuban state's labour-export missions",
    "period": "Period",
    "generated": "Generated on",
    "section.summary": "Testimonies received",
    "section.ilo": "ILO indicators of forced labour",
    "section.ilo_total": "Number of ILO indicators reported per person",
    "section.frameworks": (
        "Elements consistent with forced labour (ICLS 2018) and trafficking (Palermo Protocol)"
    ),
    "section.wages": "Wages",
    "section.health": "Access to health care in Cuba",
    "section.ambulance": "Ambulance delay",
    "section.methodology": "Methodology note",
    "section.disclosure": "Disclosure control",
    "section.versions": "Questionnaire versions included",
    "table.status": "Testimonies by status",
    "table.roles": "Testimonies by the respondent's situation",
    "table.campaigns": "Testimonies by campaign",
    "table.sectors": "Mission respondents by sector",
    "table.countries": "Mission respondents by host country",
    "table.ilo": "ILO indicators among mission respondents",
    "table.ilo_total": "Mission respondents by how many of the 11 indicators they reported",
    "table.frameworks": "Reported elements consistent with the ICLS and Palermo frameworks",
    "table.health": "Reported problems of access to health care",
    "table.ambulance": "Ambulance delay the last time one was needed",
    "table.retention": "Share of the host country's payment retained by the state (%)",
    "table.payments": "Monthly payment by the host country to the Cuban state (USD)",
    "table.versions": "Questionnaire versions",
    "col.category": "Category",
    "col.count": "n",
    "col.percent": "%",
    "col.figure": "Indicator",
    "col.present": "Reported (n)",
    "col.answered": "Answered (n)",
    "col.percent_answered": "% of those who answered",
    "col.absent": "Not reported (n)",
    "col.indicators": "Indicators reported",
    "col.statistic": "Statistic",
    "col.value": "Value",
    "col.questionnaire": "Questionnaire",
    "col.version": "Version",
    "col.hash": "Fingerprint (SHA-256, start)",
    "row.total": "Total",
    "stat.n": "People with a value (n)",
    "stat.median": "Median",
    "stat.quartiles": "Quartiles (25% – 75%)",
    "stat.review": (
        "Testimonies flagged for review (amounts out of range, mixed currencies or payment 0)"
    ),
    "stat.other_currencies": "Payments in other currencies (not included)",
    "stat.hidden": "Median and quartiles not published: fewer than {k} people with a value.",
    "stat.none": "No data.",
    "status.complete": "Complete",
    "status.partial": "Partial (not finished)",
    "role.mision_actual": "On a mission now",
    "role.mision_pasada": "Was on a mission and returned",
    "role.abandono": "Left a mission",
    "role.familiar": "Relative of someone on a mission",
    "role.paciente_cuba": "Patient or family in Cuba",
    "role.salud_cuba": "Health worker in Cuba",
    "sector.salud": "Health",
    "sector.construccion": "Construction",
    "sector.maritimo": "Merchant navy and fishing",
    "sector.tecnico": "Technicians and industry",
    "sector.educacion_deporte": "Education and sport",
    "sector.cultura": "Culture",
    "sector.otro": "Other sector",
    "ambulance.menos_1h": "Less than 1 hour",
    "ambulance.1_6h": "1 to 6 hours",
    "ambulance.6_24h": "6 to 24 hours",
    "ambulance.mas_1dia": "More than a day",
    "ambulance.nunca_llego": "Never arrived",
    "ambulance.no_necesito": "Not needed",
    "code._no_answer": "No answer (skipped or not answered)",
    "code._others": "Other countries",
    "code._no_campaign": "No campaign",
    "code._mission": "Subtotal: mission respondents",
    "code._9_or_more": "Subtotal: 9 or more of 11",
    "figure.ilo_abuso_vulnerabilidad": "Abuse of vulnerability",
    "figure.ilo_engano": "Deception",
    "figure.ilo_restriccion_movimiento": "Restriction of movement",
    "figure.ilo_aislamiento": "Isolation",
    "figure.ilo_violencia": "Physical and sexual violence",
    "figure.ilo_intimidacion_amenazas": "Intimidation and threats",
    "figure.ilo_retencion_documentos": "Retention of identity documents",
    "figure.ilo_retencion_salarios": "Withholding of wages",
    "figure.ilo_servidumbre_deudas": "Debt bondage",
    "figure.ilo_condiciones_abusivas": "Abusive working and living conditions",
    "figure.ilo_horas_extra_excesivas": "Excessive overtime",
    "figure.icls_involuntario": "Involuntary work (ICLS)",
    "figure.icls_coaccion": "Coercion (ICLS)",
    "figure.icls_trabajo_forzoso": "Work both involuntary and under coercion (ICLS)",
    "figure.palermo_medios": "Means (Palermo)",
    "figure.palermo_trata": "Act, means and purpose of exploitation (Palermo)",
    "figure.salud_necesidad_no_atendida": "Needed medical care and did not receive it",
    "figure.salud_falta_medicamentos": "Medicines or supplies were missing",
    "figure.salud_insumos_propios": "Had to bring their own supplies",
    "figure.salud_mercado_informal": "Medicines from the informal market or from abroad",
    "figure.salud_ambulancia_mas_6h": "The ambulance took over 6 hours or never came",
    "figure.salud_cirugia_suspendida": "Surgery cancelled or postponed",
    "figure.salud_menor_afectado": "The person affected was a minor",
    "chart.ilo": "Percentage of those who answered who reported each ILO indicator",
    "chart.ilo_total": "Mission respondents by the number of indicators reported",
    "chart.retention": "Distribution of the share of the payment retained (%)",
    "chart.health": "Percentage of those who answered who reported each health problem",
    "chart.axis.percent": "% of those who answered",
    "chart.axis.people": "People",
    "chart.axis.indicators": "Indicators reported (of 11)",
    "chart.hidden": "{hidden}: figure hidden by disclosure control",
    "note.frameworks": (
        "The act of the Palermo Protocol (recruitment and transport by a state entity) is"
        " present for every mission respondent. The figures describe reported elements"
        " consistent with forced labour or trafficking; they are not a legal finding."
    ),
    "note.ilo_total": (
        "The 11 ILO indicators are identification clues, not a score: the ILO sets no"
        " threshold. The table shows how many indicators each person reported."
    ),
    "note.percent": (
        "Percentages are of those who answered the questions behind each indicator (people"
        " with no data are left out)."
    ),
    "methodology.1": (
        "The testimonies are self-selected: they come from people who chose to respond. They"
        " are not a sample and cannot estimate how common these situations are in any"
        " population. The figures say how many of the respondents reported each situation."
    ),
    "methodology.2": (
        "The 11 ILO indicators of forced labour (2012) are identification clues, not a score."
        " Under the guidelines of the 20th ICLS (2018) a person is in forced labour when their"
        " work was both involuntary and under coercion (the threat of a penalty) during the"
        " reference period, here their last mission. The report counts those who reported"
        " elements consistent with both."
    ),
    "methodology.3": (
        "Palermo Protocol (art. 3(a)): trafficking needs an act, means and a purpose of"
        " exploitation. The report counts those who reported elements consistent with all"
        " three; it is not a legal determination."
    ),
    "methodology.4": (
        "Wage retention is 100 × (1 − (stipend + deposit in Cuba) / host payment), clamped to"
        " 0–100, when the respondent knows that payment and it is in the same currency. Host"
        " payments are summarised in US dollars only."
    ),
    "disclosure.on": (
        "To protect respondents, in the tables by role, campaign, sector and country counts"
        ' from 1 to {km1} are shown as "<{k}" without their percentage, and other counts'
        ' marked "x" are hidden so that none can be worked out from the totals or from earlier'
        " releases of this month. Figures over fewer than {base} people are not published"
        ' ("n/p"). Zeros are published. Median and quartiles only from 10 values or more,'
        " rounded; never a minimum or maximum."
    ),
    "disclosure.off": (
        "Disclosure control is TURNED OFF in this report (minimum cell size 1): every count"
        " is shown, small ones included. Do not publish this report without reviewing it."
    ),
    "versions.note": "Testimonies from these questionnaire versions are included.",
    "stamp.audit": "Audit log entry of the command that produced this report: {anchor}.",
    "stamp.final": "Final release no. {number} of this period in the release ledger.",
    "stamp.provisional": (
        "PROVISIONAL release no. {number} of this period: testimonies of this period may still"
        " arrive; the figures may change in the final release."
    ),
    "banner.provisional": "PROVISIONAL: the figures of this report may change.",
    "banner.working_copy": "WORKING COPY, NOT FOR PUBLICATION: not in the release ledger.",
    "empty": "There are no testimonies in this period.",
}

# One wording per language of flows.locales.SUPPORTED_LOCALES (tests/admin check it).
TEXTS: Final[Mapping[str, Mapping[str, str]]] = {"es": _ES, "en": _EN}

COMPLEMENT_MARK: Final = "x"
WITHHELD_MARK: Final = "n/p"


def text(lang: str, key: str) -> str:
    """The wording of `key`; a missing key is a bug, so it raises KeyError."""
    return TEXTS[lang][key]


def code_label(lang: str, table_id: str, code: str) -> str:
    """A row label for `code` of a table, falling back to the raw code if it is unknown."""
    prefix = {"status": "status", "roles": "role", "sectors": "sector", "ambulance": "ambulance"}
    words = TEXTS[lang]
    if f"code.{code}" in words:
        return words[f"code.{code}"]
    key = f"{prefix.get(table_id, table_id)}.{code}"
    return words.get(key, code)
