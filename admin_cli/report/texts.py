"""The report's own wording (headings, notes, statuses), as Spanish gettext msgids.

Every string is a msgid of context `report` in the catalogs of `locales/` (`make locales`
extracts them; the English catalog translates them). Row labels of the questionnaire's codes
and figures are not here: they are the questionnaire's own labels (`wording.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

REPORT_CONTEXT: Final = "report"  # the msgctxt of every string below

COMPLEMENT_MARK: Final = "x"
WITHHELD_MARK: Final = "n/p"


def pgettext(context: str, msgid: str) -> str:
    """Mark `msgid` of `context` for extraction (Babel's `pgettext` keyword); translated
    where it is shown (`wording.ReportWording.text`)."""
    del context
    return msgid


SOURCE: Final[Mapping[str, str]] = {
    "title": pgettext("report", "Informe mensual de testimonios"),
    "subtitle": pgettext(
        "report",
        "Trabajo forzoso y trata en las misiones de trabajo del Estado cubano",
    ),
    "period": pgettext("report", "Período"),
    "generated": pgettext("report", "Generado el"),
    "section.summary": pgettext("report", "Testimonios recibidos"),
    "section.ilo": pgettext("report", "Indicadores de trabajo forzoso de la OIT"),
    "section.ilo_total": pgettext(
        "report",
        "Número de indicadores de la OIT reportados por persona",
    ),
    "section.frameworks": pgettext(
        "report",
        "Elementos coherentes con trabajo forzoso (CIET 2018) y trata (Protocolo de Palermo)",
    ),
    "section.wages": pgettext("report", "Salarios"),
    "section.health": pgettext("report", "Acceso a la salud en Cuba"),
    "section.ambulance": pgettext("report", "Demora de la ambulancia"),
    "section.methodology": pgettext("report", "Nota metodológica"),
    "section.disclosure": pgettext("report", "Control de divulgación"),
    "section.versions": pgettext("report", "Versiones del cuestionario incluidas"),
    "table.status": pgettext("report", "Testimonios por estado"),
    "table.roles": pgettext("report", "Testimonios por situación de la persona"),
    "table.campaigns": pgettext("report", "Testimonios por campaña"),
    "table.sectors": pgettext("report", "Personas de misiones por sector"),
    "table.countries": pgettext("report", "Personas de misiones por país de la misión"),
    "table.ilo": pgettext("report", "Indicadores de la OIT entre las personas de misiones"),
    "table.ilo_total": pgettext(
        "report",
        "Personas de misiones según cuántos de los 11 indicadores reportaron",
    ),
    "table.frameworks": pgettext(
        "report",
        "Elementos reportados coherentes con los marcos de la CIET y de Palermo",
    ),
    "table.health": pgettext(
        "report",
        "Respuestas de las personas (testimonios y entrevistas): problemas de acceso a la salud",
    ),
    "table.ambulance": pgettext("report", "Demora de la ambulancia la última vez que se necesitó"),
    "table.retention": pgettext(
        "report",
        "Parte del pago del país receptor retenida por el Estado (%)",
    ),
    "table.payments": pgettext("report", "Pago mensual del país receptor al Estado cubano (USD)"),
    "table.versions": pgettext("report", "Versiones del cuestionario"),
    "col.category": pgettext("report", "Categoría"),
    "col.count": pgettext("report", "n"),
    "col.percent": pgettext("report", "%"),
    "col.figure": pgettext("report", "Indicador"),
    "col.present": pgettext("report", "Reportado (n)"),
    "col.answered": pgettext("report", "Respondieron (n)"),
    "col.percent_answered": pgettext("report", "% de quienes respondieron"),
    "col.absent": pgettext("report", "No reportado (n)"),
    "col.indicators": pgettext("report", "Indicadores reportados"),
    "col.statistic": pgettext("report", "Estadístico"),
    "col.value": pgettext("report", "Valor"),
    "col.questionnaire": pgettext("report", "Cuestionario"),
    "col.version": pgettext("report", "Versión"),
    "col.hash": pgettext("report", "Huella (SHA-256, inicio)"),
    "row.total": pgettext("report", "Total"),
    "stat.n": pgettext("report", "Personas con el dato (n)"),
    "stat.median": pgettext("report", "Mediana"),
    "stat.quartiles": pgettext("report", "Cuartiles (25 % – 75 %)"),
    "stat.review": pgettext(
        "report",
        "Testimonios marcados para revisar (montos fuera de rango, monedas distintas o pago 0)",
    ),
    "stat.other_currencies": pgettext("report", "Pagos en otras monedas (no incluidos)"),
    "stat.hidden": pgettext(
        "report",
        "Mediana y cuartiles no publicados: menos de {k} personas con el dato.",
    ),
    "stat.none": pgettext("report", "Sin datos."),
    "status.complete": pgettext("report", "Completos"),
    "status.partial": pgettext("report", "Parciales (sin terminar)"),
    "code._no_answer": pgettext("report", "Sin respuesta (omitida o no respondida)"),
    "code._others": pgettext("report", "Otros países"),
    "code._no_campaign": pgettext("report", "Sin campaña"),
    "code._mission": pgettext("report", "Subtotal: personas de misiones"),
    "code._9_or_more": pgettext("report", "Subtotal: 9 o más de 11"),
    "chart.ilo": pgettext(
        "report",
        "Porcentaje de quienes respondieron que reportaron cada indicador de la OIT",
    ),
    "chart.ilo_total": pgettext(
        "report",
        "Personas de misiones según el número de indicadores reportados",
    ),
    "chart.retention": pgettext("report", "Distribución de la parte del pago retenida (%)"),
    "chart.health": pgettext(
        "report",
        "Porcentaje de quienes respondieron que reportaron cada problema de salud",
    ),
    "chart.axis.percent": pgettext("report", "% de quienes respondieron"),
    "chart.axis.people": pgettext("report", "Personas"),
    "chart.axis.indicators": pgettext("report", "Indicadores reportados (de 11)"),
    "chart.hidden": pgettext("report", "{hidden}: cifra oculta por control de divulgación"),
    "note.frameworks": pgettext(
        "report",
        "El acto del Protocolo de Palermo (reclutamiento y traslado por una entidad "
        "del Estado) está presente para toda persona de una misión. Las cifras "
        "describen elementos reportados coherentes con el trabajo forzoso o la trata; "
        "no son una calificación jurídica.",
    ),
    "note.ilo_total": pgettext(
        "report",
        "Los 11 indicadores de la OIT son pistas para identificar situaciones, no una "
        "puntuación: la OIT no fija un número mínimo. La tabla muestra cuántos "
        "indicadores reportó cada persona.",
    ),
    "note.percent": pgettext(
        "report",
        "Los porcentajes se calculan sobre quienes respondieron las preguntas de cada "
        "indicador (se excluyen las personas sin dato).",
    ),
    "methodology.1": pgettext(
        "report",
        "Los testimonios son autoseleccionados: llegan de personas que decidieron "
        "responder. No son una muestra y no permiten estimar la frecuencia de estas "
        "situaciones en ninguna población. Las cifras dicen cuántas de las personas "
        "que respondieron reportaron cada situación.",
    ),
    "methodology.2": pgettext(
        "report",
        "Los 11 indicadores de trabajo forzoso de la OIT (2012) son pistas de "
        "identificación, no una puntuación. Según las directrices de la 20.ª CIET "
        "(2018), una persona está en trabajo forzoso si su trabajo fue a la vez "
        "involuntario y bajo coacción (amenaza de una pena) en el período de "
        "referencia, aquí su última misión. El informe cuenta a quienes reportaron "
        "elementos coherentes con ambos.",
    ),
    "methodology.3": pgettext(
        "report",
        "Protocolo de Palermo (art. 3 a): la trata requiere un acto, unos medios y un "
        "fin de explotación. El informe cuenta a quienes reportaron elementos "
        "coherentes con los tres; no es una determinación jurídica.",
    ),
    "methodology.4": pgettext(
        "report",
        "La retención salarial es 100 × (1 − (estipendio + depósito en Cuba) / pago "
        "del país receptor), acotada entre 0 y 100, cuando la persona conoce ese pago "
        "y está en la misma moneda. Los pagos del país receptor se resumen solo en "
        "dólares.",
    ),
    "disclosure.on": pgettext(
        "report",
        "Para proteger a las personas, en las tablas por rol, campaña, sector y país "
        "los conteos de 1 a {km1} se muestran como «<{k}» sin porcentaje, y otros "
        "conteos marcados «x» se ocultan para que ninguno pueda deducirse de los "
        "totales ni de publicaciones anteriores de este mes. Las cifras sobre menos de "
        "{base} personas no se publican («n/p»). Los ceros se publican. Mediana y "
        "cuartiles solo con 10 o más valores y redondeados; nunca mínimos ni máximos.",
    ),
    "disclosure.off": pgettext(
        "report",
        "El control de divulgación está DESACTIVADO en este informe (tamaño mínimo de "
        "celda 1): se muestran todos los conteos, también los pequeños. No publique "
        "este informe sin revisarlo.",
    ),
    "versions.note": pgettext(
        "report",
        "Se incluyen los testimonios de estas versiones del cuestionario.",
    ),
    "stamp.audit": pgettext(
        "report",
        "Entrada del registro de auditoría que generó este informe: {anchor}.",
    ),
    "stamp.final": pgettext(
        "report",
        "Publicación definitiva n.º {number} de este período en el registro de publicaciones.",
    ),
    "stamp.provisional": pgettext(
        "report",
        "Publicación PROVISIONAL n.º {number} de este período: aún pueden llegar "
        "testimonios de este período; las cifras pueden cambiar en la publicación "
        "definitiva.",
    ),
    "banner.provisional": pgettext(
        "report",
        "PROVISIONAL: las cifras de este informe pueden cambiar.",
    ),
    "banner.working_copy": pgettext(
        "report",
        "COPIA DE TRABAJO, NO PUBLICAR: no consta en el registro de publicaciones.",
    ),
    "empty": pgettext("report", "No hay testimonios en este período."),
    # The sources (docs/methodology.md §12).
    "section.sources": pgettext("report", "Fuentes de este informe"),
    "table.sources": pgettext("report", "Fuentes"),
    "code.directo": pgettext("report", "Testimonios dados por la persona"),
    "code.entrevista": pgettext("report", "Entrevistas registradas por investigadores"),
    "row.testimonies": pgettext("report", "Testimonios en total (personas)"),
    "row.field_reports": pgettext("report", "Informes de campo (lugares o familias)"),
    "row.all": pgettext("report", "Total de envíos"),
    "note.sources": pgettext(
        "report",
        "Las cifras sobre personas cuentan los testimonios dados por la persona y las "
        "entrevistas, que usan el mismo cuestionario; la base de cada cifra se da por fuente. "
        "Los informes de campo tratan de un lugar o una familia, no de una persona: van en "
        "tablas aparte y nunca se suman a los testimonios.",
    ),
    "col.base_directo": pgettext("report", "Base: testimonios (n)"),
    "col.base_entrevista": pgettext("report", "Base: entrevistas (n)"),
    "col.reports_base": pgettext("report", "Informes a los que aplica (n)"),
    "col.reported_in": pgettext("report", "Informes que lo reportan (n)"),
    "col.percent_reports": pgettext("report", "% de los informes que respondieron"),
    "table.field_health": pgettext(
        "report",
        "Informes de campo: hallazgos de los investigadores sobre la salud",
    ),
    "table.field_ilo": pgettext(
        "report",
        "Informes de campo: indicadores de la OIT observados en lugares de misiones",
    ),
    "table.field_counts": pgettext("report", "Informes de campo: conteos de los investigadores"),
    "col.counted": pgettext("report", "Conteo"),
    "col.reports_with_number": pgettext("report", "Informes con número (n)"),
    "col.reports_without_number": pgettext("report", "Informes sin número (n)"),
    "col.sum": pgettext("report", "Suma de lo contado"),
    "count.cirugias_suspendidas_n": pgettext("report", "Cirugías suspendidas o aplazadas"),
    "count.pacientes_no_atendidos_n": pgettext("report", "Pacientes no atendidos"),
    "count.muertes_n": pgettext("report", "Muertes por falta de atención"),
    "note.field_counts": pgettext(
        "report",
        "Sumas de lo que contó cada investigador en el lugar de su informe; un mismo hecho "
        "puede aparecer en dos informes, así que la suma no es un total de casos. Se publica "
        "solo con {k} informes o más que dieron un número.",
    ),
}
