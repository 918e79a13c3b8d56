"""Derived figures of testimonio.yaml on hand-built answer sets."""

from decimal import Decimal

import pytest

from flows.answers import SKIPPED, AnswerValue, Money
from flows.derive import Figure, derive, source_questions
from tests.flows.support import HEALTH_FIGURES, ILO_INDICATORS, SPEC_FIGURES, form, load_testimonio

TESTIMONIO = load_testimonio()
SOURCES = source_questions(TESTIMONIO)

USD = "USD"

# A mission respondent who answered everything and reported none of the indicators.
NOTHING_REPORTED: dict[str, AnswerValue] = {
    "consentimiento": "acepto",
    "lugar_seguro": "si",
    "rol": "mision_pasada",
    "pudo_negarse": "si",
    "contrato_leido": "si_con_copia",
    "condiciones_distintas": "iguales",
    "conoce_pago_estado": "no",
    "estipendio_mes": Money(Decimal(900), USD),
    "deposito_cuba_mes": Money(Decimal(100), USD),
    "deposito_bloqueado": "no",
    "perdida_deposito": "no",
    "parte_recibida": "mas_50",
    "deuda": "no",
    "documentos_retenidos": "no",
    "restricciones": ("ninguna",),
    "aislamiento": ("ninguna",),
    "horas_semana": 40,
    "horas_extra_forzadas": "no",
    "falsificar_datos": "no",
    "vivienda": "adecuadas",
    "peligro": "no",
    "tareas_impuestas": "no",
    "amenazas": ("ninguna",),
    "violencia_fisica": "no",
    "acoso_sexual": "no",
    "podia_irse": "si",
    "familia_viajar": "no",
}

ILO = ILO_INDICATORS

# For each indicator, answer changes that each make it present on their own.
PRESENT_WHEN: list[tuple[str, dict[str, AnswerValue]]] = [
    ("ilo_abuso_vulnerabilidad", {"pudo_negarse": "no", "presiones_ir": ("necesidad_economica",)}),
    ("ilo_abuso_vulnerabilidad", {"pudo_negarse": "no", "presiones_ir": ("otra", "familia")}),
    ("ilo_abuso_vulnerabilidad", {"familia_viajar": "si"}),
    ("ilo_engano", {"condiciones_distintas": "peores", "aspectos_distintos": ("salario",)}),
    ("ilo_engano", {"contrato_leido": "no"}),
    ("ilo_restriccion_movimiento", {"restricciones": ("prohibido_conducir",)}),
    ("ilo_restriccion_movimiento", {"documentos_retenidos": "si", "documentos_acceso": "no"}),
    ("ilo_aislamiento", {"aislamiento": ("control_comunicaciones",)}),
    ("ilo_violencia", {"violencia_fisica": "si"}),
    ("ilo_violencia", {"acoso_sexual": "si"}),
    ("ilo_intimidacion_amenazas", {"amenazas": ("prohibicion_entrada", "carcel")}),
    (
        "ilo_retencion_documentos",
        {"documentos_retenidos": "si", "documentos_acceso": "con_permiso"},
    ),
    ("ilo_retencion_documentos", {"documentos_retenidos": "si", "documentos_acceso": SKIPPED}),
    ("ilo_retencion_salarios", {"deposito_bloqueado": "si"}),
    ("ilo_retencion_salarios", {"perdida_deposito": "si"}),
    (
        "ilo_retencion_salarios",
        {"conoce_pago_estado": "si", "pago_estado_mes": Money(Decimal(4000), USD)},
    ),
    ("ilo_servidumbre_deudas", {"deuda": "si"}),
    ("ilo_condiciones_abusivas", {"vivienda": "muy_malas"}),
    ("ilo_condiciones_abusivas", {"peligro": "si"}),
    ("ilo_condiciones_abusivas", {"falsificar_datos": "si"}),
    ("ilo_condiciones_abusivas", {"tareas_impuestas": "si"}),
    ("ilo_horas_extra_excesivas", {"horas_semana": 61}),
    ("ilo_horas_extra_excesivas", {"horas_extra_forzadas": "si"}),
]


def figures(**changes: AnswerValue) -> dict[str, Figure]:
    return derive(TESTIMONIO, {**NOTHING_REPORTED, **changes})


def without_sources(figure_id: str, *, skip: bool) -> dict[str, AnswerValue]:
    answers = dict(NOTHING_REPORTED)
    for question_id in SOURCES[figure_id]:
        if skip:
            answers[question_id] = SKIPPED
        else:
            answers.pop(question_id, None)
    return answers


@pytest.mark.parametrize(("figure_id", "changes"), PRESENT_WHEN)
def test_each_ilo_indicator_present(figure_id: str, changes: dict[str, AnswerValue]) -> None:
    assert figures(**changes)[figure_id].state == "present"


@pytest.mark.parametrize("figure_id", ILO)
def test_each_ilo_indicator_absent_when_answers_do_not_show_it(figure_id: str) -> None:
    assert figures()[figure_id].state == "absent"


@pytest.mark.parametrize("figure_id", ILO)
@pytest.mark.parametrize("skip", [True, False], ids=["skipped", "not_asked"])
def test_each_ilo_indicator_unknown_when_all_its_sources_are_missing(
    figure_id: str, skip: bool
) -> None:
    result = derive(TESTIMONIO, without_sources(figure_id, skip=skip))
    assert result[figure_id] == Figure("unknown")


def test_thresholds_are_strict_where_the_rule_says_so() -> None:
    assert figures(horas_semana=60)["ilo_horas_extra_excesivas"].state == "absent"
    half: dict[str, AnswerValue] = {
        "conoce_pago_estado": "si",
        "pago_estado_mes": Money(Decimal(2000), USD),
    }
    assert figures(**half)["retencion_salarial_pct"].value == Decimal("50.00")
    assert figures(**half)["ilo_retencion_salarios"].state == "present"  # >= 50


def test_documents_given_back_on_request_are_not_retained() -> None:
    result = figures(documentos_retenidos="si", documentos_acceso="si")
    assert result["ilo_retencion_documentos"].state == "absent"


def test_ilo_total_counts_present_indicators() -> None:
    assert figures()["ilo_total"] == Figure("present", 0)
    everything: dict[str, AnswerValue] = {}
    for _, changes in PRESENT_WHEN:
        everything.update(changes)
    everything["documentos_acceso"] = "no"
    assert figures(**everything)["ilo_total"] == Figure("present", 11)
    assert figures(deuda="si", acoso_sexual="si")["ilo_total"] == Figure("present", 2)
    all_skipped = {q: SKIPPED for q in SOURCES["ilo_total"]}
    assert figures(**all_skipped)["ilo_total"] == Figure("unknown")


def test_icls_needs_both_involuntary_work_and_coercion() -> None:
    involuntary = {"podia_irse": "no"}
    coercion = {"amenazas": ("regreso_forzado",)}
    only_involuntary = figures(**involuntary)
    assert only_involuntary["icls_involuntario"].state == "present"
    assert only_involuntary["icls_coaccion"].state == "absent"
    assert only_involuntary["icls_trabajo_forzoso"].state == "absent"
    only_coercion = figures(**coercion)
    assert only_coercion["icls_coaccion"].state == "present"
    assert only_coercion["icls_trabajo_forzoso"].state == "absent"
    both = figures(**involuntary, **coercion)
    assert both["icls_trabajo_forzoso"].state == "present"


@pytest.mark.parametrize(
    "changes",
    [
        {"pudo_negarse": "no"},
        {"condiciones_distintas": "peores", "aspectos_distintos": ("duracion",)},
        {"horas_extra_forzadas": "si"},
        {"peligro": "si"},
        {"vivienda": "muy_malas"},
        {"podia_irse": "no"},
        {"parte_recibida": "menos_10"},
    ],
)
def test_each_involuntariness_element(changes: dict[str, AnswerValue]) -> None:
    assert figures(**changes)["icls_involuntario"].state == "present"


@pytest.mark.parametrize(
    "changes",
    [
        {"amenazas": ("perder_dinero",)},
        {"violencia_fisica": "si"},
        {"restricciones": ("toque_queda",)},
        {"deuda": "si"},
        {"deposito_bloqueado": "si"},
        {"documentos_retenidos": "si", "documentos_acceso": "si"},
    ],
)
def test_each_coercion_element(changes: dict[str, AnswerValue]) -> None:
    assert figures(**changes)["icls_coaccion"].state == "present"


def test_salary_condition_not_in_the_icls_list_is_not_involuntariness() -> None:
    changed = figures(condiciones_distintas="peores", aspectos_distintos=("salario",))
    assert changed["icls_involuntario"].state == "absent"


def test_palermo_act_means_and_purpose() -> None:
    nothing = figures()
    assert nothing["palermo_acto"].state == "present"
    assert nothing["palermo_medios"].state == "absent"
    assert nothing["palermo_trata"].state == "absent"
    deceived_only = figures(contrato_leido="no")
    assert deceived_only["palermo_medios"].state == "present"
    assert deceived_only["palermo_trata"].state == "absent"  # no forced labour
    trafficked = figures(contrato_leido="no", podia_irse="no", deuda="si")
    assert trafficked["icls_trabajo_forzoso"].state == "present"
    assert trafficked["palermo_trata"].state == "present"


def test_palermo_trata_is_unknown_when_every_mission_question_was_skipped() -> None:
    """The act is given (it reads only `rol`), so it is no answered source of trafficking:
    a mission respondent who skipped everything is unknown, like the ICLS figures."""
    skipped_all = derive(TESTIMONIO, {"rol": "mision_actual"})
    assert skipped_all["palermo_acto"].state == "present"
    for figure_id in ("icls_trabajo_forzoso", "palermo_medios", "palermo_trata"):
        assert skipped_all[figure_id].state == "unknown", figure_id
    one_no = derive(TESTIMONIO, {"rol": "mision_actual", "deuda": "no"})
    assert one_no["palermo_trata"].state == "absent"


def test_retention_normal_case() -> None:
    result = figures(
        conoce_pago_estado="si",
        pago_estado_mes=Money(Decimal(3000), USD),
        estipendio_mes=Money(Decimal(300), USD),
        deposito_cuba_mes=Money(Decimal(200), USD),
    )
    assert result["retencion_salarial_pct"] == Figure("present", Decimal("83.33"))
    assert result["ilo_retencion_salarios"].state == "present"


def test_retention_needs_the_host_payment() -> None:
    assert figures()["retencion_salarial_pct"] == Figure("unknown")  # conoce_pago_estado = no
    skipped = figures(conoce_pago_estado="si", pago_estado_mes=SKIPPED)
    assert skipped["retencion_salarial_pct"] == Figure("unknown")
    zero = figures(conoce_pago_estado="si", pago_estado_mes=Money(Decimal(0), USD))
    assert zero["retencion_salarial_pct"] == Figure("unknown")
    no_stipend = figures(
        conoce_pago_estado="si", pago_estado_mes=Money(Decimal(3000), USD), estipendio_mes=SKIPPED
    )
    assert no_stipend["retencion_salarial_pct"] == Figure("unknown")


def test_retention_outside_0_100_is_clamped_and_flagged() -> None:
    more_than_paid = figures(conoce_pago_estado="si", pago_estado_mes=Money(Decimal(500), USD))
    assert more_than_paid["retencion_salarial_pct"] == Figure("present", Decimal(0), review=True)
    assert more_than_paid["ilo_retencion_salarios"].state == "absent"
    negative_received = figures(
        conoce_pago_estado="si",
        pago_estado_mes=Money(Decimal(1000), USD),
        estipendio_mes=Money(Decimal(-100), USD),
        deposito_cuba_mes=Money(Decimal(0), USD),
    )
    assert negative_received["retencion_salarial_pct"] == Figure(
        "present", Decimal(100), review=True
    )


def test_retention_in_mixed_currencies_is_left_for_review() -> None:
    result = figures(conoce_pago_estado="si", pago_estado_mes=Money(Decimal(3000), "EUR"))
    assert result["retencion_salarial_pct"] == Figure("unknown", review=True)


HEALTH_ANSWERS: dict[str, AnswerValue] = {
    "consentimiento": "acepto",
    "lugar_seguro": "si",
    "rol": "paciente_cuba",
    "provincia": "granma",
    "necesidad_no_atendida": "si",
    "motivos": ("sin_medicamentos",),
    "faltantes": ("antibioticos", "jeringuillas"),
    "llevar_insumos": "si",
    "mercado_informal": "si",
    "ambulancia": "nunca_llego",
    "cirugia_suspendida": "si",
    "afectado_edad": ("menor", "mayor"),
}
HEALTH = HEALTH_FIGURES


def test_health_figures_present_absent_unknown() -> None:
    present = derive(TESTIMONIO, HEALTH_ANSWERS)
    assert all(present[f].state == "present" for f in HEALTH)
    absent = derive(
        TESTIMONIO,
        {
            **HEALTH_ANSWERS,
            "necesidad_no_atendida": "no",
            "faltantes": ("ninguno",),
            "llevar_insumos": "no",
            "mercado_informal": "no_sabe",
            "ambulancia": "1_6h",
            "cirugia_suspendida": "no",
            "afectado_edad": ("adulto",),
        },
    )
    assert all(absent[f].state == "absent" for f in HEALTH)
    unknown = derive(TESTIMONIO, {"rol": "salud_cuba", "ambulancia": SKIPPED})
    assert all(unknown[f].state == "unknown" for f in HEALTH)


def test_figures_do_not_apply_outside_their_population() -> None:
    health_only = derive(TESTIMONIO, HEALTH_ANSWERS)
    for figure_id in [*ILO, "ilo_total", "icls_trabajo_forzoso", "palermo_trata"]:
        assert health_only[figure_id].state == "not_applicable"
    assert health_only["retencion_salarial_pct"].state == "not_applicable"
    mission_only = figures(quiere_salud="no")
    assert all(mission_only[f].state == "not_applicable" for f in HEALTH)
    mission_and_health = derive(
        TESTIMONIO, {**NOTHING_REPORTED, **HEALTH_ANSWERS, "rol": "abandono", "quiere_salud": "si"}
    )
    assert mission_and_health["salud_cirugia_suspendida"].state == "present"
    assert mission_and_health["ilo_total"].state == "present"


def test_every_indicator_of_the_spec_is_defined() -> None:
    ids = [indicator.id for indicator in TESTIMONIO.indicators]
    assert set(SPEC_FIGURES) <= set(ids)


def test_a_figure_may_use_figures_above_it_inline() -> None:
    questionnaire = form(
        """
        modules:
          - id: m
            title: M
            questions:
              - {id: a, type: yesno, text: Pregunta A}
              - {id: b, type: yesno, text: Pregunta B}
        indicators:
          - {id: fa, label: FA, present: {q: a, in: [si]}}
          - {id: fb, label: FB, present: {q: b, in: [si]}}
          - {id: n, kind: count, label: N, figures: [fa, fb]}
          - {id: both, kind: all_of, label: Both, figures: [fa, fb]}
          - {id: many, label: Many, present: {figure: n, gte: 2}}
        """
    )
    result = derive(questionnaire, {"a": "si", "b": "si"})
    assert (result["n"], result["both"].state, result["many"].state) == (
        Figure("present", 2),
        "present",
        "present",
    )
    partial = derive(questionnaire, {"a": "si", "b": SKIPPED})
    assert (partial["fb"].state, partial["n"], partial["both"].state) == (
        "unknown",
        Figure("present", 1),
        "absent",
    )
    assert derive(questionnaire, {})["both"].state == "unknown"
