"""What a publishable month looks like at the default settings (k = 5).

Measured on the same records with the disclosure control of `main` before this change
(`realistic_month`, one to three unknowns per ILO indicator): at 50 testimonies it hid 4 of
the 33 ILO cells (2 of 11 rows) and both status counts; at 12 testimonies it hid 21 of 33 ILO
cells (10 of 11 rows), the total and the mission subtotal. Now: none.
"""

from __future__ import annotations

import json

from admin_cli.report import codes
from admin_cli.report.model import Period
from admin_cli.report.render_json import render_json
from tests.admin.report_synthetic import build_report, realistic_month
from tests.admin.test_report_disclosure import attack_of, exactly_pinned, true_values

MARCH = Period.of_month("2025-03")


def _hidden_ilo_cells(n: int) -> int:
    report = build_report(realistic_month(n), period=MARCH)
    return sum(
        count.value is None
        for row in report.ilo
        for count in (row.present, row.absent, row.answered, row.base)
    )


def test_fifty_testimonies_publish_the_whole_ilo_table() -> None:
    records = realistic_month(50)
    report = build_report(records, period=MARCH)
    assert sum(r.answers["rol"] in codes.MISSION_ROLES for r in records) == 42
    assert _hidden_ilo_cells(50) == 0
    assert [row.present.value for row in report.ilo] == [
        sum(r.figures[f].state == "present" for r in records) for f in codes.ILO_FIGURES
    ]
    assert all(row.percent is not None for row in report.ilo)
    assert report.ilo_total.total.value == 42
    assert report.status.total.value == 50


def test_twelve_testimonies_publish_the_totals() -> None:
    records = realistic_month(12)
    report = build_report(records, period=MARCH)
    assert report.status.total.value == 12
    assert [row.count.value for row in report.status.rows] == [10, 2]
    assert report.roles.subtotals[0].count.value == 10
    assert report.versions_total.value == 12
    assert _hidden_ilo_cells(12) == 0  # ten mission respondents: the base of 2k is reached


def test_these_months_are_safe_by_the_exact_attack() -> None:
    for n in (12, 50):
        records = realistic_month(n)
        published = json.loads(render_json(build_report(records, period=MARCH)))
        assert not exactly_pinned(attack_of(published), true_values(records))
