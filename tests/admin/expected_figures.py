"""The test's own reading of QUESTIONNAIRE.md: every derived figure and every report count,
computed from the known answers without `flows.derive` or the report library."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flows.answers import AnswerValue, Money, Skipped
from tests.admin.fixtures.builder import Known
from tests.flows.support import HEALTH_FIGURES as SPEC_HEALTH_FIGURES
from tests.flows.support import ILO_INDICATORS

MISSION = ("mision_actual", "mision_pasada", "abandono", "familiar")
HEALTH = ("paciente_cuba", "salud_cuba")
ILO = tuple(ILO_INDICATORS)
FRAMEWORKS = (
    "icls_involuntario",
    "icls_coaccion",
    "icls_trabajo_forzoso",
    "palermo_medios",
    "palermo_trata",
)
HEALTH_FIGURES = tuple(SPEC_HEALTH_FIGURES)
WAGES = ("pago_estado_mes", "estipendio_mes", "deposito_cuba_mes")


@dataclass(frozen=True)
class Expected:
    """One figure: state and value (None unless a number)."""

    state: str
    value: Decimal | int | None = None
    review: bool = False


def _said(a: Mapping[str, AnswerValue], *questions: str) -> bool:
    return any(q in a and not isinstance(a[q], Skipped) for q in questions)


def _is(a: Mapping[str, AnswerValue], q: str, *codes: str) -> bool:
    return a.get(q) in codes


def _any_but(a: Mapping[str, AnswerValue], q: str, exclusive: str) -> bool:
    value = a.get(q)
    return isinstance(value, tuple) and any(code != exclusive for code in value)


def _any_of(a: Mapping[str, AnswerValue], q: str, *codes: str) -> bool:
    value = a.get(q)
    return isinstance(value, tuple) and any(code in codes for code in value)


def _rule(holds: bool, a: Mapping[str, AnswerValue], sources: Iterable[str]) -> Expected:
    if holds:
        return Expected("present")
    return Expected("absent" if _said(a, *sources) else "unknown")


def retention(a: Mapping[str, AnswerValue]) -> Expected:
    """100 x (1 - (stipend + deposit) / payment), clamped to 0-100, same currency only."""
    paid, stipend, deposit = (a.get(q) for q in WAGES)
    if not isinstance(paid, Money) or paid.amount <= 0:
        return Expected("unknown")
    if not isinstance(stipend, Money) or not isinstance(deposit, Money):
        return Expected("unknown")
    if not stipend.currency == deposit.currency == paid.currency:
        return Expected("unknown", review=True)
    raw = 100 * (1 - (stipend.amount + deposit.amount) / paid.amount)
    clamped = min(max(raw, Decimal(0)), Decimal(100))
    return Expected("present", clamped.quantize(Decimal("0.01")), review=clamped != raw)


def figures(a: Mapping[str, AnswerValue]) -> dict[str, Expected]:
    """Every figure of QUESTIONNAIRE.md for one respondent's final answers."""
    mission = _is(a, "rol", *MISSION)
    health = _is(a, "rol", *HEALTH) or _is(a, "quiere_salud", "si")
    out: dict[str, Expected] = {}
    na = Expected("not_applicable")
    if not mission:
        for figure in (*ILO, "ilo_total", "retencion_salarial_pct", *FRAMEWORKS):
            out[figure] = na
    else:
        wage = retention(a)
        out["retencion_salarial_pct"] = wage
        wage_high = wage.state == "present" and wage.value is not None and wage.value >= 50
        rules: dict[str, tuple[bool, tuple[str, ...]]] = {
            "ilo_abuso_vulnerabilidad": (
                _any_of(a, "presiones_ir", "necesidad_economica", "amenaza_carrera", "familia")
                or _is(a, "familia_viajar", "si"),
                ("presiones_ir", "familia_viajar"),
            ),
            "ilo_engano": (
                _is(a, "condiciones_distintas", "peores") or _is(a, "contrato_leido", "no"),
                ("condiciones_distintas", "contrato_leido"),
            ),
            "ilo_restriccion_movimiento": (
                _any_but(a, "restricciones", "ninguna") or _is(a, "documentos_acceso", "no"),
                ("restricciones", "documentos_acceso"),
            ),
            "ilo_aislamiento": (_any_but(a, "aislamiento", "ninguna"), ("aislamiento",)),
            "ilo_violencia": (
                _is(a, "violencia_fisica", "si") or _is(a, "acoso_sexual", "si"),
                ("violencia_fisica", "acoso_sexual"),
            ),
            "ilo_intimidacion_amenazas": (_any_but(a, "amenazas", "ninguna"), ("amenazas",)),
            "ilo_retencion_documentos": (
                _is(a, "documentos_retenidos", "si") and not _is(a, "documentos_acceso", "si"),
                ("documentos_retenidos", "documentos_acceso"),
            ),
            "ilo_retencion_salarios": (
                _is(a, "deposito_bloqueado", "si") or _is(a, "perdida_deposito", "si") or wage_high,
                ("deposito_bloqueado", "perdida_deposito", *WAGES),
            ),
            "ilo_servidumbre_deudas": (_is(a, "deuda", "si"), ("deuda",)),
            "ilo_condiciones_abusivas": (
                _is(a, "vivienda", "muy_malas")
                or _is(a, "peligro", "si")
                or _is(a, "falsificar_datos", "si")
                or _is(a, "tareas_impuestas", "si"),
                ("vivienda", "peligro", "falsificar_datos", "tareas_impuestas"),
            ),
            "ilo_horas_extra_excesivas": (
                (isinstance(a.get("horas_semana"), int) and int(a["horas_semana"]) > 60)  # type: ignore[arg-type]
                or _is(a, "horas_extra_forzadas", "si"),
                ("horas_semana", "horas_extra_forzadas"),
            ),
        }
        sources: set[str] = set()
        for figure, (holds, reads) in rules.items():
            out[figure] = _rule(holds, a, reads)
            sources.update(reads)
        present = sum(out[f].state == "present" for f in ILO)
        out["ilo_total"] = (
            Expected("present", present) if _said(a, *sources) else Expected("unknown")
        )
        involuntary_reads = (
            "pudo_negarse",
            "aspectos_distintos",
            "horas_extra_forzadas",
            "peligro",
            "vivienda",
            "podia_irse",
            "parte_recibida",
        )
        out["icls_involuntario"] = _rule(
            _is(a, "pudo_negarse", "no")
            or _any_of(a, "aspectos_distintos", "tareas", "duracion", "empleador")
            or _is(a, "horas_extra_forzadas", "si")
            or _is(a, "peligro", "si")
            or _is(a, "vivienda", "muy_malas")
            or _is(a, "podia_irse", "no")
            or _is(a, "parte_recibida", "menos_10"),
            a,
            involuntary_reads,
        )
        coercion_reads = (
            "amenazas",
            "violencia_fisica",
            "restricciones",
            "deuda",
            "documentos_retenidos",
            "deposito_bloqueado",
            "perdida_deposito",
            *WAGES,
        )
        out["icls_coaccion"] = _rule(
            _any_but(a, "amenazas", "ninguna")
            or _is(a, "violencia_fisica", "si")
            or _any_but(a, "restricciones", "ninguna")
            or _is(a, "deuda", "si")
            or out["ilo_retencion_salarios"].state == "present"
            or _is(a, "documentos_retenidos", "si"),
            a,
            coercion_reads,
        )
        out["icls_trabajo_forzoso"] = _rule(
            out["icls_involuntario"].state == "present" and out["icls_coaccion"].state == "present",
            a,
            (*involuntary_reads, *coercion_reads),
        )
        means_reads = (
            "presiones_ir",
            "familia_viajar",
            "condiciones_distintas",
            "contrato_leido",
            *coercion_reads,
        )
        out["palermo_medios"] = _rule(
            any(
                out[f].state == "present"
                for f in ("ilo_engano", "icls_coaccion", "ilo_abuso_vulnerabilidad")
            ),
            a,
            means_reads,
        )
        # The act is present for every mission respondent: it is given, not answered, so
        # the sources are those of the means and of the purpose (methodology §7.1).
        out["palermo_trata"] = _rule(
            out["palermo_medios"].state == "present"
            and out["icls_trabajo_forzoso"].state == "present",
            a,
            (*means_reads, *involuntary_reads, *coercion_reads),
        )
    health_rules = {
        "salud_necesidad_no_atendida": (
            _is(a, "necesidad_no_atendida", "si"),
            "necesidad_no_atendida",
        ),
        "salud_falta_medicamentos": (_any_but(a, "faltantes", "ninguno"), "faltantes"),
        "salud_insumos_propios": (_is(a, "llevar_insumos", "si"), "llevar_insumos"),
        "salud_mercado_informal": (_is(a, "mercado_informal", "si"), "mercado_informal"),
        "salud_ambulancia_mas_6h": (
            _is(a, "ambulancia", "6_24h", "mas_1dia", "nunca_llego"),
            "ambulancia",
        ),
        "salud_cirugia_suspendida": (_is(a, "cirugia_suspendida", "si"), "cirugia_suspendida"),
        "salud_menor_afectado": (_any_of(a, "afectado_edad", "menor"), "afectado_edad"),
    }
    for figure, (holds, source) in health_rules.items():
        out[figure] = _rule(holds, a, (source,)) if health else na
    return out


# --- the report --------------------------------------------------------------------------


def in_report(known: Known, start: date, end: date) -> bool:
    """Complete by completion day, partial by start day (the fixture does both on `day`)."""
    return known.status in ("complete", "partial") and start <= known.day <= end


def _half_up(value: Decimal, places: int) -> float:
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else _half_up(Decimal(100 * part) / Decimal(whole), 1)


def _rounded_to(value: Decimal, step: int) -> float:
    return float((value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step)


def _spread(values: list[Decimal], step: int) -> dict[str, Any]:
    """Quartiles rounded to `step` (1 %, 100 USD); never a minimum or maximum."""
    if not values:
        return {"n": 0, "median": None, "q1": None, "q3": None, "rounded_to": step}
    ordered = sorted(values)
    if len(ordered) == 1:
        q1 = median = q3 = ordered[0]
    else:
        q1, median, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    return {
        "n": len(values),
        "median": _rounded_to(Decimal(median), step),
        "q1": _rounded_to(Decimal(q1), step),
        "q3": _rounded_to(Decimal(q3), step),
        "rounded_to": step,
    }


def _code(value: AnswerValue | None) -> str:
    return value if isinstance(value, str) else "_no_answer"


def expected_report(
    knowns: Iterable[Known], start: date, end: date, hashes: Mapping[int, str]
) -> dict[str, Any]:
    """Every count of the report with disclosure control off (k = 1)."""
    chosen = [k for k in knowns if in_report(k, start, end)]
    status = Counter(k.status for k in chosen)
    roles = Counter(_code(k.answers.get("rol")) for k in chosen)
    campaigns = Counter(k.campaign or "_no_campaign" for k in chosen)
    campaigns["_no_campaign"] += 0  # the no-campaign row is always shown
    mission = [k for k in chosen if _is(k.answers, "rol", *MISSION)]
    sectors = Counter(_code(k.answers.get("sector")) for k in mission)
    countries = Counter(_code(k.answers.get("pais")) for k in mission)
    by_figure = {k.submission_id: figures(k.answers) for k in chosen}
    rows: dict[str, dict[str, Any]] = {}
    for figure in (*ILO, *FRAMEWORKS, *HEALTH_FIGURES):
        states = Counter(
            f[figure].state for f in by_figure.values() if f[figure].state != "not_applicable"
        )
        answered = states["present"] + states["absent"]
        rows[figure] = {
            "present": states["present"],
            "absent": states["absent"],
            "answered": answered,
            "base": sum(states.values()),
            "percent_of_answered": _percent(states["present"], answered),
        }
    totals = Counter(
        int(f["ilo_total"].value)  # type: ignore[arg-type]
        for f in by_figure.values()
        if f["ilo_total"].state == "present"
    )
    wages = [
        f["retencion_salarial_pct"]
        for f in by_figure.values()
        if f["retencion_salarial_pct"].state == "present"
    ]
    payments = [k.answers.get("pago_estado_mes") for k in mission]
    # One rule (docs/methodology.md §8): a stated 0 is a payment; other currencies apart.
    usd = [p.amount for p in payments if isinstance(p, Money) and p.currency == "USD"]
    other = [p for p in payments if isinstance(p, Money) and p.currency != "USD"]
    # Flagged for review: retention out of range, amounts in different currencies, or a
    # stated payment of 0 (the export's review column lists the same).
    review = sum(
        1
        for k in mission
        if by_figure[k.submission_id]["retencion_salarial_pct"].review
        or (isinstance(p := k.answers.get("pago_estado_mes"), Money) and p.amount == 0)
    )
    ambulance = Counter(_code(k.answers["ambulancia"]) for k in chosen if "ambulancia" in k.answers)
    versions = Counter(k.version for k in chosen)
    return {
        "N": len(chosen),
        "status": dict(status),
        "roles": dict(roles),
        "mission": len(mission),
        "campaigns": dict(campaigns),
        "sectors": dict(sectors),
        "countries": dict(countries),
        "figures": rows,
        "ilo_total": {str(j): totals[j] for j in range(12)},
        "ilo_many": sum(totals[j] for j in (9, 10, 11)),
        "retention": {
            **_spread([Decimal(w.value) for w in wages], 1),  # type: ignore[arg-type]
            "review": review,
        },
        "payments": {**_spread(usd, 100), "other_currencies": len(other)},
        "ambulance": dict(ambulance),
        "versions": {(hashes[v], v): n for v, n in versions.items()},
    }
