"""The report's ambulance rows are the codes of every shipped version: answers given under
version 2 are rows of their own, in the questionnaire's order, labelled, and counted towards
"six hours or more" by version 2's rule."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace

from admin_cli.report import codes
from admin_cli.report.model import Period, ReportRecord
from admin_cli.report.render_json import render_json
from flows.derive import Figure, FigureState
from flows.model import ConditionIndicator, InCodes, Questionnaire, condition_atoms
from flows.shipped import load_shipped
from tests.admin.report_synthetic import build_report, make_records

MARCH = Period.of_month("2025-03")
V1 = load_shipped("testimonio_v1.yaml")
V2 = load_shipped("testimonio_v2.yaml")


def ambulance_codes(version: Questionnaire) -> list[str]:
    return [choice.code for choice in version.question("ambulancia").all_choices()]


def over_6h(version: Questionnaire) -> set[str]:
    figure = version.indicator("salud_ambulancia_mas_6h")
    assert isinstance(figure, ConditionIndicator)
    atoms = condition_atoms(figure.present)
    return {code for atom in atoms if isinstance(atom, InCodes) for code in atom.codes}


def test_the_rows_are_every_versions_codes_the_newest_first() -> None:
    rows = codes.ambulance()
    newest = ambulance_codes(V2)
    assert list(rows[: len(newest)]) == newest
    assert set(ambulance_codes(V1)) - set(newest)  # the versions differ: the test can fail
    assert set(rows) == set(ambulance_codes(V1)) | set(newest)
    assert len(rows) == len(set(rows))


def test_six_hours_or_more_follows_each_versions_rule() -> None:
    assert set(codes.ambulance_over_6h()) == over_6h(V1) | over_6h(V2)
    assert set(codes.ambulance_over_6h()) <= set(codes.ambulance())


def answered_under_version_2(record: ReportRecord, index: int) -> ReportRecord:
    if "ambulancia" not in record.answers or not isinstance(record.answers["ambulancia"], str):
        return record
    newest = ambulance_codes(V2)
    code = newest[index % len(newest)]
    state: FigureState = "present" if code in over_6h(V2) else "absent"
    return replace(
        record,
        questionnaire_version=2,
        answers={**record.answers, "ambulancia": code},
        figures={**record.figures, "salud_ambulancia_mas_6h": Figure(state)},
    )


def test_version_2_answers_are_labelled_rows_that_add_up() -> None:
    records = make_records(seed=7, n=200)
    # Every other health record answered under version 2, the rest under version 1.
    mixed = [answered_under_version_2(r, i) if i % 2 else r for i, r in enumerate(records)]
    asked = [r for r in mixed if "ambulancia" in r.answers]
    newest = set(ambulance_codes(V2))
    assert any(r.answers["ambulancia"] in newest - set(ambulance_codes(V1)) for r in asked)
    report = build_report(iter(mixed), period=MARCH, min_cell=1)

    rows = [row.code for row in report.ambulance.rows]
    # The newest version's rows first, then the older codes this month holds.
    assert rows[: len(codes.ambulance_shown())] == list(codes.ambulance_shown())
    held = {str(r.answers["ambulancia"]) for r in asked}
    assert rows[: len(codes.ambulance_rows(held))] == list(codes.ambulance_rows(held))
    counted = {row.code: row.count.value for row in report.ambulance.rows}
    expected = Counter(
        r.answers["ambulancia"] if isinstance(r.answers["ambulancia"], str) else codes.NO_ANSWER
        for r in asked
    )
    assert {code: n for code, n in counted.items() if n} == expected

    present = next(f for f in report.health if f.figure_id == "salud_ambulancia_mas_6h")
    assert present.present.value == sum(counted[c] or 0 for c in codes.ambulance_over_6h())

    labels = {
        row["code"]: row["label"]
        for row in json.loads(render_json(report))["tables"]["ambulancia"]["rows"]
    }
    v2_labels = {c.code: c.label for c in V2.question("ambulancia").all_choices()}
    for code, label in v2_labels.items():
        assert labels[code] == label
