"""`oclep-admin report` over the conversation-built fixture: every published figure equals the
value computed independently from the known answers; disclosure control holds."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from flows.loader import definition_hash, load_questionnaire
from tests.admin.cli_support import key_args, run
from tests.admin.expected_figures import expected_report
from tests.admin.fixtures.builder import V1_PATH, V2_PATH, FixtureDatabase
from tests.admin.test_report_disclosure import (
    attack_of,
    determined_by_linear_algebra,
    pinned_by_brute_force,
    quasi_identifier_counts,
)

MARCH = (date(2025, 3, 1), date(2025, 3, 31))
HASHES = {
    1: definition_hash(load_questionnaire(V1_PATH)),
    2: definition_hash(load_questionnaire(V2_PATH)),
}


def report_json(built: FixtureDatabase, folder: Path, *extra: str) -> dict[str, Any]:
    out = folder / "report.json"
    result = run(
        ["report", "--month", "2025-03", *key_args(built), "--format", "json", "--out", out, *extra]
    )
    assert result.exit_code == 0, result.stderr
    parsed: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return parsed


@pytest.fixture(scope="module")
def open_report(built: FixtureDatabase, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The JSON report with disclosure control off: every count visible."""
    return report_json(built, tmp_path_factory.mktemp("open"), "--min-cell", "1")


@pytest.fixture(scope="module")
def expected(built: FixtureDatabase) -> dict[str, Any]:
    return expected_report(built.known, *MARCH, HASHES)


def rows(table: dict[str, Any]) -> dict[str, Any]:
    return {row["code"]: row["count"] for row in table["rows"]}


def test_fixture_spans_what_the_report_must_handle(
    built: FixtureDatabase, expected: dict[str, Any]
) -> None:
    statuses = {k.status for k in built.known}
    assert statuses == {"complete", "partial", "in_progress", "withdrawn"}
    assert set(expected["campaigns"]) >= {"redes_salud", "marinos_2025"}
    assert {v for _, v in expected["versions"]} == {1, 2}
    assert expected["mission"] > 100 and expected["figures"]["salud_insumos_propios"]["base"] > 50
    assert any(k.day < MARCH[0] for k in built.known)  # some fall outside the month


def test_header_tables(open_report: dict[str, Any], expected: dict[str, Any]) -> None:
    tables = open_report["tables"]
    assert tables["status"]["total"] == expected["N"]
    assert rows(tables["status"]) == {
        s: expected["status"].get(s, 0) for s in ("complete", "partial")
    }
    roles = rows(tables["rol"])
    assert {c: n for c, n in roles.items() if n} == expected["roles"]
    assert tables["rol"]["subtotals"][0]["count"] == expected["mission"]
    assert rows(tables["campaign"]) == expected["campaigns"]
    assert {c: n for c, n in rows(tables["sector"]).items() if n} == expected["sectors"]
    assert tables["sector"]["total"] == expected["mission"]


def test_countries_top_ten_and_others(
    open_report: dict[str, Any], expected: dict[str, Any]
) -> None:
    named = sorted(
        ((c, n) for c, n in expected["countries"].items() if c != "_no_answer"),
        key=lambda item: (-item[1], item[0]),
    )
    want = dict(named[:10])
    others = sum(n for _, n in named[10:])
    if others:
        want["_others"] = others
    want["_no_answer"] = expected["countries"].get("_no_answer", 0)
    assert rows(open_report["tables"]["pais"]) == want


def test_every_figure_row(open_report: dict[str, Any], expected: dict[str, Any]) -> None:
    published = {row["id"]: row for group in open_report["figures"].values() for row in group}
    assert set(published) == set(expected["figures"])
    for figure_id, want in expected["figures"].items():
        got = {key: published[figure_id][key] for key in want}
        assert got == want, figure_id


def test_ilo_total_distribution(open_report: dict[str, Any], expected: dict[str, Any]) -> None:
    table = open_report["tables"]["ilo_total"]
    assert rows(table) == expected["ilo_total"]
    assert table["subtotals"][0]["code"] == "_9_or_more"
    assert table["subtotals"][0]["count"] == expected["ilo_many"]


def test_wages_and_payments(open_report: dict[str, Any], expected: dict[str, Any]) -> None:
    assert open_report["distributions"]["retencion_salarial_pct"] == expected["retention"]
    assert expected["retention"]["n"] > 20 and expected["retention"]["review"] > 0
    payments = open_report["distributions"]["pago_estado_mes"]
    assert payments["currency"] == "USD"
    assert {k: payments[k] for k in expected["payments"]} == expected["payments"]
    assert expected["payments"]["other_currencies"] > 0


def test_ambulance_and_versions(open_report: dict[str, Any], expected: dict[str, Any]) -> None:
    assert {c: n for c, n in rows(open_report["tables"]["ambulancia"]).items() if n} == expected[
        "ambulance"
    ]
    versions = {
        (row["hash_prefix"], row["version"]): row["count"]
        for row in open_report["questionnaire_versions"]["rows"]
    }
    assert versions == {(h[:12], v): n for (h, v), n in expected["versions"].items()}


@pytest.fixture(scope="module")
def protected(built: FixtureDatabase, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The report as published by default (k = 5)."""
    return report_json(built, tmp_path_factory.mktemp("protected"))


def test_no_visible_small_count_in_a_quasi_identifier_table(protected: dict[str, Any]) -> None:
    counts = list(quasi_identifier_counts(protected))
    assert counts and all(n == 0 or n >= 5 for n in counts)
    assert protected["min_cell"] == 5 and protected["disclosure_control"] is True


def test_the_main_ilo_table_is_fully_published(protected: dict[str, Any]) -> None:
    """Indicator rows over ~190 mission respondents get no cell suppression at all."""
    for row in protected["figures"]["ilo"]:
        assert all(isinstance(row[part], int) for part in ("present", "absent", "answered"))


def test_suppression_happened_and_cannot_be_undone(protected: dict[str, Any]) -> None:
    attack = attack_of(protected)
    assert attack.hidden, "the fixture has small cells: something must be hidden"
    assert determined_by_linear_algebra(attack) == set()
    pinned, _ = pinned_by_brute_force(attack)
    assert pinned == set()


def test_visible_cells_equal_the_known_counts(
    protected: dict[str, Any], expected: dict[str, Any]
) -> None:
    published = {row["id"]: row for group in protected["figures"].values() for row in group}
    for figure_id, want in expected["figures"].items():
        for part in ("present", "absent", "answered"):
            got = published[figure_id][part]
            if isinstance(got, int):
                assert got == want[part], (figure_id, part)


def test_report_file_is_private_and_not_overwritten(built: FixtureDatabase, tmp_path: Path) -> None:
    out = tmp_path / "informe.html"
    args = ["report", "--month", "2025-03", *key_args(built), "--out", out, "--lang", "en"]
    assert run(args).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    first = out.read_bytes()
    assert b"<img" in first and b'lang="en"' in first
    again = run(args)
    assert again.exit_code == 1 and "--force" in again.stderr
    assert out.read_bytes() == first
    assert run([*args, "--force", "--format", "md"]).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("#")
