"""Disclosure control over thousands of random small months, every published table together.

Each month is drawn from the synthetic generator (role, sector, country, campaign, version,
every figure, amounts). The reader's system is rebuilt from the published JSON alone
(`attack_of`), and an exact integer programme (scipy's HiGHS) looks for any hidden non-zero
count it can pin. A re-issue of the month is attacked together with the first release.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from admin_cli.report.auditor import Polytope, intervals, pinned
from admin_cli.report.disclosure import EarlierRelease, ReissueRefused, min_base
from admin_cli.report.figures import tally
from admin_cli.report.publish import publish_with_view
from admin_cli.report.render_json import render_json
from tests.admin.report_synthetic import build_report, make_records
from tests.admin.test_report_disclosure import (
    MARCH,
    QUASI_IDENTIFIERS,
    Attack,
    K,
    attack_of,
    exactly_pinned,
    polytope_of,
    quasi_identifier_counts,
    true_values,
)

# How many months each property draws: 1,650 in all, about 1 to 3 minutes on this project's
# shared two-core machine (the whole suite must stay well under 15 minutes).
SINGLE_MONTHS = 1500
REISSUED_MONTHS = 150
BASE = min_base(K)

months = st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 30))


def published(records: list[Any]) -> dict[str, Any]:
    return dict(json.loads(render_json(build_report(records, period=MARCH, min_cell=K))))


@pytest.mark.timeout(1200)  # 1 500 months, half with three sources: ~4 min alone, more in the suite
@settings(max_examples=SINGLE_MONTHS, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(month=months)
def test_no_hidden_count_of_a_month_can_be_pinned(month: tuple[int, int]) -> None:
    seed, n = month
    # Every other month mixes the three sources: the tables of interviews and field reports
    # are under the same control (docs/methodology.md §12).
    records = make_records(seed, n, sources=seed % 2 == 0)
    report = published(records)  # never raises: a month with no safe pattern withholds
    assert not [c for c in quasi_identifier_counts(report) if 1 <= c < K]
    attack = attack_of(report)
    assert not exactly_pinned(attack, true_values(records))
    testimonies = sum(r.questionnaire_id == "testimonio" for r in records)
    assert report["tables"]["status"]["total"] == testimonies  # totals are always published
    assert report["field_reports"]["n"] == n - testimonies


def _joint(first: Attack, second: Attack, changed: int) -> Polytope:
    """Both releases as one system; each count moved by at most `changed` in between."""
    joint = polytope_of(first, "a|")
    again = polytope_of(second, "b|")
    joint.bounds.update(again.bounds)
    joint.equalities += again.equalities
    for name in set(first.known) | set(first.hidden):
        if name not in second.known and name not in second.hidden:
            continue
        terms = {}
        constant = 0
        for side, attack, sign in (("b|", second, 1), ("a|", first, -1)):
            if name in attack.known:
                constant += sign * attack.known[name]
            else:
                terms[side + name] = sign
        joint.at_most(terms, changed - constant)
        joint.at_most({k: -c for k, c in terms.items()}, changed + constant)
    return joint


def _difference_pinned(first: Attack, second: Attack, joint: Polytope) -> set[str]:
    """Quasi-identifier cells whose change between the releases is pinned to 1..k-1."""
    targets: dict[str, dict[str, int]] = {}
    shifts: dict[str, int] = {}
    exposed: set[str] = set()
    for name in second.known.keys() | second.hidden.keys():
        if name.split(".")[0] not in QUASI_IDENTIFIERS:
            continue
        if name not in first.known and name not in first.hidden:
            continue
        terms, constant = {}, 0
        for side, attack, sign in (("b|", second, 1), ("a|", first, -1)):
            if name in attack.known:
                constant += sign * attack.known[name]
            else:
                terms[side + name] = sign
        if not terms:
            if 0 < abs(constant) < K:
                exposed.add(name)
            continue
        targets[name], shifts[name] = terms, constant
    for name, (low, high) in intervals(joint, targets).items():
        if low == high and 0 < abs(low + shifts[name]) < K:
            exposed.add(name)
    return exposed


@settings(max_examples=REISSUED_MONTHS, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    month=months, later=st.integers(0, 2**32 - 1), change=st.sampled_from(["add", "drop", "many"])
)
def test_a_reissue_discloses_nothing_through_the_difference(
    month: tuple[int, int], later: int, change: str
) -> None:
    seed, n = month
    records = make_records(seed, n + 1)
    first_report, first_view = publish_with_view(
        tally(records), period=MARCH, lang="es", min_cell=K
    )
    if change == "add":
        again, changed = [*records, *make_records(later, 1)], 1
    elif change == "drop":
        again, changed = records[1:], 1
    else:
        extra = make_records(later, BASE + later % 4)
        again, changed = [*records, *extra], len(extra)
    earlier = [EarlierRelease(first_view, changed)]
    if changed < BASE:
        # One testimony added or withdrawn: the difference would be that person's answers.
        with pytest.raises(ReissueRefused):
            publish_with_view(tally(again), period=MARCH, lang="es", min_cell=K, earlier=earlier)
        return
    second_report, _ = publish_with_view(
        tally(again), period=MARCH, lang="es", min_cell=K, earlier=earlier
    )
    first = attack_of(json.loads(render_json(first_report)))
    second = attack_of(json.loads(render_json(second_report)))
    joint = _joint(first, second, changed)
    truth = {f"b|{k}": v for k, v in true_values(again).items()}
    targets = {f"b|{k}": {f"b|{k}": 1} for k in second.hidden if truth[f"b|{k}"] > 0}
    assert not pinned(joint, targets, truth)
    assert not _difference_pinned(first, second, joint)
