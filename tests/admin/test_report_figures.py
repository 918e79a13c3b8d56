"""Every figure of the report (disclosure control off) equals an independent count."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from admin_cli.export.codebook import codebook_rows
from admin_cli.export.columns import layout
from admin_cli.records import REVIEW_FLAGS
from admin_cli.report import codes
from admin_cli.report.figures import Tally
from admin_cli.report.model import (
    FigureRow,
    FrequencyTable,
    Period,
    PeriodError,
    Report,
    ReportRecord,
    reference_date,
)
from admin_cli.report.money import (
    HOST_PAYMENT_ZERO,
    RETENTION_CURRENCIES_DIFFER,
    RETENTION_OUT_OF_RANGE,
    amount_flags,
)
from admin_cli.report.publish import ReportOptionError
from admin_cli.report.render_json import render_json
from flows.answers import SKIPPED, AnswerValue, Money
from flows.derive import Figure
from tests.admin.report_synthetic import build_report, make_records
from tests.flows.support import load_testimonio

MARCH = Period.of_month("2025-03")


@pytest.fixture(scope="module")
def records() -> list[ReportRecord]:
    return make_records(seed=11, n=260)


@pytest.fixture(scope="module")
def report(records: list[ReportRecord]) -> Report:
    return build_report(iter(records), period=MARCH, min_cell=1)


def counts(table: FrequencyTable) -> dict[str, int | None]:
    return {row.code: row.count.value for row in table.rows}


def is_mission(record: ReportRecord) -> bool:
    return record.answers.get("rol") in codes.MISSION_ROLES


def answer_code(record: ReportRecord, var: str) -> str:
    value = record.answers.get(var)
    return codes.NO_ANSWER if value is None or value is SKIPPED else str(value)


def test_header_counts(records: list[ReportRecord], report: Report) -> None:
    assert report.status.total.value == len(records)
    assert counts(report.status) == Counter(r.status for r in records)
    expected_roles = Counter(answer_code(r, "rol") for r in records)
    assert {k: v for k, v in counts(report.roles).items() if v} == expected_roles
    mission = [r for r in records if is_mission(r)]
    assert report.roles.subtotals[0].count.value == len(mission)
    assert report.sectors.total.value == len(mission)
    assert {k: v for k, v in counts(report.sectors).items() if v} == Counter(
        answer_code(r, "sector") for r in mission
    )
    campaigns = Counter(r.campaign or codes.NO_CAMPAIGN for r in records)
    assert counts(report.campaigns) == campaigns


def test_countries_top_and_others(records: list[ReportRecord]) -> None:
    report = build_report(records, period=MARCH, min_cell=5)
    mission = [r for r in records if is_mission(r)]
    by_country = Counter(answer_code(r, "pais") for r in mission)
    no_answer = by_country.pop(codes.NO_ANSWER, 0)
    named = [c for c, n in by_country.most_common() if n >= 5][: codes.MAX_COUNTRIES]
    rows = counts(report.countries)
    assert [code for code in rows if not code.startswith("_")] == named
    others = sum(n for c, n in by_country.items() if c not in named)
    assert rows[codes.OTHERS] in (others, None)
    assert rows[codes.NO_ANSWER] in (no_answer, None)
    assert report.countries.total.value == len(mission)


def expected_row(records: list[ReportRecord], figure_id: str) -> tuple[int, int, int, int]:
    states = Counter(
        r.figures[figure_id].state
        for r in records
        if figure_id in r.figures and r.figures[figure_id].state != "not_applicable"
    )
    present, absent = states["present"], states["absent"]
    return present, absent, present + absent, sum(states.values())


def row_values(row: FigureRow) -> tuple[int | None, ...]:
    return (row.present.value, row.absent.value, row.answered.value, row.base.value)


@pytest.mark.parametrize("group", ["ilo", "frameworks", "health"])
def test_figure_rows(records: list[ReportRecord], report: Report, group: str) -> None:
    rows: tuple[FigureRow, ...] = getattr(report, group)
    ids = {
        "ilo": codes.ILO_FIGURES,
        "frameworks": codes.FRAMEWORK_FIGURES,
        "health": codes.HEALTH_FIGURES,
    }[group]
    assert [row.figure_id for row in rows] == list(ids)
    for row in rows:
        present, absent, answered, base = expected_row(records, row.figure_id)
        assert row_values(row) == (present, absent, answered, base)
        share = Decimal(100 * present) / answered
        assert row.percent is not None
        assert row.percent == row.percent.quantize(Decimal("0.1"))
        assert abs(row.percent - share) <= Decimal("0.05")


def test_ilo_total_distribution(records: list[ReportRecord], report: Report) -> None:
    totals = Counter(
        sum(r.figures[f].state == "present" for f in codes.ILO_FIGURES)
        for r in records
        if is_mission(r)
    )
    assert counts(report.ilo_total) == {str(j): totals[j] for j in range(12)}
    assert report.ilo_total.subtotals[0].count.value == sum(totals[j] for j in (9, 10, 11))
    assert report.ilo_total.total.value == sum(totals.values())


def test_wage_retention(records: list[ReportRecord], report: Report) -> None:
    values = [
        float(r.figures[codes.RETENTION].value or 0)
        for r in records
        if r.figures[codes.RETENTION].state == "present"
    ]
    spread = report.retention.spread
    assert spread.n.value == len(values)
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    assert spread.median is not None and spread.q1 is not None and spread.q3 is not None
    # Rounded to whole percent; the extremes (one respondent's value each) are never kept.
    assert float(spread.median) == pytest.approx(median, abs=0.5)
    assert float(spread.q1) == pytest.approx(q1, abs=0.5)
    assert float(spread.q3) == pytest.approx(q3, abs=0.5)
    assert not hasattr(spread, "minimum") and not hasattr(spread, "maximum")
    review = sum(
        1
        for r in records
        if r.figures[codes.RETENTION].review
        or (isinstance(p := r.answers.get(codes.HOST_PAYMENT), Money) and p.amount == 0)
    )
    assert report.retention.review.value == review > 0


def test_host_payments_usd_only(records: list[ReportRecord], report: Report) -> None:
    payments = [r.answers.get(codes.HOST_PAYMENT) for r in records if is_mission(r)]
    usd = [float(p.amount) for p in payments if isinstance(p, Money) and p.currency == "USD"]
    other = [p for p in payments if isinstance(p, Money) and p.currency != "USD"]
    spread = report.payments.spread
    assert spread.n.value == len(usd)
    # Rounded to 100 dollars.
    assert float(spread.median or 0) == pytest.approx(statistics.median(usd), abs=50)
    assert spread.median is not None and spread.median % 100 == 0
    assert report.payments.other_currencies.value == len(other) > 0


def test_ambulance_and_versions(records: list[ReportRecord], report: Report) -> None:
    asked = [r for r in records if "ambulancia" in r.answers]
    expected = Counter(answer_code(r, "ambulancia") for r in asked)
    assert {k: v for k, v in counts(report.ambulance).items() if v} == expected
    assert report.ambulance.total.value == len(asked)
    versions = Counter(
        (r.questionnaire_id, r.questionnaire_version, r.questionnaire_hash[:12]) for r in records
    )
    assert {
        (v.questionnaire_id, v.version, v.hash_prefix): v.count.value for v in report.versions
    } == versions
    assert report.versions_total.value == len(records)


def test_percentages_of_frequency_rows(report: Report) -> None:
    total = report.roles.total.value
    assert total
    for row in report.roles.rows:
        assert row.count.value is not None and row.percent is not None
        assert abs(row.percent - Decimal(100 * row.count.value) / total) <= Decimal("0.05")


def test_records_are_read_once() -> None:
    listed = make_records(seed=5, n=80)
    consumed: list[int] = []

    def stream() -> object:
        for index, record in enumerate(listed):
            consumed.append(index)
            yield record

    streamed = build_report(stream(), period=MARCH)  # type: ignore[arg-type]
    assert consumed == list(range(80))
    assert streamed == build_report(listed, period=MARCH)


def test_empty_period_gives_zero_counts() -> None:
    report = build_report([], period=MARCH)
    assert report.status.total.value == 0
    assert not report.retention.spread.published


def test_period_of_month() -> None:
    assert (MARCH.start.isoformat(), MARCH.end.isoformat()) == ("2025-03-01", "2025-03-31")
    assert Period.of_month("2024-02").end.day == 29
    for bad in ("2025-13", "2025-3", "march"):
        with pytest.raises(PeriodError):
            Period.of_month(bad)


def test_reference_date_prefers_completion() -> None:
    complete, partial = make_records(seed=2, n=20)[:2]
    complete = replace(complete, completed_on=date(2025, 4, 1))
    partial = replace(partial, status="partial", completed_on=None)
    assert reference_date(complete) == date(2025, 4, 1)
    assert reference_date(partial) == partial.created_on
    assert not MARCH.contains(reference_date(complete)) and MARCH.contains(partial.created_on)


def test_invalid_options_are_refused() -> None:
    with pytest.raises(ReportOptionError):
        build_report([], period=MARCH, lang="fr")
    with pytest.raises(ReportOptionError):
        build_report([], period=MARCH, min_cell=0)


def test_the_json_report_uses_the_ids_of_the_export_codebook(report: Report) -> None:
    """Tables, figures and distributions are keyed by the export's variables and figure ids."""
    testimonio = load_testimonio()
    columns = layout([testimonio], include_text=False)
    book = {row[1] for row in codebook_rows(columns, [testimonio])[1:]}
    data = json.loads(render_json(report))
    assert set(data["tables"]) <= book
    assert {row["id"] for rows in data["figures"].values() for row in rows} <= book
    assert set(data["distributions"]) <= book
    assert "retencion_salarial_pct" in data["distributions"]


def _mission(answers: dict[str, AnswerValue], retention: Figure) -> ReportRecord:
    figures: dict[str, Figure] = {f: Figure("absent") for f in codes.ILO_FIGURES}
    figures[codes.RETENTION] = retention
    return ReportRecord(
        status="complete",
        created_on=date(2025, 3, 3),
        completed_on=date(2025, 3, 3),
        campaign=None,
        questionnaire_id="testimonio",
        questionnaire_version=1,
        questionnaire_hash="a" * 64,
        answers={"rol": "mision_actual", **answers},
        figures=figures,
    )


def test_one_amount_rule_for_the_export_and_the_report() -> None:
    """A payment of 0 is counted (and flagged); mixed currencies are flagged; the report's
    review count is the number of records the export's review column flags."""
    usd = "USD"
    cases = [
        _mission({codes.HOST_PAYMENT: Money(Decimal(0), usd)}, Figure("unknown")),
        _mission({codes.HOST_PAYMENT: Money(Decimal(900), "EUR")}, Figure("unknown", review=True)),
        _mission({codes.HOST_PAYMENT: Money(Decimal(3000), usd)}, Figure("present", Decimal(80))),
        _mission(
            {codes.HOST_PAYMENT: Money(Decimal(100), usd)},
            Figure("present", Decimal(0), review=True),
        ),
    ]
    flags = [amount_flags(r.answers, r.figures) for r in cases]
    assert flags == [
        (HOST_PAYMENT_ZERO,),
        (RETENTION_CURRENCIES_DIFFER,),
        (),
        (RETENTION_OUT_OF_RANGE,),
    ]
    raw = Tally()
    for record in cases:
        raw.add(record)
    assert raw.retention_review == sum(bool(f) for f in flags) == 3
    assert sorted(raw.payments) == [Decimal(0), Decimal(100), Decimal(3000)]  # 0 included
    assert raw.payments_other_currency == 1
    assert set(REVIEW_FLAGS) >= {HOST_PAYMENT_ZERO, RETENTION_CURRENCIES_DIFFER}
