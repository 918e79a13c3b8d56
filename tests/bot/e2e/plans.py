"""Whole-conversation answer plans for version 3: a mission branch and a health branch."""

from __future__ import annotations

from typing import Final

from tests.bot.e2e.support import Answer, Press, SkipIt, Tick, Type

MISSION: Final[dict[str, Answer]] = {
    "consentimiento": Press("acepto"),
    "lugar_seguro": Press("si"),
    "rol": Press("mision_pasada"),
    "sector": Press("salud"),
    "profesion_salud": Press("medico"),
    "pais": Type("Venezuela"),
    "anio_inicio": Type("2017"),
    "anio_fin": Type("2020"),
    "pudo_negarse": Press("no"),
    "presiones_ir": Tick("necesidad_economica", "familia"),
    "contrato_leido": Press("no"),
    "condiciones_distintas": Press("peores"),
    "aspectos_distintos": Tick("salario", "horario"),
    "conoce_pago_estado": Press("si"),
    "pago_estado_mes": Type("3.000 USD"),
    "estipendio_mes": Type("250 USD"),
    "deposito_cuba_mes": SkipIt(),
    "deposito_bloqueado": Press("si"),
    "horas_semana": Type("de lunes a sabado 10 horas diarias"),
    "restricciones": Tick("toque_queda"),
    "amenazas": Tick("ninguna"),
    "quiere_salud": Press("no"),
    "testimonio": Type("Nos quitaban el pasaporte al llegar.", "Trabajábamos de noche."),
    "cita_permitida": Press("si"),
}
# Questions the plan leaves out are answered "Prefiero no responder" (the documents question
# `adjuntos` among them: no file sent, recorded as skipped).

HEALTH: Final[dict[str, Answer]] = {
    "consentimiento": Press("acepto"),
    "lugar_seguro": Press("si"),
    "rol": Press("paciente_cuba"),
    "provincia": Press("holguin"),
    "necesidad_no_atendida": Press("si"),
    "motivos": Tick("sin_medicamentos", "espera"),
    "faltantes": Tick("antibioticos", "jeringuillas"),
    "salud_situaciones": Tick("insumos_propios", "cirugia_suspendida"),
    "ambulancia": Press("nunca_llego"),
    "afectado_edad": Tick("mayor"),
    "consecuencia": Press("dano_grave"),
    "testimonio": Type("No había ambulancia para mi madre."),
    "cita_permitida": Press("no"),
}
