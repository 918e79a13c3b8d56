"""testimonio.yaml holds every variable, code and condition of QUESTIONNAIRE.md."""

from decimal import Decimal

from flows.answers import SKIPPED, AnswerValue
from flows.codebook import describe
from flows.engine import Engine
from flows.model import IntegerQuestion, MoneyQuestion, TextQuestion, YearQuestion
from tests.flows.support import load_testimonio

TESTIMONIO = load_testimonio()
ENGINE = Engine(TESTIMONIO)
MISION = ["mision_actual", "mision_pasada", "abandono", "familiar"]


def spec_table(table: str) -> dict[str, tuple[str, list[str] | None]]:
    """Reads `variable type code code ...` rows; an indented line goes on with the codes above."""
    rows: list[list[str]] = []
    for line in table.strip("\n").splitlines():
        if line[:1].isspace():
            rows[-1] += line.split()
        else:
            rows.append(line.split())
    return {variable: (kind, codes or None) for variable, kind, *codes in rows}


# Every answerable variable in order: its type, then its choice codes in order (none where the
# type has none).
SPEC = spec_table(
    """
consentimiento          consent   acepto no_acepto
lugar_seguro            single    si no
rol                     single    mision_actual mision_pasada abandono familiar paciente_cuba
                                  salud_cuba
sector                  single    salud construccion maritimo tecnico educacion_deporte cultura
                                  otro
profesion_salud         single    medico enfermeria tecnico_salud estomatologo otro
pais                    country   VE MX BR BO QA SA KW AO DZ ZA IT HN NI GT BS
anio_inicio             year
anio_fin                year      sigue
entidad                 single    csmc uccm otra_estatal no_sabe
pudo_negarse            yesno     si no no_sabe
presiones_ir            multi     necesidad_economica amenaza_carrera presion_politica familia
                                  otra
contrato_leido          single    si_con_copia si_sin_copia no
condiciones_distintas   single    peores iguales mejores no_sabe
aspectos_distintos      multi     salario tareas lugar horario vivienda duracion empleador
conoce_pago_estado      yesno     si no no_sabe
pago_estado_mes         money
estipendio_mes          money
deposito_cuba_mes       money
deposito_bloqueado      yesno     si no no_sabe
perdida_deposito        yesno     si no no_sabe
parte_recibida          single    menos_10 10_25 25_50 mas_50 no_sabe
deuda                   yesno     si no no_sabe
documentos_retenidos    yesno     si no no_sabe
documentos_acceso       single    si con_permiso no
restricciones           multi     toque_queda permiso_salir prohibido_locales prohibido_conducir
                                  prohibido_relaciones ninguna
aislamiento             multi     lugar_aislado control_comunicaciones prohibido_prensa
                                  sin_contacto_familia ninguna
vigilancia              yesno     si no no_sabe
actividades_politicas   yesno     si no no_sabe
horas_semana            integer
horas_extra_forzadas    yesno     si no no_sabe
metas                   yesno     si no no_sabe
falsificar_datos        yesno     si no no_sabe
vivienda                single    adecuadas malas muy_malas
peligro                 yesno     si no no_sabe
tareas_impuestas        yesno     si no no_sabe
amenazas                multi     regreso_forzado sancion_laboral prohibicion_entrada
                                  represalias_familia carcel perder_dinero ninguna
violencia_fisica        yesno     si no no_sabe
acoso_sexual            yesno     si no no_sabe
podia_irse              yesno     si no no_sabe
consecuencias_abandono  multi     prohibicion_entrada familia_presionada perdio_dinero
                                  proceso_penal expulsion_trabajo ninguna
familia_viajar          yesno     si no no_sabe
quiere_salud            yesno     si no no_sabe
provincia               province
necesidad_no_atendida   yesno     si no no_sabe
motivos                 multi     sin_medico sin_medicamentos sin_insumos espera transporte
                                  pagos_informales otro
faltantes               multi     antibioticos analgesicos anestesia cronicos jeringuillas
                                  material_curacion sabanas_higiene ninguno
llevar_insumos          yesno     si no no_sabe
mercado_informal        yesno     si no no_sabe
ambulancia              single    menos_1h 1_6h 6_24h mas_1dia nunca_llego no_necesito
cirugia_suspendida      yesno     si no no_sabe
atendido_estudiantes    yesno     si no no_sabe
afectado_edad           multi     menor adulto mayor
consecuencia            single    ninguna_grave dano_grave muerte
testimonio              text
cita_permitida          yesno     si no no_sabe
"""
)


def test_identity() -> None:
    assert (TESTIMONIO.id, TESTIMONIO.version, TESTIMONIO.locale) == ("testimonio", 1, "es")


def test_every_variable_in_order_with_its_type_and_codes() -> None:
    answerable = [q for q in TESTIMONIO.questions() if q.answerable]
    assert [q.id for q in answerable] == list(SPEC)
    for question in answerable:
        kind, codes = SPEC[question.id]
        assert question.type == kind, question.id
        if codes is not None:
            assert [c.code for c in question.all_choices()] == codes, question.id


def test_every_choice_has_a_short_spanish_label() -> None:
    for question in TESTIMONIO.questions():
        for choice in question.all_choices():
            assert choice.label.strip() and choice.label != choice.code, (question.id, choice)
            assert len(choice.label) <= 90, (question.id, choice.code)


def test_exclusive_choices() -> None:
    exclusive = {(q.id, c.code) for q in TESTIMONIO.questions() for c in q.choices if c.exclusive}
    assert exclusive == {
        ("restricciones", "ninguna"),
        ("aislamiento", "ninguna"),
        ("amenazas", "ninguna"),
        ("consecuencias_abandono", "ninguna"),
        ("faltantes", "ninguno"),
    }


def test_consent_text_says_everything_in_at_most_900_characters() -> None:
    text = TESTIMONIO.question("consentimiento").text
    assert len(text) <= 900
    for point in [
        "observatorio",
        "anónimo",
        "nombre",
        "teléfono",
        "Telegram",
        "cifradas",
        "equipo del observatorio",
        "Telegram sí puede ver",
        "saltar",
        "seguir después",
        "/borrar",
        "totales",
        "¿Acepta participar?",
    ]:
        assert point in text, point


def test_consent_cannot_be_skipped_and_no_acepto_ends_everything() -> None:
    consent = TESTIMONIO.question("consentimiento")
    assert not consent.skippable
    assert all(q.skippable for q in TESTIMONIO.questions() if q.id != "consentimiento")
    answers = {"consentimiento": "no_acepto"}
    assert ENGINE.next_question(answers, after="consentimiento") is None
    stopped = ENGINE.stopped(answers)
    assert stopped is not None and stopped.outcome == "end"
    assert "borrar este chat" in stopped.message.msgid


def test_unsafe_place_pauses_with_advice() -> None:
    answers = {"consentimiento": "acepto", "lugar_seguro": "no"}
    assert ENGINE.next_question(answers, after="lugar_seguro") is None
    stopped = ENGINE.stopped(answers)
    assert stopped is not None and stopped.outcome == "pause"
    assert "/start" in stopped.message.msgid and "notificaciones" in stopped.message.msgid.lower()


def asked(question_id: str) -> str:
    module = TESTIMONIO.module_of(question_id)
    question = TESTIMONIO.question(question_id)
    return " & ".join(describe(c) for c in (module.when, question.when) if c is not None)


def test_conditions() -> None:
    mision = f"rol in [{', '.join(MISION)}]"
    assert asked("rol") == ""
    assert asked("sector") == mision
    assert asked("profesion_salud") == f"{mision} & sector in [salud]"
    assert asked("anio_fin") == f"{mision} & rol in [mision_pasada, abandono, familiar]"
    anio_fin = TESTIMONIO.question("anio_fin")
    assert isinstance(anio_fin, YearQuestion) and anio_fin.min_from == "anio_inicio"
    assert asked("presiones_ir") == f"{mision} & pudo_negarse in [no]"
    assert asked("aspectos_distintos") == f"{mision} & condiciones_distintas in [peores]"
    assert asked("pago_estado_mes") == f"{mision} & conoce_pago_estado in [si]"
    assert asked("parte_recibida") == f"{mision} & conoce_pago_estado not_in [si]"
    assert asked("documentos_acceso") == f"{mision} & documentos_retenidos in [si]"
    assert asked("consecuencias_abandono") == f"{mision} & rol in [abandono]"
    assert asked("quiere_salud") == mision
    assert asked("provincia") == "rol in [paciente_cuba, salud_cuba] or quiere_salud in [si]"
    assert asked("motivos").endswith("& necesidad_no_atendida in [si]")
    assert asked("testimonio") == ""
    assert asked("cita_permitida") == "testimonio answered"


def test_ranges() -> None:
    anio_inicio = TESTIMONIO.question("anio_inicio")
    assert isinstance(anio_inicio, YearQuestion)
    assert anio_inicio.min == 1980
    assert anio_inicio.max is None  # the current year
    horas = TESTIMONIO.question("horas_semana")
    assert isinstance(horas, IntegerQuestion)
    assert (horas.min, horas.max) == (Decimal(0), Decimal(140))
    for money in ["pago_estado_mes", "estipendio_mes", "deposito_cuba_mes"]:
        question = TESTIMONIO.question(money)
        assert isinstance(question, MoneyQuestion)
        assert (question.min, question.max, question.currency) == (
            Decimal(0),
            Decimal(100000),
            "USD",
        )
    testimonio = TESTIMONIO.question("testimonio")
    assert isinstance(testimonio, TextQuestion)
    assert testimonio.max_length == 4000
    assert testimonio.multipart


def test_a_patient_in_cuba_goes_from_role_to_health_then_testimony() -> None:
    answers: dict[str, AnswerValue] = {
        "consentimiento": "acepto",
        "lugar_seguro": "si",
        "rol": "paciente_cuba",
    }
    assert ENGINE.next_question(answers, after="rol").id == "provincia"  # type: ignore[union-attr]
    answers |= {q.id: SKIPPED for q in TESTIMONIO.modules[-2].questions}
    assert ENGINE.next_question(answers, after="consecuencia").id == "testimonio"  # type: ignore[union-attr]


def test_mission_respondent_without_health_skips_module_7() -> None:
    answers = {
        "consentimiento": "acepto",
        "lugar_seguro": "si",
        "rol": "mision_actual",
        "quiere_salud": "no",
    }
    assert ENGINE.next_question(answers, after="quiere_salud").id == "testimonio"  # type: ignore[union-attr]
    assert not ENGINE.is_relevant("anio_fin", answers)
