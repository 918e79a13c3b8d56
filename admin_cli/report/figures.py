"""Streaming aggregation of report records into raw (not yet disclosure-controlled) counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeGuard

from admin_cli.report import codes
from admin_cli.report.model import FigureLike, ReportRecord
from admin_cli.report.money import amount_flags, counted_payment
from flows.answers import Skipped

VersionKey = tuple[str, int, str]
FIGURE_STATES = ("present", "absent", "unknown")
_COUNTED_FIGURES = (*codes.ILO_FIGURES, *codes.FRAMEWORK_FIGURES, *codes.HEALTH_FIGURES)


@dataclass
class Tally:
    """Counters filled one record at a time; only counters and two value lists are kept.

    The counts here are raw: they must go through `publish` before anyone sees them.
    """

    total: int = 0
    status: Counter[str] = field(default_factory=Counter)
    roles: Counter[str] = field(default_factory=Counter)
    campaigns: Counter[str] = field(default_factory=Counter)
    mission: int = 0
    sectors: Counter[str] = field(default_factory=Counter)
    countries: Counter[str] = field(default_factory=Counter)
    # figure id -> state -> count, over the records the figure applies to
    figure_states: dict[str, Counter[str]] = field(default_factory=dict)
    ilo_total: Counter[int] = field(default_factory=Counter)
    retention: list[Decimal] = field(default_factory=list)
    retention_review: int = 0
    payments: list[Decimal] = field(default_factory=list)
    payments_other_currency: int = 0
    ambulance: Counter[str] = field(default_factory=Counter)
    versions: Counter[VersionKey] = field(default_factory=Counter)
    # Testimonies by source (mode), and each figure's base by source.
    modes: Counter[str] = field(default_factory=Counter)
    figure_modes: dict[str, Counter[str]] = field(default_factory=dict)
    field_reports: FieldTally = field(default_factory=lambda: FieldTally())

    def add(self, record: ReportRecord) -> None:
        if record.questionnaire_id == codes.FIELD_QUESTIONNAIRE:
            # A field report is about a place, not a person: its own tables, never these.
            self.versions[
                (record.questionnaire_id, record.questionnaire_version, record.questionnaire_hash)
            ] += 1
            self.field_reports.add(record)
            return
        self.total += 1
        self.modes[record.mode] += 1
        self.status[record.status] += 1
        self.campaigns[record.campaign or codes.NO_CAMPAIGN] += 1
        self.versions[
            (record.questionnaire_id, record.questionnaire_version, record.questionnaire_hash)
        ] += 1
        role = _code(record.answers.get("rol"), codes.ROLES)
        self.roles[role] += 1
        if role in codes.MISSION_ROLES:
            self._add_mission(record)
        figures = record.figures
        states = self.figure_states
        for figure_id in _COUNTED_FIGURES:  # inlined: this runs ~25 times per record
            figure = figures.get(figure_id)
            if figure is None or figure.state == "not_applicable":
                continue
            state = figure.state if figure.state in FIGURE_STATES else "unknown"
            counts = states.get(figure_id)
            if counts is None:  # not setdefault: that would build a Counter on every call
                counts = states[figure_id] = Counter()
            counts[state] += 1
            by_mode = self.figure_modes.get(figure_id)
            if by_mode is None:
                by_mode = self.figure_modes[figure_id] = Counter()
            by_mode[record.mode] += 1
        if "ambulancia" in record.answers:
            self.ambulance[_code(record.answers["ambulancia"], codes.ambulance())] += 1

    def _add_mission(self, record: ReportRecord) -> None:
        self.mission += 1
        self.sectors[_code(record.answers.get("sector"), codes.SECTORS)] += 1
        country = record.answers.get("pais")
        self.countries[country if isinstance(country, str) and country else codes.NO_ANSWER] += 1
        total = record.figures.get(codes.ILO_TOTAL)
        if _applies(total) and isinstance(total.value, int):
            self.ilo_total[total.value] += 1
        retention = record.figures.get(codes.RETENTION)
        if _applies(retention) and retention.value is not None:
            self.retention.append(Decimal(retention.value))
        # The same flags as the export's review column (one rule: `money`).
        self.retention_review += bool(amount_flags(record.answers, record.figures))
        payment = counted_payment(record.answers)
        if payment is not None:
            if payment.currency == codes.PAYMENT_CURRENCY:
                self.payments.append(payment.amount)
            else:
                self.payments_other_currency += 1


@dataclass
class FieldTally:
    """The field reports' counters: their figures' states and the investigators' counts."""

    total: int = 0
    figure_states: dict[str, Counter[str]] = field(default_factory=dict)
    # count question -> the numbers given; and how many reports ticked the finding without one
    counts: dict[str, list[int]] = field(default_factory=dict)
    unknown_counts: Counter[str] = field(default_factory=Counter)

    def add(self, record: ReportRecord) -> None:
        self.total += 1
        for figure_id in (*codes.FIELD_HEALTH_FIGURES, *codes.FIELD_ILO_FIGURES):
            figure = record.figures.get(figure_id)
            if figure is None or figure.state == "not_applicable":
                continue
            state = figure.state if figure.state in FIGURE_STATES else "unknown"
            self.figure_states.setdefault(figure_id, Counter())[state] += 1
        for question_id in codes.FIELD_COUNTS:
            if question_id not in record.answers:
                continue  # not asked: the finding was not reported
            value = record.answers[question_id]
            if isinstance(value, int) and not isinstance(value, bool):
                self.counts.setdefault(question_id, []).append(value)
            else:  # "No sé", or skipped
                self.unknown_counts[question_id] += 1


def tally(records: Iterable[ReportRecord]) -> Tally:
    """Consume `records` once."""
    result = Tally()
    for record in records:
        result.add(record)
    return result


def _applies(figure: FigureLike | None) -> TypeGuard[FigureLike]:
    return figure is not None and figure.state != "not_applicable"


def _code(value: object, known: tuple[str, ...]) -> str:
    """A choice code, or the no-answer row for skipped, missing or unexpected values."""
    if isinstance(value, str) and value in known:
        return value
    if isinstance(value, Skipped) or value is None:
        return codes.NO_ANSWER
    # An unexpected code (e.g. from a newer questionnaire version) is still counted.
    return value if isinstance(value, str) else codes.NO_ANSWER
