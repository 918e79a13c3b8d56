"""Synthetic decrypted records for the report tests, drawn from a seeded random generator."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from admin_cli.report import codes
from admin_cli.report.figures import tally
from admin_cli.report.model import Period, Report, ReportRecord
from admin_cli.report.publish import DEFAULT_MIN_CELL, publish
from flows.answers import SKIPPED, AnswerValue, Money
from flows.derive import Figure, FigureState
from flows.shipped import load_shipped

NA = Figure("not_applicable")
COUNTRIES = ("VE", "MX", "BR", "BO", "QA", "SA", "AO", "IT", "HN", "NI", "GT", "BS", "DZ", "KW")
CAMPAIGNS = ('Salud <b>2025</b> & "otros"', "Marinos", None)
VERSIONS = (("testimonio", 1, "a" * 64), ("testimonio", 2, "b1c2" * 16))
# The ambulance answers are drawn from version 1's codes, whatever version a record names.
_V1 = (load_shipped("testimonio_v1.yaml"),)
AMBULANCE_V1 = codes.version_codes(codes.AMBULANCE_QUESTION, _V1)
AMBULANCE_V1_OVER_6H = codes.figure_codes(
    codes.AMBULANCE_OVER_6H_FIGURE, codes.AMBULANCE_QUESTION, _V1
)


def build_report(
    records: Iterable[ReportRecord],
    *,
    period: Period,
    lang: str = "es",
    min_cell: int = DEFAULT_MIN_CELL,
) -> Report:
    """The report of `records` as `oclep-admin report` publishes it (tally, then publish)."""
    return publish(tally(records), period=period, lang=lang, min_cell=min_cell)


def _state(rng: random.Random, present: float) -> FigureState:
    roll = rng.random()
    if roll < present:
        return "present"
    if roll < 0.85:
        return "absent"
    return "unknown"


def _maybe_skip(rng: random.Random, value: AnswerValue, skip: float = 0.05) -> AnswerValue:
    return SKIPPED if rng.random() < skip else value


def make_record(rng: random.Random, day: date) -> ReportRecord:
    answers: dict[str, AnswerValue] = {}
    figures: dict[str, Figure] = {}
    role = rng.choices((*codes.ROLES, "_skip"), weights=(30, 25, 10, 8, 15, 7, 2))[0]
    answers["rol"] = SKIPPED if role == "_skip" else role
    mission = role in codes.MISSION_ROLES
    if mission:
        answers["sector"] = _maybe_skip(
            rng, rng.choices(codes.SECTORS, weights=(50, 15, 10, 8, 8, 3, 2))[0]
        )
        answers["pais"] = _maybe_skip(
            rng, rng.choices(COUNTRIES, weights=(30, 15, 12, 8, 6, 4, 3, 3, 2, 2, 1, 1, 1, 1))[0]
        )
        answers["anio_inicio"] = rng.randint(2005, 2024)
        present_count = 0
        for figure_id in codes.ILO_FIGURES:
            state = _state(rng, rng.choice((0.02, 0.3, 0.6, 0.75)))
            figures[figure_id] = Figure(state)
            present_count += state == "present"
        figures[codes.ILO_TOTAL] = Figure("present", present_count)
        for figure_id in codes.FRAMEWORK_FIGURES:
            figures[figure_id] = Figure(_state(rng, 0.5))
        if rng.random() < 0.6:
            currency = rng.choices(("USD", "EUR"), weights=(9, 1))[0]
            amount = Decimal(rng.randrange(800, 6000, 25))
            answers[codes.HOST_PAYMENT] = Money(amount, currency)
            raw = Decimal(rng.randint(-150, 1050)) / 10
            review = not Decimal(0) <= raw <= Decimal(100)
            figures[codes.RETENTION] = Figure(
                "present", min(max(raw, Decimal(0)), Decimal(100)), review
            )
        else:
            figures[codes.RETENTION] = Figure("unknown")
    else:
        for figure_id in (*codes.ILO_FIGURES, codes.ILO_TOTAL, *codes.FRAMEWORK_FIGURES):
            figures[figure_id] = NA
        figures[codes.RETENTION] = NA
    health = role in ("paciente_cuba", "salud_cuba") or (mission and rng.random() < 0.3)
    if health:
        for figure_id in codes.HEALTH_FIGURES:
            figures[figure_id] = Figure(_state(rng, 0.4))
        delay = rng.choices((*AMBULANCE_V1, "_skip"), weights=(3, 10, 8, 5, 4, 12, 2))[0]
        answers["ambulancia"] = SKIPPED if delay == "_skip" else delay
        figures["salud_ambulancia_mas_6h"] = Figure(
            "unknown"
            if delay == "_skip"
            else "present"
            if delay in AMBULANCE_V1_OVER_6H
            else "absent"
        )
    else:
        for figure_id in codes.HEALTH_FIGURES:
            figures[figure_id] = NA
    complete = rng.random() < 0.8
    qid, version, digest = rng.choice(VERSIONS)
    return ReportRecord(
        status="complete" if complete else "partial",
        created_on=day,
        completed_on=day + timedelta(days=1) if complete else None,
        campaign=rng.choice(CAMPAIGNS),
        questionnaire_id=qid,
        questionnaire_version=version,
        questionnaire_hash=digest,
        answers=answers,
        figures=figures,
    )


def make_records(seed: int, n: int, *, sources: bool = False) -> list[ReportRecord]:
    """`n` testimonies; with `sources`, a mixture of the three sources instead: about one in
    five testimonies an interview, about one record in six a field report."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        day = date(2025, 3, 1) + timedelta(days=i % 28)
        if sources and rng.random() < 0.16:
            records.append(make_field_report(rng, day))
            continue
        record = make_record(rng, day)
        if sources and rng.random() < 0.2:
            record = replace(record, mode="entrevista")
        records.append(record)
    return records


FIELD_VERSION = ("informe_campo", 1, "f0" * 32)


def make_field_report(rng: random.Random, day: date) -> ReportRecord:
    """A field report: the investigator's findings about a place, and counts for some."""
    place = rng.choice(("hospital", "farmacia", "mision"))
    answers: dict[str, AnswerValue] = {"tipo_lugar": place}
    figures: dict[str, Figure] = {}
    for figure_id in codes.FIELD_HEALTH_FIGURES:
        figures[figure_id] = NA if place == "mision" else Figure(_state(rng, 0.45))
    for figure_id in codes.FIELD_ILO_FIGURES:
        figures[figure_id] = Figure(_state(rng, 0.4)) if place == "mision" else NA
    if place != "mision":
        for question_id in codes.FIELD_COUNTS:
            if rng.random() < 0.5:
                answers[question_id] = rng.randint(1, 40) if rng.random() < 0.7 else "no_sabe"
    qid, version, digest = FIELD_VERSION
    return ReportRecord(
        status="complete",
        created_on=day,
        completed_on=day,
        campaign=rng.choice(("campo_oriente", None)),
        questionnaire_id=qid,
        questionnaire_version=version,
        questionnaire_hash=digest,
        answers=answers,
        figures=figures,
    )


def realistic_month(n: int, *, seed: int = 50) -> list[ReportRecord]:
    """A month like the observatory's: most respondents are on missions and answer nearly
    everything, so each figure has a few "unknown" only (the counts that made the old
    disclosure control hide whole ILO rows). 84 % mission respondents."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        mission = i < round(n * 0.84)
        role = (
            ("mision_actual", "mision_pasada", "abandono", "familiar")[i % 4]
            if mission
            else ("paciente_cuba" if i % 2 else "salud_cuba")
        )
        answers: dict[str, AnswerValue] = {"rol": role}
        figures: dict[str, Figure] = {}
        if mission:
            answers["sector"] = rng.choices(codes.SECTORS, weights=(60, 12, 10, 8, 6, 2, 2))[0]
            answers["pais"] = rng.choices(COUNTRIES[:6], weights=(40, 20, 15, 10, 10, 5))[0]
            present = 0
            for number, figure_id in enumerate(codes.ILO_FIGURES):
                # One to three respondents skipped each indicator's questions.
                if i < 1 + number % 3:
                    figures[figure_id] = Figure("unknown")
                    continue
                state: FigureState = "present" if rng.random() < 0.35 + 0.05 * number else "absent"
                figures[figure_id] = Figure(state)
                present += state == "present"
            figures[codes.ILO_TOTAL] = Figure("present", present)
            for figure_id in codes.FRAMEWORK_FIGURES:
                figures[figure_id] = Figure("unknown" if i < 2 else _state(rng, 0.55))
            figures[codes.RETENTION] = Figure("unknown")
        else:
            for figure_id in (*codes.ILO_FIGURES, codes.ILO_TOTAL, *codes.FRAMEWORK_FIGURES):
                figures[figure_id] = NA
            figures[codes.RETENTION] = NA
        for figure_id in codes.HEALTH_FIGURES:
            figures[figure_id] = NA if mission else Figure(_state(rng, 0.5))
        records.append(
            ReportRecord(
                status="complete" if i % 7 else "partial",
                created_on=date(2025, 3, 1 + i % 28),
                completed_on=date(2025, 3, 1 + i % 28) if i % 7 else None,
                campaign=None,
                questionnaire_id="testimonio",
                questionnaire_version=1,
                questionnaire_hash="a" * 64,
                answers=answers,
                figures=figures,
            )
        )
    return records
